import { z } from 'zod';
import { asymmetricAlgorithms } from '../enums';

/** PIN and PUK as the contract accepts them: 6 to 8 digits (FIPS 201 §4.1.6.1). */
export const PinSchema = z.string().regex(/^\d{6,8}$/, 'a PIN is 6 to 8 digits');
export const PukSchema = z.string().regex(/^\d{6,8}$/, 'a PUK is 6 to 8 digits');

export const SymmetricAlgorithmSchema = z.enum(['tdes', 'aes128', 'aes192', 'aes256']);
export const AsymmetricAlgorithmSchema = z.enum(asymmetricAlgorithms);

export const ManagementKeyInputSchema = z.discriminatedUnion('kind', [
  /** The well-known factory key of new cards. */
  z.object({ kind: z.literal('factory') }),
  z.object({ kind: z.literal('custom'), algorithm: SymmetricAlgorithmSchema, hex: z.string().regex(/^([0-9a-fA-F]{2}){16,32}$/) }),
]);

export const CardCertificateSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  keyType: z.string(),
  fingerprintSha256: z.string(),
});
export type CardCertificateSummary = z.infer<typeof CardCertificateSummarySchema>;

export const PivSlotSummarySchema = z.object({
  slot: z.string(),
  name: z.enum(['authentication', 'signature', 'keyManagement', 'cardAuthentication', 'retired']),
  key: z
    .object({
      algorithm: AsymmetricAlgorithmSchema.nullable(),
      origin: z.enum(['generated', 'imported']),
      pinPolicy: z.enum(['never', 'once', 'always', 'default']),
    })
    .nullable(),
  certificate: CardCertificateSummarySchema.nullable(),
});
export type PivSlotSummary = z.infer<typeof PivSlotSummarySchema>;

const ReferenceStatusSchema = z.object({
  /** Null when the card cannot tell without spending a try. */
  triesLeft: z.number().int().nullable(),
  maxTries: z.number().int().nullable(),
  /** Still the factory value; null when the card cannot tell. */
  isDefault: z.boolean().nullable(),
});

export const PivCardDetailsSchema = z.object({
  kind: z.literal('piv'),
  reader: z.string(),
  atr: z.string(),
  label: z.string().nullable(),
  serial: z.string().nullable(),
  version: z.string().nullable(),
  chuid: z.object({ guid: z.string().nullable(), expires: z.string().nullable() }).nullable(),
  pin: ReferenceStatusSchema,
  puk: ReferenceStatusSchema,
  managementKey: z.object({ algorithm: SymmetricAlgorithmSchema.nullable(), isDefault: z.boolean().nullable() }),
  slots: z.array(PivSlotSummarySchema),
});
export type PivCardDetails = z.infer<typeof PivCardDetailsSchema>;

export const CardDetailsSchema = z.discriminatedUnion('kind', [
  PivCardDetailsSchema,
  z.object({ kind: z.literal('other'), reader: z.string(), atr: z.string() }),
]);
export type CardDetails = z.infer<typeof CardDetailsSchema>;

/** Why a card action did not happen; every one is an expected outcome the screen explains. */
export const CardFailureReasonSchema = z.enum([
  'wrongPin',
  'wrongPuk',
  'pinBlocked',
  'pukBlocked',
  'wrongManagementKey',
  'cardRemoved',
  'noCard',
  'cardInUse',
  'notPiv',
  /** The card waits for an offline unblock response started in another window. */
  'awaitingUnblock',
]);
export type CardFailureReason = z.infer<typeof CardFailureReasonSchema>;

export const CardActionResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: CardFailureReasonSchema, triesLeft: z.number().int().nullable() }),
]);
export type CardActionResult = z.infer<typeof CardActionResultSchema>;

export const CardInspectResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), card: CardDetailsSchema }),
  z.object({ ok: z.literal(false), reason: z.enum(['cardRemoved', 'noCard', 'cardInUse', 'awaitingUnblock']) }),
]);
export type CardInspectResult = z.infer<typeof CardInspectResultSchema>;

const reader = z.string().min(1).max(200);

/** The holder's side of the offline unblock: the card's challenge, shown as a code, and how long it waits. */
export const OfflineChallengeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), attempt: z.uuid(), serial: z.string(), challengeCode: z.string(), expiresAt: z.string() }),
  z.object({
    ok: z.literal(false),
    /** `notIssued`: not a card this desk issued and still in use; `notBlocked`: neither PIN nor PUK is blocked. */
    reason: z.enum(['cardRemoved', 'noCard', 'cardInUse', 'awaitingUnblock', 'notPiv', 'noSerial', 'notIssued', 'notBlocked']),
  }),
]);
export type OfflineChallengeResult = z.infer<typeof OfflineChallengeResultSchema>;

/**
 * How an offline unblock ended. responseMistyped: the code has a typo (or answers another
 * challenge), the card was not touched, type it again. responseWrong: the card refused the
 * response, its challenge is used up, start again. noChallenge: no challenge waits under that id
 * (it expired, was answered or cancelled). cardRemoved: the card left the reader.
 */
export const OfflineUnblockResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: z.enum(['responseMistyped', 'responseWrong', 'noChallenge', 'cardRemoved']) }),
]);
export type OfflineUnblockResult = z.infer<typeof OfflineUnblockResultSchema>;

/** A challenge or response code as people type it: Crockford base32 with optional dashes or spaces. */
const UnblockCode = z.string().trim().min(4).max(80).regex(/^[0-9A-Za-z\s-]+$/, 'a code is letters and digits in groups');

export const CardArgs = {
  inspect: z.object({ reader }).strict(),
  verifyPin: z.object({ reader, pin: PinSchema }).strict(),
  changePin: z.object({ reader, currentPin: PinSchema, newPin: PinSchema }).strict(),
  changePuk: z.object({ reader, currentPuk: PukSchema, newPuk: PukSchema }).strict(),
  unblockPin: z.object({ reader, puk: PukSchema, newPin: PinSchema }).strict(),
  offlineUnblockBegin: z.object({ reader }).strict(),
  offlineUnblockComplete: z.object({ attempt: z.uuid(), response: UnblockCode, newPin: PinSchema }).strict(),
  offlineUnblockCancel: z.object({ attempt: z.uuid() }).strict(),
  setRetryCounters: z
    .object({
      reader,
      pinTries: z.number().int().min(1).max(15),
      pukTries: z.number().int().min(1).max(15),
      pin: PinSchema,
      puk: PukSchema,
      managementKey: ManagementKeyInputSchema,
    })
    .strict(),
};
