import { z } from 'zod';
import { BytesSchema, failureSchema, KeyIdHexSchema, tokenFailureReasons } from './common';

/** How callers name a key: by CKA_ID (hex) or by CKA_LABEL. */
export const KeySelectorSchema = z.union([z.object({ id: KeyIdHexSchema }).strict(), z.object({ label: z.string().min(1).max(256) }).strict()]);
export type KeySelector = z.infer<typeof KeySelectorSchema>;

export const KeyClassSchema = z.enum(['private', 'public']);
export type KeyClass = z.infer<typeof KeyClassSchema>;

export const KeyTypeSchema = z.enum(['RSA', 'EC', 'other']);

/** The named curves CardDesk generates keys on; others are reported by OID. */
export const CurveSchema = z.enum(['P-256', 'P-384', 'P-521']);
export type Curve = z.infer<typeof CurveSchema>;

/** The parts of an X.509 certificate people read, decoded with Node's X509Certificate. */
export const CertificateDetailsSchema = z.object({
  /** RFC 4514 order (most specific first): `CN=Jane Doe, O=Example, C=XK`. */
  subject: z.string(),
  issuer: z.string(),
  /** Upper-case hex, as certificate viewers show it. */
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
});
export type CertificateDetails = z.infer<typeof CertificateDetailsSchema>;

export const CertificateInfoSchema = z.object({
  label: z.string(),
  id: z.string(),
  derBase64: z.string(),
  /** null when the token holds bytes that are not a readable X.509 certificate. */
  details: CertificateDetailsSchema.nullable(),
});
export type CertificateInfo = z.infer<typeof CertificateInfoSchema>;

const KeyShapeSchema = z.object({
  label: z.string(),
  id: z.string(),
  keyType: KeyTypeSchema,
  /** RSA: the modulus length in bits. */
  modulusBits: z.number().int().positive().nullable(),
  /** EC: P-256, P-384, P-521, or the curve's OID in dotted form. */
  curve: z.string().nullable(),
  /** Stored on the token (CKA_TOKEN) rather than in the session. */
  token: z.boolean(),
});

/** A private key's shape and what it may do. Attributes a token does not report are false. */
export const PrivateKeyInfoSchema = KeyShapeSchema.extend({
  sign: z.boolean(),
  decrypt: z.boolean(),
  derive: z.boolean(),
  unwrap: z.boolean(),
  sensitive: z.boolean(),
  extractable: z.boolean(),
  alwaysSensitive: z.boolean(),
  neverExtractable: z.boolean(),
  /** Each use needs the PIN again (CKA_ALWAYS_AUTHENTICATE, e.g. a PIV 9C signature key). */
  alwaysAuthenticate: z.boolean(),
});
export type PrivateKeyInfo = z.infer<typeof PrivateKeyInfoSchema>;

export const PublicKeyInfoSchema = KeyShapeSchema.extend({
  verify: z.boolean(),
  encrypt: z.boolean(),
  wrap: z.boolean(),
  derive: z.boolean(),
  /** SubjectPublicKeyInfo (DER, base64) when the token gives the key's parts. */
  spkiBase64: z.string().nullable(),
});
export type PublicKeyInfo = z.infer<typeof PublicKeyInfoSchema>;

export const ListObjectsResultSchema = z.union([
  z.object({
    ok: z.literal(true),
    /** Private keys are only visible after login (CKA_PRIVATE objects, v2.40 §4.4). */
    loggedIn: z.boolean(),
    certificates: z.array(CertificateInfoSchema),
    privateKeys: z.array(PrivateKeyInfoSchema),
    publicKeys: z.array(PublicKeyInfoSchema),
  }),
  failureSchema(tokenFailureReasons),
]);
export type ListObjectsResult = z.infer<typeof ListObjectsResultSchema>;

export const keyLookupFailureReasons = ['keyNotFound', 'keyAmbiguous', ...tokenFailureReasons] as const;

export const FindKeyResultSchema = z.union([
  z.object({ ok: z.literal(true), key: z.discriminatedUnion('keyClass', [PrivateKeyInfoSchema.extend({ keyClass: z.literal('private') }), PublicKeyInfoSchema.extend({ keyClass: z.literal('public') })]) }),
  failureSchema(keyLookupFailureReasons),
]);
export type FindKeyResult = z.infer<typeof FindKeyResultSchema>;

export const PublicKeyResultSchema = z.union([z.object({ ok: z.literal(true), spki: BytesSchema }), failureSchema(keyLookupFailureReasons)]);
export type PublicKeyResult = z.infer<typeof PublicKeyResultSchema>;

export const CertificateWriteSchema = z.object({
  label: z.string().min(1).max(256),
  id: KeyIdHexSchema,
  der: BytesSchema,
});
export type CertificateWrite = z.input<typeof CertificateWriteSchema>;

export const objectWriteFailureReasons = ['notLoggedIn', 'tokenWriteProtected', 'idInUse', ...tokenFailureReasons] as const;

export const WriteCertificateResultSchema = z.union([z.object({ ok: z.literal(true) }), failureSchema(objectWriteFailureReasons)]);
export type WriteCertificateResult = z.infer<typeof WriteCertificateResultSchema>;
