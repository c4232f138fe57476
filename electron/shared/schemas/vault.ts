import { z } from 'zod';
import { StoredIssuancePolicySchema } from './lifecycle';

/** A passphrase crossing the boundary once, for one call; never stored, logged or echoed. */
export const PassphraseSchema = z.string().min(1).max(1024);

/** How personal numbers are checked; documented in README ("Holders"). */
export const PersonalNumberRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('digits'),
    length: z.number().int().min(4).max(20),
    /** The last digit checks the others: ISO 7064 MOD 11-10, Luhn, or no check. */
    checkDigit: z.enum(['mod11-10', 'luhn', 'none']),
  }),
  z.object({ kind: z.literal('pattern'), pattern: z.string().min(1).max(200) }),
]);
export type PersonalNumberRule = z.infer<typeof PersonalNumberRuleSchema>;

export const VaultSettingsSchema = z.object({
  /** The vault locks after this many minutes without a use of its secrets. */
  idleLockMinutes: z.number().int().min(1).max(480),
  personalNumberRule: PersonalNumberRuleSchema,
  /** How cards are personalised; absent in a vault made before it existed (the default applies). */
  issuancePolicy: StoredIssuancePolicySchema.optional(),
});
export type VaultSettings = z.infer<typeof VaultSettingsSchema>;

export const VaultStatusSchema = z.object({
  /** A passphrase has been set. */
  initialised: z.boolean(),
  unlocked: z.boolean(),
  schemaVersion: z.number().int(),
  settings: VaultSettingsSchema,
  counts: z.object({ holders: z.number().int(), cards: z.number().int(), certificates: z.number().int() }),
});
export type VaultStatus = z.infer<typeof VaultStatusSchema>;

/** A wrong passphrase is an expected outcome, not an error. */
export const UnlockResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: z.literal('wrongPassphrase') }),
]);
export type UnlockResult = z.infer<typeof UnlockResultSchema>;

/** The one-time recovery code (issue 17 §2): shown once, printed, never stored in clear. */
export const VaultRecoveryCodeSchema = z.object({ code: z.string() });
export const VaultRecoveryCodeInputSchema = z.string().trim().min(20).max(40);

/** The recovery for a lost last administrator card: the vault opens, the code is used up, a new one is shown once. */
export const VaultRecoverResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), newCode: z.string() }),
  z.object({ ok: z.literal(false), reason: z.enum(['wrongPassphrase', 'wrongRecoveryCode', 'noRecoveryCode']) }),
]);
export type VaultRecoverResult = z.infer<typeof VaultRecoverResultSchema>;

export const BackupInfoSchema = z.object({
  fileName: z.string(),
  createdAt: z.string(),
  bytes: z.number().int(),
});
export type BackupInfo = z.infer<typeof BackupInfoSchema>;

/** A backup file name inside the vault's backups folder: no paths from the page. */
export const BackupFileNameSchema = z.string().regex(/^[A-Za-z0-9._-]{1,120}\.cdbackup$/);
