import { z } from 'zod';
import { contractKinds, contractStatuses, signatureIntegrities, signatureVerdicts, chainStatuses, revocationStates, signatureLevels } from '../enums';

/**
 * Enrollment contracts and the signature report. A contract is generated for each issued, renewed
 * or replaced card; the holder signs it with the card's signature key (9C) to activate the card.
 * The signature report is what the viewer's signature panel and `carddesk contract verify` show:
 * every field is a fact the services established; the renderer only puts it into words.
 */

export const ContractKindSchema = z.enum(contractKinds);
export type ContractKind = z.infer<typeof ContractKindSchema>;
export const ContractStatusSchema = z.enum(contractStatuses);

export const ContractSummarySchema = z.object({
  id: z.string(),
  holderId: z.string(),
  holderName: z.string(),
  cardSerial: z.string(),
  language: z.enum(['en', 'sq', 'it', 'nl']),
  kind: ContractKindSchema,
  generatedAt: z.string(),
  signedAt: z.string().nullable(),
  status: ContractStatusSchema,
  /** SHA-256 (hex) of the stored bytes: the unsigned document, then the signed one. */
  sha256: z.string(),
  pages: z.number().int(),
});
export type ContractSummary = z.infer<typeof ContractSummarySchema>;

export const CertificateBriefSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  /** Hex, upper case, no separators. */
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});
export type CertificateBrief = z.infer<typeof CertificateBriefSchema>;

export const SignatureTimestampSchema = z.object({
  /** genTime of the RFC 3161 token. */
  time: z.string(),
  /** The time-stamp authority's certificate subject. */
  authority: z.string(),
  /** The token's signature verifies, its message imprint matches, and its signer is a time-stamping certificate. */
  valid: z.boolean(),
  /** The authority's certificate chains to a trusted root. */
  trusted: z.boolean(),
});

export const SignatureRevocationSchema = z.object({
  /** The signer's certificate status now, from the desk's CA, the embedded validation data or nothing. */
  now: z.enum(revocationStates),
  /** The status at the signing time (the time-stamp's time when there is one). */
  atSigningTime: z.enum(revocationStates),
  revokedAt: z.string().nullable(),
  reason: z.string().nullable(),
  source: z.enum(['desk', 'embeddedCrl', 'embeddedOcsp', 'none']),
});

export const PdfSignatureReportSchema = z.object({
  fieldName: z.string(),
  /** A document time-stamp (ETSI.RFC3161) rather than a person's signature. */
  documentTimestamp: z.boolean(),
  subFilter: z.string(),
  level: z.enum(signatureLevels).nullable(),
  signer: CertificateBriefSchema.nullable(),
  /** The signer's claimed time (the signing-time attribute or /M), not proof of time. */
  claimedSigningTime: z.string().nullable(),
  timestamp: SignatureTimestampSchema.nullable(),
  /** intact: the signed bytes hash to the signed digest and the signature verifies; modified: they do not; malformed: the signature cannot be read. */
  integrity: z.enum(signatureIntegrities),
  /** [offset, length, offset, length] as in the PDF. */
  byteRange: z.array(z.number().int()).length(4),
  /** Bytes after the signed range: none, only validation data (DSS) and document time-stamps, or other changes. */
  afterSigning: z.enum(['nothing', 'validationDataOnly', 'changed']),
  chain: z.object({ status: z.enum(chainStatuses), certificates: z.array(CertificateBriefSchema) }),
  revocation: SignatureRevocationSchema,
  verdict: z.enum(signatureVerdicts),
});
export type PdfSignatureReport = z.infer<typeof PdfSignatureReportSchema>;

export const PdfVerifyReportSchema = z.object({
  sha256: z.string(),
  byteLength: z.number().int(),
  /** In document order; empty when the file has no signature. */
  signatures: z.array(PdfSignatureReportSchema),
  /** The whole file is well formed as far as the verifier reads it. */
  readable: z.boolean(),
  problem: z.string().nullable(),
});
export type PdfVerifyReport = z.infer<typeof PdfVerifyReportSchema>;

export const ContractTemplateSchema = z.object({
  language: z.enum(['en', 'sq', 'it', 'nl']),
  /** builtIn: the template CardDesk ships; custom: an administrator's replacement. */
  source: z.enum(['builtIn', 'custom']),
  text: z.string(),
});
export type ContractTemplate = z.infer<typeof ContractTemplateSchema>;

/** A template the desk refused: each problem with its line. */
export const TemplateProblemSchema = z.object({ line: z.number().int(), message: z.string() });

export const ContractListSchema = z.object({ items: z.array(ContractSummarySchema), total: z.number().int() });

const contractId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a contract id');
const language = z.enum(['en', 'sq', 'it', 'nl']);

export const ContractArgs = {
  list: z
    .object({
      query: z.string().trim().max(200).default(''),
      holderId: z.string().min(1).max(64).optional(),
      status: ContractStatusSchema.optional(),
      language: language.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  id: z.object({ id: contractId }).strict(),
  /** A PDF the operator opened to check its signatures (base64; the browser-mode wire carries up to 1 MiB). */
  verifyFile: z.object({ fileName: z.string().max(255), base64: z.string().min(1).max(1024 * 1024) }).strict(),
  template: z.object({ language }).strict(),
  setTemplate: z.object({ language, text: z.string().min(1).max(200_000) }).strict(),
};

export const SetTemplateResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), template: ContractTemplateSchema }),
  z.object({ ok: z.literal(false), problems: z.array(TemplateProblemSchema) }),
]);
