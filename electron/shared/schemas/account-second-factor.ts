import { z } from 'zod';

/**
 * The holder's second factor (issue 15 §4, §5): an authenticator app enrolled by QR code (TOTP,
 * RFC 6238) or a hardware OATH token imported from a PSKC file and assigned by its serial. A
 * secret crosses the contract once: in the answer to `kiosk:totpBegin`, for the enrolment dialog.
 */

export const OtpAlgorithmSchema = z.enum(['SHA1', 'SHA256', 'SHA512']);

/** A code as typed: digits only (6 to 8, the credential decides). */
export const OtpCodeSchema = z.string().regex(/^\d{6,8}$/, 'a code of 6 to 8 digits');

export const SecondFactorStatusSchema = z.object({
  method: z.enum(['none', 'app', 'token']),
  state: z.enum(['none', 'pending', 'enrolled']),
  /** The assigned token's serial (method token). */
  tokenSerial: z.string().nullable(),
  enrolledAt: z.string().nullable(),
  /** Wrong codes in a row lock the factor until then (ISO time), or null. */
  lockedUntil: z.string().nullable(),
});
export type SecondFactorStatus = z.infer<typeof SecondFactorStatusSchema>;

/** Why a code was not taken; each is said in words on the screen. */
export const SecondFactorRefusalSchema = z.enum(['wrong', 'replayed', 'locked', 'notEnrolled', 'notPending']);
export type SecondFactorRefusal = z.infer<typeof SecondFactorRefusalSchema>;

export const SecondFactorResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: SecondFactorStatusSchema }),
  z.object({ ok: z.literal(false), reason: SecondFactorRefusalSchema, lockedUntil: z.string().nullable() }),
]);
export type SecondFactorResult = z.infer<typeof SecondFactorResultSchema>;

/** The enrolment dialog's one look at the secret: the otpauth URI, its QR code, the secret for typing. */
export const TotpEnrolmentSchema = z.object({
  uri: z.string(),
  /** An SVG data URL of the URI's QR code. */
  qr: z.string(),
  /** Base32, for an app that cannot scan. */
  secret: z.string(),
  issuer: z.string(),
  account: z.string(),
  digits: z.number().int(),
  period: z.number().int(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const OtpTokenSchema = z.object({
  serial: z.string(),
  manufacturer: z.string().nullable(),
  algorithm: OtpAlgorithmSchema,
  digits: z.number().int(),
  period: z.number().int(),
  holderId: z.string().nullable(),
  importedAt: z.string(),
});
export type OtpToken = z.infer<typeof OtpTokenSchema>;

export const pskcKeyOutcomes = [
  'imported',
  /** The key is good, but the import was refused for others (all or nothing). */
  'accepted',
  /** Imported before (the same serial is in the vault). */
  'duplicate',
  'noSerial',
  'hotpNotSupported',
  'unsupportedAlgorithm',
  'unsupportedEncoding',
  'badDigits',
  'badTimeStep',
  'noSecret',
  'keyRequired',
  'macMismatch',
  'decryptFailed',
  'unsupportedEncryption',
  'badSecret',
  'duplicateInFile',
] as const;
export const PskcKeyOutcomeSchema = z.enum(pskcKeyOutcomes);

export const pskcFileProblems = ['notXml', 'doctypeRefused', 'notPskc', 'tooLarge', 'noKeys', 'keyRequired', 'wrongKey', 'unsupportedEncryption', 'unsupportedMac', 'badKey'] as const;

export const OtpImportReportSchema = z.object({
  /** All keys imported; otherwise none was (all or nothing). */
  ok: z.boolean(),
  /** A problem with the whole file (then `keys` is empty), or null. */
  fileProblem: z.enum(pskcFileProblems).nullable(),
  imported: z.number().int(),
  keys: z.array(z.object({ serial: z.string(), outcome: PskcKeyOutcomeSchema })),
});
export type OtpImportReport = z.infer<typeof OtpImportReportSchema>;

const HolderId = z.string().min(1).max(64);

export const SecondFactorArgs = {
  status: z.object({ holderId: HolderId }),
  remove: z.object({ holderId: HolderId, reason: z.string().trim().min(3).max(500) }),
  /** The file's text and the vendor's pre-shared key in hex (null for a plain file). */
  importTokens: z.object({ pskc: z.string().min(1).max(8 * 1024 * 1024), key: z.string().regex(/^(?:[0-9a-fA-F]{2}){16,32}$/, 'a key in hex').nullable() }),
  assignToken: z.object({ serial: z.string().min(1).max(64), holderId: HolderId.nullable() }),
  kioskConfirm: z.object({ code: OtpCodeSchema }),
  kioskRemove: z.object({ code: OtpCodeSchema }),
};
