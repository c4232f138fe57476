/**
 * The messages between the PKCS#11 service (main thread) and its module workers: one
 * discriminated union of requests, each with an id, and one response per request carrying
 * that id. Both sides parse what they receive with these schemas; a message that does not
 * parse is a bug or corruption and is refused, never half-used.
 */
import { z } from 'zod';
import { errorCodes } from '../../shared/errors';
import { BytesSchema, SlotIdSchema } from './schemas/common';
import { DecryptMechanismSchema, DecryptResultSchema, GenerateKeyPairResultSchema, KeyPairOptionsSchema, KeyPairSpecSchema, SignMechanismSchema, SignResultSchema } from './schemas/crypto';
import {
  CertificateWriteSchema,
  FindKeyResultSchema,
  KeyClassSchema,
  KeySelectorSchema,
  ListObjectsResultSchema,
  PublicKeyResultSchema,
  WriteCertificateResultSchema,
} from './schemas/objects';
import { LoginResultSchema, LogoutResultSchema, ModuleLoadSchema, SlotSummarySchema, TokenInfoResultSchema, UserTypeSchema } from './schemas/token';

const RequestIdSchema = z.number().int().nonnegative();
const slot = { id: RequestIdSchema, slotId: SlotIdSchema };

export const Pkcs11RequestSchema = z.discriminatedUnion('kind', [
  /** Load the library, C_Initialize, C_GetInfo. Always the first request a worker gets. */
  z.object({ id: RequestIdSchema, kind: z.literal('init'), modulePath: z.string().min(1) }),
  z.object({ id: RequestIdSchema, kind: z.literal('listSlots'), tokenPresent: z.boolean() }),
  z.object({ ...slot, kind: z.literal('tokenInfo') }),
  /** The PIN: never logged; the worker zeroes it after C_Login. */
  z.object({ ...slot, kind: z.literal('login'), userType: UserTypeSchema, pin: BytesSchema }),
  z.object({ ...slot, kind: z.literal('logout') }),
  z.object({ ...slot, kind: z.literal('listObjects') }),
  z.object({ ...slot, kind: z.literal('findKey'), key: KeySelectorSchema, keyClass: KeyClassSchema }),
  z.object({ ...slot, kind: z.literal('getPublicKey'), key: KeySelectorSchema }),
  z.object({ ...slot, kind: z.literal('sign'), key: KeySelectorSchema, mechanism: SignMechanismSchema, data: BytesSchema }),
  z.object({ ...slot, kind: z.literal('decrypt'), key: KeySelectorSchema, mechanism: DecryptMechanismSchema, data: BytesSchema }),
  z.object({ ...slot, kind: z.literal('generateKeyPair'), spec: KeyPairSpecSchema, options: KeyPairOptionsSchema }),
  z.object({ ...slot, kind: z.literal('writeCertificate'), certificate: CertificateWriteSchema }),
  /** Close every session, C_Finalize, unload. The worker is terminated after the answer. */
  z.object({ id: RequestIdSchema, kind: z.literal('close') }),
]);

/** What the main thread sends (bytes as Buffer or Uint8Array). */
export type Pkcs11Request = z.input<typeof Pkcs11RequestSchema>;
/** What the worker handles after parsing (bytes as Buffer, defaults filled in). */
export type ParsedPkcs11Request = z.output<typeof Pkcs11RequestSchema>;
export type Pkcs11RequestKind = Pkcs11Request['kind'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request before the client gives it an id. */
export type Pkcs11Call = DistributiveOmit<Pkcs11Request, 'id'>;
export type CallOf<K extends Pkcs11RequestKind> = Extract<Pkcs11Call, { kind: K }>;
export type ParsedRequestOf<K extends Pkcs11RequestKind> = Extract<ParsedPkcs11Request, { kind: K }>;

export const CloseResultSchema = z.object({ finalized: z.boolean() });

/** The result schema of each request kind. */
export const resultSchemas = {
  init: ModuleLoadSchema,
  listSlots: z.array(SlotSummarySchema),
  tokenInfo: TokenInfoResultSchema,
  login: LoginResultSchema,
  logout: LogoutResultSchema,
  listObjects: ListObjectsResultSchema,
  findKey: FindKeyResultSchema,
  getPublicKey: PublicKeyResultSchema,
  sign: SignResultSchema,
  decrypt: DecryptResultSchema,
  generateKeyPair: GenerateKeyPairResultSchema,
  writeCertificate: WriteCertificateResultSchema,
  close: CloseResultSchema,
} as const satisfies Record<Pkcs11RequestKind, z.ZodType>;

/** The result the main thread gets (bytes as Buffer). */
export type ResultOf<K extends Pkcs11RequestKind> = z.output<(typeof resultSchemas)[K]>;
/** The result the worker produces (bytes as any Uint8Array). */
export type WorkerResultOf<K extends Pkcs11RequestKind> = z.input<(typeof resultSchemas)[K]>;

/** An unexpected failure, as the worker reports it; the main thread throws it as a CardDeskError. */
export const WorkerErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  /** The CK_RV when the failure came from the module. */
  ckr: z.number().int().nonnegative().nullable(),
});
export type WorkerError = z.infer<typeof WorkerErrorSchema>;

export const Pkcs11ResponseSchema = z.union([
  z.object({ id: RequestIdSchema, ok: z.literal(true), result: z.unknown() }),
  /** `id` is null when the request itself could not be read. */
  z.object({ id: RequestIdSchema.nullable(), ok: z.literal(false), error: WorkerErrorSchema }),
]);
export type Pkcs11Response = z.infer<typeof Pkcs11ResponseSchema>;

/**
 * Structured cloning copies a typed array's whole ArrayBuffer, not just its view: a 6-byte
 * Buffer cut from Node's 8 KiB pool would carry the rest of the pool (other data, possibly
 * other secrets) across. Every byte field is copied into an exact-size array before posting.
 */
export function compactBytes<T>(value: T): T {
  if (value instanceof Uint8Array) {
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) return value;
    return new Uint8Array(value) as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => compactBytes(item)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = compactBytes(item);
    return out as T;
  }
  return value;
}
