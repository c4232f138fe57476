import { z } from 'zod';
import { afterHoldChoices, certificateProfiles, certificateStatuses, revocationReasons } from '../enums';

export const CertificateProfileSchema = z.enum(certificateProfiles);
export type CertificateProfile = z.infer<typeof CertificateProfileSchema>;

/** `expired` is derived from notAfter; the others are stored. */
export const CertificateStatusSchema = z.enum(certificateStatuses);
export type CertificateStatus = z.infer<typeof CertificateStatusSchema>;

/** RFC 5280 §5.3.1 reasons an operator may choose (certificateHold is `suspend`, removeFromCRL is `resume`). */
export const RevocationReasonSchema = z.enum(revocationReasons);
export type RevocationReason = z.infer<typeof RevocationReasonSchema>;

export const AfterHoldSchema = z.enum(afterHoldChoices);

export const SubjectAltNameSchema = z.object({
  type: z.enum(['email', 'upn', 'dns', 'uri', 'ip']),
  value: z.string().min(1).max(512),
});
export type SubjectAltName = z.infer<typeof SubjectAltNameSchema>;

export const CertificateSummarySchema = z.object({
  serial: z.string().regex(/^[0-9A-F]+$/),
  subject: z.string(),
  profile: CertificateProfileSchema,
  status: CertificateStatusSchema,
  notBefore: z.string(),
  notAfter: z.string(),
  holderId: z.string().nullable(),
  holderName: z.string().nullable(),
  cardSerial: z.string().nullable(),
  revokedAt: z.string().nullable(),
  reason: z.union([RevocationReasonSchema, z.literal('certificateHold')]).nullable(),
  holdUntil: z.string().nullable(),
  afterHold: AfterHoldSchema.nullable(),
});
export type CertificateSummary = z.infer<typeof CertificateSummarySchema>;

export const CertificateListArgsSchema = z.object({
  query: z.string().max(200).default(''),
  status: CertificateStatusSchema.optional(),
  profile: CertificateProfileSchema.optional(),
  holderId: z.string().max(64).optional(),
  /** Only certificates that expire within this many days (and are not yet expired). */
  expiringWithinDays: z.number().int().min(1).max(3650).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(25),
});
export type CertificateListArgs = z.input<typeof CertificateListArgsSchema>;
export type CertificateListQuery = z.output<typeof CertificateListArgsSchema>;

export const CertificateListSchema = z.object({ total: z.number().int(), items: z.array(CertificateSummarySchema) });

export const ChainEntrySchema = z.object({ subject: z.string(), serial: z.string(), notAfter: z.string() });

export const CertificateDetailSchema = CertificateSummarySchema.extend({
  issuer: z.string(),
  subjectAltNames: z.array(SubjectAltNameSchema),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
  basicConstraints: z.string().nullable(),
  publicKey: z.string(),
  signatureAlgorithm: z.string(),
  sha256Fingerprint: z.string(),
  /** Issuing CA first, root last. */
  chain: z.array(ChainEntrySchema),
  renewedFrom: z.string().nullable(),
  renewedBy: z.string().nullable(),
  pem: z.string(),
});
export type CertificateDetail = z.infer<typeof CertificateDetailSchema>;

const pemText = z.string().min(1).max(64 * 1024);

export const CertificateIssueArgsSchema = z.object({
  profile: CertificateProfileSchema,
  /** A PKCS#10 request (PEM) or a SubjectPublicKeyInfo (PEM public key). */
  request: pemText,
  holderId: z.string().max(64).nullable().default(null),
  cardSerial: z.string().max(64).nullable().default(null),
  /** RFC 4514 style, most specific first: "CN=Ada Lovelace, O=Example, C=XK"; empty takes it from the holder or the CSR. */
  subject: z.string().max(1024).default(''),
  /** Empty takes them from the holder (email, UPN) as the profile asks. */
  subjectAltNames: z.array(SubjectAltNameSchema).max(20).optional(),
  validityDays: z.number().int().min(1).max(3650).optional(),
});
export type CertificateIssueArgs = z.input<typeof CertificateIssueArgsSchema>;

/** Refusals the screen can show; everything else is an error. */
export const CertificateActionResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), certificate: CertificateSummarySchema }),
  z.object({ ok: z.literal(false), reason: z.enum(['alreadyRevoked', 'notSuspended', 'alreadySuspended', 'expired']) }),
]);
export type CertificateActionResult = z.infer<typeof CertificateActionResultSchema>;

export const CertificateFormatSchema = z.enum(['pem', 'der', 'p7b']);
export type CertificateFormat = z.infer<typeof CertificateFormatSchema>;

export const DownloadSchema = z.object({ fileName: z.string(), mediaType: z.string(), base64: z.string() });
export type Download = z.infer<typeof DownloadSchema>;
