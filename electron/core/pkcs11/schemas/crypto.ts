import { z } from 'zod';
import { BytesSchema, failureSchema, KeyIdHexSchema, tokenFailureReasons } from './common';
import { CurveSchema, PrivateKeyInfoSchema } from './objects';

export const HashSchema = z.enum(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);
export type Hash = z.infer<typeof HashSchema>;

const EcdsaFormatSchema = z.enum(['raw', 'der']).default('raw');

/**
 * Signature mechanisms, named after their CKM_ constants. Where the name has no hash the data
 * is the digest (CardDesk builds RSA_PKCS's DigestInfo itself); where it has one the data is
 * the message and the token hashes. ECDSA gives r||s (PKCS#11 v2.40 Current Mechanisms
 * §2.3.1); `signatureFormat: 'der'` turns that into the X.509/CMS Ecdsa-Sig-Value.
 * ECDSA_SHA256/384 fall back to hashing here plus CKM_ECDSA when the token lacks them
 * (SoftHSM2 2.6 does).
 */
export const SignMechanismSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('RSA_PKCS'), hash: HashSchema }),
  z.object({ name: z.enum(['SHA256_RSA_PKCS', 'SHA384_RSA_PKCS', 'SHA512_RSA_PKCS']) }),
  z.object({ name: z.literal('RSA_PKCS_PSS'), hash: HashSchema, saltLength: z.number().int().nonnegative().max(512).optional() }),
  z.object({ name: z.literal('ECDSA'), signatureFormat: EcdsaFormatSchema }),
  z.object({ name: z.enum(['ECDSA_SHA256', 'ECDSA_SHA384']), signatureFormat: EcdsaFormatSchema }),
]);
export type SignMechanism = z.input<typeof SignMechanismSchema>;
export type ParsedSignMechanism = z.output<typeof SignMechanismSchema>;

export const DecryptMechanismSchema = z.object({ name: z.literal('RSA_PKCS') });
export type DecryptMechanism = z.infer<typeof DecryptMechanismSchema>;

export const keyUseFailureReasons = [
  'keyNotFound',
  'keyAmbiguous',
  'notLoggedIn',
  'keyUsageNotPermitted',
  'keyTypeMismatch',
  'mechanismNotSupported',
  ...tokenFailureReasons,
] as const;

export const SignResultSchema = z.union([z.object({ ok: z.literal(true), signature: BytesSchema }), failureSchema(keyUseFailureReasons)]);
export type SignResult = z.infer<typeof SignResultSchema>;

export const DecryptResultSchema = z.union([
  z.object({ ok: z.literal(true), plaintext: BytesSchema }),
  failureSchema([...keyUseFailureReasons, 'encryptedDataInvalid']),
]);
export type DecryptResult = z.infer<typeof DecryptResultSchema>;

export const KeyPairSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rsa'), bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]) }),
  z.object({ type: z.literal('ec'), curve: CurveSchema }),
]);
export type KeyPairSpec = z.infer<typeof KeyPairSpecSchema>;

/**
 * Attributes of a generated pair. The defaults are the safe ones: on the token, sensitive and
 * never extractable (a CA key that cannot leave the token), signing only.
 */
export const KeyPairOptionsSchema = z.object({
  label: z.string().min(1).max(256),
  id: KeyIdHexSchema,
  extractable: z.boolean().default(false),
  sensitive: z.boolean().default(true),
  token: z.boolean().default(true),
  usage: z
    .array(z.enum(['sign', 'decrypt', 'derive']))
    .min(1)
    .default(['sign']),
});
export type KeyPairOptions = z.input<typeof KeyPairOptionsSchema>;

export const GenerateKeyPairResultSchema = z.union([
  z.object({ ok: z.literal(true), spki: BytesSchema, key: PrivateKeyInfoSchema }),
  failureSchema(['notLoggedIn', 'mechanismNotSupported', 'keySizeNotSupported', 'tokenWriteProtected', 'idInUse', ...tokenFailureReasons]),
]);
export type GenerateKeyPairResult = z.infer<typeof GenerateKeyPairResultSchema>;
