import { z } from 'zod';
import { OperatorRecordSchema, OperatorRoleSchema } from './operators';

/**
 * The operator accounts' channels (issue 17 §1, Settings → Operators, `carddesk operator …`):
 * arguments, and results where an expected refusal is a value the screen and the CLI show.
 */
const OperatorId = z.string().min(1).max(64);
const Roles = OperatorRoleSchema.array()
  .min(1)
  .max(6)
  .refine((roles) => new Set(roles).size === roles.length, 'a role is named twice');

export const OperatorArgs = {
  add: z.object({ holderId: z.string().min(1).max(64), roles: Roles }).strict(),
  setRoles: z.object({ id: OperatorId, roles: Roles }).strict(),
  id: z.object({ id: OperatorId }).strict(),
};

/**
 * Why a change to an operator account was refused:
 * - holderNotFound: no active holder with that id (an operator is a person of the directory);
 * - alreadyOperator: that holder has an account already (removed ones included: one per holder);
 * - operatorNotFound: no account with that id;
 * - removed: the account is removed, nothing of it changes any more;
 * - lastAdministrator: it would leave the desk without an active CA administrator.
 */
export const operatorRefusals = ['holderNotFound', 'alreadyOperator', 'operatorNotFound', 'removed', 'lastAdministrator'] as const;
export const OperatorRefusalSchema = z.enum(operatorRefusals);
export type OperatorRefusal = z.infer<typeof OperatorRefusalSchema>;

export const OperatorChangeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), operator: OperatorRecordSchema }),
  z.object({ ok: z.literal(false), reason: OperatorRefusalSchema, message: z.string() }),
]);
export type OperatorChangeResult = z.infer<typeof OperatorChangeResultSchema>;
