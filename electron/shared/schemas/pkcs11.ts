import { z } from 'zod';

export const Pkcs11ModuleStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  /** Found on this OS by CardDesk, or added by the operator. */
  source: z.enum(['default', 'custom']),
  state: z.enum(['loaded', 'unavailable']),
  manufacturer: z.string().nullable(),
  description: z.string().nullable(),
  version: z.string().nullable(),
  /** refused: an operator's module that failed the path checks (never loaded). */
  problem: z.enum(['fileMissing', 'loadFailed', 'notPkcs11Library', 'initializeFailed', 'refused']).nullable(),
  message: z.string().nullable(),
});
export type Pkcs11ModuleStatus = z.infer<typeof Pkcs11ModuleStatusSchema>;

export const TokenFlagsSchema = z.object({
  loginRequired: z.boolean(),
  userPinCountLow: z.boolean(),
  userPinFinalTry: z.boolean(),
  userPinLocked: z.boolean(),
  userPinToBeChanged: z.boolean(),
  protectedAuthenticationPath: z.boolean(),
  writeProtected: z.boolean(),
});

export const Pkcs11TokenInfoSchema = z.object({
  moduleId: z.string(),
  moduleName: z.string(),
  slotId: z.number().int().nonnegative(),
  slotDescription: z.string(),
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  flags: TokenFlagsSchema,
});
export type Pkcs11TokenInfo = z.infer<typeof Pkcs11TokenInfoSchema>;

export const Pkcs11ObjectsSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    certificates: z.array(z.object({ label: z.string(), id: z.string(), subject: z.string().nullable(), issuer: z.string().nullable(), notAfter: z.string().nullable() })),
    keys: z.array(z.object({ label: z.string(), id: z.string(), kind: z.enum(['private', 'public']), keyType: z.string(), size: z.string().nullable() })),
  }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);
export type Pkcs11Objects = z.infer<typeof Pkcs11ObjectsSchema>;

export const Pkcs11LoginResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['wrongPin', 'pinLocked', 'tokenRemoved', 'pinLenRange', 'other']),
    /** After a wrong PIN, the token's own view: a further wrong PIN blocks it. */
    finalTry: z.boolean(),
  }),
]);
export type Pkcs11LoginResult = z.infer<typeof Pkcs11LoginResultSchema>;

const slot = { moduleId: z.string().min(1).max(40), slotId: z.number().int().nonnegative() };

export const Pkcs11Args = {
  addModule: z.object({ name: z.string().trim().min(1).max(80), path: z.string().trim().min(1).max(1024) }).strict(),
  removeModule: z.object({ id: z.string().min(1).max(40) }).strict(),
  libraryFolder: z.object({ path: z.string().trim().min(1).max(1024) }).strict(),
  objects: z.object(slot).strict(),
  // Vendor tokens allow letters in PINs; only the length is checked here.
  login: z.object({ ...slot, pin: z.string().min(1).max(64) }).strict(),
};

export const Pkcs11LibraryFoldersSchema = z.object({
  /** The OS's own library folders. */
  os: z.array(z.string()),
  /** Folders an administrator added (with the vault unlocked). */
  added: z.array(z.string()),
});
