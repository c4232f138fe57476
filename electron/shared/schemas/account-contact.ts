/**
 * The holder account's contact data, lost-info recovery and identity document (issue 15, points
 * 2, 3 and 5): what the desk's `account:*` and the kiosk's `kiosk:*` channels carry. A kiosk
 * channel never names a holder: the kiosk session's holder is the one it acts for.
 */
import { z } from 'zod';

export const contactFields = ['email', 'mobile'] as const;
export const ContactFieldSchema = z.enum(contactFields);
export type ContactField = z.infer<typeof ContactFieldSchema>;

/** A holder's contact data as the account panels show it. */
export const ContactViewSchema = z.object({
  email: z.string(),
  mobile: z.string(),
  emailVerified: z.boolean(),
  mobileVerified: z.boolean(),
  /** ISO time until which a change of email or mobile is refused (6 days after the last), or null. */
  cooldownUntil: z.string().nullable(),
  /** The holder has a second factor: a contact change at the kiosk also asks for its code. */
  secondFactor: z.boolean(),
});
export type ContactView = z.infer<typeof ContactViewSchema>;

export const contactRefusals = ['cooldown', 'invalid', 'unchanged', 'noAddress', 'alreadyVerified', 'noPendingChange', 'wrongCode', 'expired', 'exhausted', 'secondFactor'] as const;
export const ContactRefusalSchema = z.enum(contactRefusals);
export type ContactRefusal = z.infer<typeof ContactRefusalSchema>;

const refused = z.object({
  ok: z.literal(false),
  reason: ContactRefusalSchema,
  /** For `cooldown`: until when (ISO). */
  until: z.string().nullable(),
  /** For a wrong code: which one (old or new address, or the one being verified). */
  code: z.enum(['old', 'new', 'verify']).nullable(),
});

/** Codes were sent: to the old address (when there is one, masked) and to the new one. */
export const ContactBeginResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), oldSentTo: z.string().nullable(), newSentTo: z.string(), expiresAt: z.string(), secondFactor: z.boolean() }),
  refused,
]);
export type ContactBeginResult = z.infer<typeof ContactBeginResultSchema>;

export const ContactDoneResultSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), contact: ContactViewSchema }), refused]);
export type ContactDoneResult = z.infer<typeof ContactDoneResultSchema>;

const Code = z.string().trim().max(16);

export const ContactArgs = {
  view: z.object({ id: z.string().min(1).max(64) }),
  operatorChange: z.object({ id: z.string().min(1).max(64), field: ContactFieldSchema, value: z.string().max(320), reason: z.string().trim().min(3).max(500) }).strict(),
  changeBegin: z.object({ field: ContactFieldSchema, value: z.string().max(320) }).strict(),
  changeConfirm: z.object({ field: ContactFieldSchema, oldCode: Code.default(''), newCode: Code, secondFactorCode: Code.default('') }).strict(),
  verifyBegin: z.object({ field: ContactFieldSchema }).strict(),
  verifyConfirm: z.object({ field: ContactFieldSchema, code: Code }).strict(),
};

// ---- lost info ---------------------------------------------------------------------------------

export const lostInfoChoices = ['userNumber', 'recoveryCode'] as const;
export const LostInfoChoiceSchema = z.enum(lostInfoChoices);
export type LostInfoChoice = z.infer<typeof LostInfoChoiceSchema>;

/** The same answer whether or not the personal number and email match a holder. */
export const LostInfoBeginResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), flow: z.string() }),
  z.object({ ok: z.literal(false), reason: z.literal('tooManyAttempts') }),
]);
export type LostInfoBeginResult = z.infer<typeof LostInfoBeginResultSchema>;

export const LostInfoCompleteResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), choice: LostInfoChoiceSchema }),
  z.object({ ok: z.literal(false), reason: z.enum(['wrongCode', 'tooManyAttempts']) }),
]);
export type LostInfoCompleteResult = z.infer<typeof LostInfoCompleteResultSchema>;

export const LostInfoArgs = {
  begin: z.object({ personalNumber: z.string().max(64), email: z.string().max(320) }).strict(),
  complete: z.object({ flow: z.string().min(1).max(64), code: Code, choice: LostInfoChoiceSchema }).strict(),
};

// ---- identity document -------------------------------------------------------------------------

export const scanTypes = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export const ScanTypeSchema = z.enum(scanTypes);
export type ScanType = z.infer<typeof ScanTypeSchema>;

/** The largest scan accepted (bytes). */
export const MAX_SCAN_BYTES = 5 * 1024 * 1024;

export const DocumentSubmissionSchema = z.object({
  id: z.string(),
  documentNumber: z.string(),
  documentExpiry: z.string(),
  scanType: ScanTypeSchema,
  scanBytes: z.number().int(),
  state: z.enum(['pending', 'approved', 'rejected', 'superseded']),
  submittedAt: z.string(),
  /** Where it was submitted: the holder at the kiosk, or an operator at the desk or the CLI. */
  submittedBy: z.enum(['holder', 'operator']),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
});
export type DocumentSubmission = z.infer<typeof DocumentSubmissionSchema>;

export const DocumentViewSchema = z.object({
  documentNumber: z.string(),
  /** YYYY-MM-DD, or null when none is recorded. */
  documentExpiry: z.string().nullable(),
  /** Expired, or expiring within 60 days. */
  expiresSoon: z.boolean(),
  /** The submission waiting for an operator, or null. */
  pending: DocumentSubmissionSchema.nullable(),
  /** The last decided submission (approved or rejected, with its reason), or null. */
  last: DocumentSubmissionSchema.nullable(),
});
export type DocumentView = z.infer<typeof DocumentViewSchema>;

export const documentRefusals = ['invalidNumber', 'invalidExpiry', 'scanTooLarge', 'scanType', 'filesNotAllowed'] as const;
export const DocumentSubmitResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), document: DocumentViewSchema }),
  z.object({ ok: z.literal(false), reason: z.enum(documentRefusals) }),
]);
export type DocumentSubmitResult = z.infer<typeof DocumentSubmitResultSchema>;

/** base64 of at most MAX_SCAN_BYTES (a third more characters), checked again by its bytes. */
const ScanBase64 = z.string().max(Math.ceil(MAX_SCAN_BYTES / 3) * 4 + 16);

export const DocumentArgs = {
  view: z.object({ id: z.string().min(1).max(64) }),
  submit: z.object({ id: z.string().min(1).max(64), documentNumber: z.string().max(64), documentExpiry: z.string().max(32), scan: ScanBase64 }).strict(),
  kioskSubmit: z.object({ documentNumber: z.string().max(64), documentExpiry: z.string().max(32), scan: ScanBase64 }).strict(),
  submission: z.object({ submission: z.string().min(1).max(64) }).strict(),
  reject: z.object({ submission: z.string().min(1).max(64), reason: z.string().trim().min(3).max(500) }).strict(),
};
