import { z } from 'zod';

/**
 * Bytes crossing the worker boundary. Structured cloning turns a Buffer into a plain
 * Uint8Array; parsing turns it back into a Buffer over the same memory (no copy), so zeroing
 * the parsed value zeroes what arrived.
 */
export const BytesSchema = z
  .custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes (a Uint8Array)')
  .transform((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** CKA_ID as lower-case hex (PKCS#11 gives it as bytes; PIV cards and tools show it as hex). */
export const KeyIdHexSchema = z
  .string()
  .regex(/^([0-9a-f]{2})+$/, 'an object id is hex, two digits per byte')
  .max(256);

export const SlotIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Where a token sits: which configured module, which of its slots. */
export const SlotRefSchema = z.object({ moduleId: z.string().min(1), slotId: SlotIdSchema });
export type SlotRef = z.infer<typeof SlotRefSchema>;

/**
 * Outcomes any token operation can meet that a person can act on (PKCS#11 v2.40 §5.1 lists
 * them per function): the token is not (or no longer) there, not readable, its reader is gone,
 * the session was closed under us (the token was pulled and put back), or the person
 * cancelled on a PIN pad.
 */
export const tokenFailureReasons = ['tokenNotPresent', 'tokenRemoved', 'tokenNotRecognized', 'slotNotFound', 'sessionClosed', 'cancelled'] as const;
export type TokenFailureReason = (typeof tokenFailureReasons)[number];

/** `{ ok: false, reason }` for a closed list of reasons. */
export function failureSchema<const R extends readonly [string, ...string[]]>(reasons: R) {
  return z.object({ ok: z.literal(false), reason: z.enum(reasons) });
}

export interface Failure<R extends string> {
  readonly ok: false;
  readonly reason: R;
}
