import { z } from 'zod';
import { operatorRoles } from '../enums';

/**
 * Operators (issue 17): the people who work at the desk. Each is a person of the directory (a
 * holder record, for the name and the card), holds one or more roles, and signs in with an
 * operator card: a CardDesk card whose authentication slot (9A) carries a certificate of the
 * `operator` profile. Removed operators stay as records (the audit log names them) but nothing
 * of theirs is accepted any more.
 */
export const OperatorRoleSchema = z.enum(operatorRoles);

export const operatorStates = ['active', 'suspended', 'removed'] as const;
export const OperatorStateSchema = z.enum(operatorStates);
export type OperatorState = z.infer<typeof OperatorStateSchema>;

/** One operator card: the card's serial and the operator certificate in its slot 9A. */
export const OperatorCardSchema = z.object({
  cardSerial: z.string().min(1).max(64),
  certificateSerial: z.string().regex(/^[0-9a-f]{2,64}$/),
  addedAt: z.string(),
});
export type OperatorCard = z.infer<typeof OperatorCardSchema>;

export const OperatorRecordSchema = z.object({
  id: z.string().min(1).max(64),
  /** The person in the directory. */
  holderId: z.string().min(1).max(64),
  /** The display name (copied from the holder when the account is made, editable). */
  name: z.string().min(1).max(200),
  roles: z
    .array(OperatorRoleSchema)
    .min(1)
    .refine((roles) => new Set(roles).size === roles.length, 'a role is named twice'),
  state: OperatorStateSchema,
  cards: z.array(OperatorCardSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OperatorRecord = z.infer<typeof OperatorRecordSchema>;

/** The operator a desk session acts for, as the app bar and the audit log name them. */
export const OperatorSessionSummarySchema = z.object({
  /**
   * `bootstrap`: no operator account exists yet, the desk acts as the OS account with every role.
   * `locked`: the operator's card left its reader and the desk locks (settings): it acts for nobody
   * until the same operator signs in again (`operatorId`, `name` say who).
   */
  mode: z.enum(['bootstrap', 'signedIn', 'signedOut', 'locked']),
  operatorId: z.string().nullable(),
  name: z.string().nullable(),
  roles: z.array(OperatorRoleSchema),
  cardSerial: z.string().nullable(),
});
export type OperatorSessionSummary = z.infer<typeof OperatorSessionSummarySchema>;

/** What the operator's card leaving its reader does (issue 17 §2): lock the desk until they are back, or sign them out. */
export const CardRemovalSchema = z.enum(['lock', 'signOut']);
export type CardRemoval = z.infer<typeof CardRemovalSchema>;

/** The desk's operator-session settings. */
export const OperatorSessionSettingsSchema = z.object({
  /** Minutes without a call before the session ends. */
  idleMinutes: z.number().int().min(1).max(24 * 60),
  cardRemoval: CardRemovalSchema,
});
export type OperatorSessionSettings = z.infer<typeof OperatorSessionSettingsSchema>;
