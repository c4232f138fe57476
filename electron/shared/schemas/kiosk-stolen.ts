import { z } from 'zod';

/**
 * "My card was stolen: suspend it" at the kiosk without the card (issue 14 §4): the holder's
 * personal number, then a second factor (the authenticator's code, or a one-time code sent to the
 * verified email or mobile), then every active card of theirs is suspended in the CA at once.
 * The first answer is the same whether or not the personal number is known.
 */
export const StolenCardArgs = {
  begin: z.object({ personalNumber: z.string().min(1).max(64) }).strict(),
  complete: z
    .object({
      flowId: z.string().min(1).max(64),
      code: z.string().regex(/^\d{6,8}$/),
      days: z.number().int().min(1).max(30),
    })
    .strict(),
  cancel: z.object({ flowId: z.string().min(1).max(64) }).strict(),
};

export const StolenCardBeginSchema = z.object({ flowId: z.string(), expiresAt: z.string() });
export type StolenCardBegin = z.infer<typeof StolenCardBeginSchema>;

export const stolenCardRefusals = ['wrongCode', 'expired', 'tooManyAttempts', 'nothingToSuspend', 'serviceUnavailable'] as const;

export const StolenCardResultSchema = z.discriminatedUnion('ok', [
  /** `until`: when the certificates return by themselves (ISO). */
  z.object({ ok: z.literal(true), suspendedCards: z.number().int().min(1), until: z.string() }),
  z.object({ ok: z.literal(false), reason: z.enum(stolenCardRefusals) }),
]);
export type StolenCardResult = z.infer<typeof StolenCardResultSchema>;
