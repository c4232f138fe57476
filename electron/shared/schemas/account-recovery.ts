import { z } from 'zod';

/**
 * The holder's Emergency Recovery Code over the contract (issue 15 §1): the desk sees whether a
 * code exists and when it was issued or used, and issues a new one (its letter goes to the outbox;
 * the code never crosses the contract). The kiosk unblocks a blocked PIN with it in two calls:
 * the code (a one-time code is sent), then the one-time code, a TOTP code when the holder has a
 * second factor, and the new PIN.
 */

export const RecoveryIssueReasonSchema = z.enum(['issuance', 'request', 'used', 'lostInfo']);

export const RecoveryCodeStatusSchema = z.object({
  exists: z.boolean(),
  issuedAt: z.string().nullable(),
  reason: RecoveryIssueReasonSchema.nullable(),
  lastUsedAt: z.string().nullable(),
  /** The letter carrying the current code (a file name in the outbox). */
  letter: z.string().nullable(),
  letterState: z.enum(['waiting', 'sent', 'withdrawn']).nullable(),
  recentFailures: z.number().int(),
});
export type RecoveryCodeStatus = z.infer<typeof RecoveryCodeStatusSchema>;

export const RecoveryIssueResultSchema = z.object({ letter: z.string(), issuedAt: z.string() });

export const AccountRecoveryArgs = {
  holder: z.object({ holderId: z.string().min(1).max(64) }),
};

export const kioskRecoveryRefusals = [
  'malformed',
  'check',
  'wrong',
  'none',
  'tooManyAttempts',
  /** No email or mobile to send the one-time code to. */
  'noAddress',
  /** The vault does not keep this card's PUK (issued before), or the card is not usable. */
  'notAvailable',
  /** The card's PUK is blocked: it can only be reissued. */
  'pukBlocked',
  'codeWrong',
  'codeExpired',
  'codeUsed',
  'codeExhausted',
  'secondFactorWrong',
  /** No recovery under way in this window (or it was for another card or code). */
  'noRecovery',
  'newPinInvalid',
  'cardRemoved',
  'cardInUse',
  'serviceUnavailable',
] as const;
export const KioskRecoveryRefusalSchema = z.enum(kioskRecoveryRefusals);
export type KioskRecoveryRefusal = z.infer<typeof KioskRecoveryRefusalSchema>;

export const KioskRecoveryArgs = {
  begin: z.object({ code: z.string().min(1).max(80) }),
  complete: z.object({
    code: z.string().regex(/^[\d\s]{6,12}$/),
    secondFactor: z.string().regex(/^\d{6,8}$/).optional(),
    newPin: z.string().regex(/^\d{6,8}$/),
  }),
};

export const KioskRecoveryBeginResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** Where the one-time code went, masked. */
    sentTo: z.string(),
    channel: z.enum(['email', 'sms']),
    expiresAt: z.string(),
    /** The holder has a second factor: its code is asked for too. */
    secondFactor: z.boolean(),
  }),
  z.object({ ok: z.literal(false), reason: KioskRecoveryRefusalSchema }),
]);
export type KioskRecoveryBeginResult = z.infer<typeof KioskRecoveryBeginResultSchema>;

export const KioskRecoveryCompleteResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), reason: KioskRecoveryRefusalSchema }),
]);
export type KioskRecoveryCompleteResult = z.infer<typeof KioskRecoveryCompleteResultSchema>;
