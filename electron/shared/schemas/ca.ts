import { z } from 'zod';
import { caAlgorithms } from '../enums';

export const CaAlgorithmSchema = z.enum(caAlgorithms);
export type CaAlgorithm = z.infer<typeof CaAlgorithmSchema>;

const distinguishedName = z.string().min(3).max(1024);
const publicBaseUrl = z.string().trim().min(1).max(512);

export const CaSetPublicBaseUrlArgsSchema = z.object({ publicBaseUrl }).strict();

export const CaInitArgsSchema = z.object({
  algorithm: CaAlgorithmSchema.default('p384'),
  rootSubject: distinguishedName,
  issuingSubject: distinguishedName,
  rootValidityYears: z.number().int().min(1).max(40).default(20),
  issuingValidityYears: z.number().int().min(1).max(30).default(10),
  /**
   * The published base URL: issued certificates point relying parties below it for the CRL (CDP),
   * OCSP and the issuer's certificate (AIA). Never a loopback address (the service refuses one).
   */
  publicBaseUrl: publicBaseUrl.nullable().default(null),
  /** Generate the root and issuing keys non-extractable on this PKCS#11 token instead of in the vault. */
  pkcs11: z
    .object({ module: z.string().min(1).max(512), tokenLabel: z.string().min(1).max(32), pin: z.string().min(1).max(128) })
    .nullable()
    .default(null),
});
export type CaInitArgs = z.input<typeof CaInitArgsSchema>;
export type CaInitOptions = z.output<typeof CaInitArgsSchema>;

export const CaImportArgsSchema = z.object({
  /** The PKCS#12 file, base64. */
  pkcs12: z.string().min(1).max(1024 * 1024),
  /** The PKCS#12 file's own password (not the vault passphrase). */
  password: z.string().max(1024),
  publicBaseUrl: publicBaseUrl.nullable().default(null),
});

export const CaCertificateInfoSchema = z.object({
  role: z.enum(['root', 'issuing', 'ocsp']),
  subject: z.string(),
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  keyAlgorithm: z.string(),
});
export type CaCertificateInfo = z.infer<typeof CaCertificateInfoSchema>;

export const CrlInfoSchema = z.object({ number: z.number().int(), thisUpdate: z.string(), nextUpdate: z.string(), entries: z.number().int() });
export type CrlInfo = z.infer<typeof CrlInfoSchema>;

export const CaStatusSchema = z.discriminatedUnion('ready', [
  z.object({
    ready: z.literal(false),
    /** Proposed from this machine's host name for the CA creation form; null when it is a loopback name. */
    proposedBaseUrl: z.string().nullable(),
  }),
  z.object({
    ready: z.literal(true),
    source: z.enum(['created', 'imported']),
    keyStorage: z.enum(['software', 'pkcs11']),
    certificates: z.array(CaCertificateInfoSchema),
    lastCrl: CrlInfoSchema.nullable(),
    lastDeltaCrl: CrlInfoSchema.nullable(),
    publishDir: z.string(),
    publicBaseUrl: z.string().nullable(),
    ocspUrl: z.string().nullable(),
    crlUrl: z.string().nullable(),
    caIssuersUrl: z.string().nullable(),
    ocsp: z.object({ running: z.boolean(), port: z.number().int().nullable() }),
  }),
]);
export type CaStatus = z.infer<typeof CaStatusSchema>;

export const CrlPublishResultSchema = z.object({ full: CrlInfoSchema, delta: CrlInfoSchema, files: z.array(z.string()) });
export type CrlPublishResult = z.infer<typeof CrlPublishResultSchema>;
