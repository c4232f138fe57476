import { z } from 'zod';
import { failureSchema, SlotIdSchema, tokenFailureReasons } from './common';

const VersionSchema = z.string().regex(/^\d+\.\d+$/);

/** C_GetInfo (PKCS#11 v2.40 §5.4): who made the library and which Cryptoki version it speaks. */
export const ModuleInfoSchema = z.object({
  manufacturer: z.string(),
  description: z.string(),
  libraryVersion: VersionSchema,
  cryptokiVersion: VersionSchema,
});
export type ModuleInfo = z.infer<typeof ModuleInfoSchema>;

/**
 * Why a configured module cannot be used: no file at the path, a file that is not a shared
 * library (or for another architecture), a library without C_GetFunctionList (not PKCS#11),
 * or C_Initialize refused.
 */
export const moduleProblems = ['fileMissing', 'loadFailed', 'notPkcs11Library', 'initializeFailed'] as const;
export const ModuleProblemSchema = z.enum(moduleProblems);
export type ModuleProblem = z.infer<typeof ModuleProblemSchema>;

/** What loading a module gave: its info, or the problem in plain English. */
export const ModuleLoadSchema = z.union([
  z.object({ ok: z.literal(true), info: ModuleInfoSchema }),
  z.object({ ok: z.literal(false), problem: ModuleProblemSchema, message: z.string() }),
]);
export type ModuleLoad = z.infer<typeof ModuleLoadSchema>;

/** CK_SLOT_INFO flags (§3.2). */
export const SlotFlagsSchema = z.object({
  tokenPresent: z.boolean(),
  removableDevice: z.boolean(),
  hardwareSlot: z.boolean(),
});
export type SlotFlags = z.infer<typeof SlotFlagsSchema>;

/** CK_TOKEN_INFO flags (§3.2, table 10), one boolean each (the contract shows a subset: shared/schemas/pkcs11.ts). */
export const CkTokenFlagsSchema = z.object({
  tokenInitialized: z.boolean(),
  loginRequired: z.boolean(),
  userPinInitialized: z.boolean(),
  userPinCountLow: z.boolean(),
  userPinFinalTry: z.boolean(),
  userPinLocked: z.boolean(),
  userPinToBeChanged: z.boolean(),
  soPinCountLow: z.boolean(),
  soPinFinalTry: z.boolean(),
  soPinLocked: z.boolean(),
  soPinToBeChanged: z.boolean(),
  protectedAuthenticationPath: z.boolean(),
  writeProtected: z.boolean(),
});
export type CkTokenFlags = z.infer<typeof CkTokenFlagsSchema>;

export const TokenInfoSchema = z.object({
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  flags: CkTokenFlagsSchema,
  /** ulMinPinLen / ulMaxPinLen, in bytes (characters for ASCII PINs). */
  pinLength: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }),
  hardwareVersion: VersionSchema,
  firmwareVersion: VersionSchema,
});
export type TokenInfo = z.infer<typeof TokenInfoSchema>;

/** A slot and what is in it: a readable token, nothing, or a card the module does not know. */
export const SlotSummarySchema = z.object({
  slotId: SlotIdSchema,
  description: z.string(),
  manufacturer: z.string(),
  flags: SlotFlagsSchema,
  token: z.discriminatedUnion('state', [
    z.object({ state: z.literal('present'), info: TokenInfoSchema }),
    z.object({ state: z.literal('absent') }),
    z.object({ state: z.literal('unrecognized') }),
  ]),
});
export type SlotSummary = z.infer<typeof SlotSummarySchema>;

export const TokenFailureSchema = failureSchema(tokenFailureReasons);
export type TokenFailure = z.infer<typeof TokenFailureSchema>;

export const TokenInfoResultSchema = z.union([z.object({ ok: z.literal(true), token: TokenInfoSchema }), TokenFailureSchema]);
export type TokenInfoResult = z.infer<typeof TokenInfoResultSchema>;

/**
 * Why a login did not happen. `wrongPin` comes with the token's flags read again right after,
 * so "count low" and "final try" show (PKCS#11 has no retry counter, only these flags).
 */
export const loginFailureReasons = ['pinLocked', 'pinLenRange', 'pinInvalid', 'pinExpired', 'pinNotInitialized', ...tokenFailureReasons] as const;

export const LoginResultSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: z.literal('wrongPin'), flags: CkTokenFlagsSchema }),
  failureSchema(loginFailureReasons),
]);
export type LoginResult = z.infer<typeof LoginResultSchema>;

export const LogoutResultSchema = z.union([z.object({ ok: z.literal(true) }), TokenFailureSchema]);
export type LogoutResult = z.infer<typeof LogoutResultSchema>;

export const UserTypeSchema = z.enum(['user', 'so']);
export type UserType = z.infer<typeof UserTypeSchema>;
