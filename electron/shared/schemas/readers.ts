import { z } from 'zod';

/**
 * The state of the system smart-card service as the reader service sees it.
 * `unavailable` means pcscd (or WinSCard) cannot be reached; the service keeps retrying.
 */
export const PcscServiceStatusSchema = z.object({
  status: z.enum(['starting', 'running', 'unavailable']),
  /** Why the service is unavailable, in plain English (for logs and the CLI). */
  detail: z.string().nullable(),
  /** When the next reconnect attempt is due (ms since epoch), while unavailable. */
  retryAt: z.number().nullable(),
});
export type PcscServiceStatus = z.infer<typeof PcscServiceStatusSchema>;

/** Whether a card is in a reader (and answers). */
export const CardPresenceSchema = z.enum(['absent', 'present', 'mute']);

export const ReaderSchema = z.object({
  name: z.string(),
  /** A reader of the system's PC/SC service, or CardDesk's embedded virtual reader. */
  kind: z.enum(['pcsc', 'virtual']),
  cardState: CardPresenceSchema,
  /** Answer-to-reset of the card in the reader, upper-case hex without spaces. */
  atr: z.string().regex(/^([0-9A-F]{2})*$/).nullable(),
  /** Another program holds the card exclusively. */
  inUse: z.boolean(),
});
export type Reader = z.infer<typeof ReaderSchema>;

export const ReaderListSchema = z.object({
  service: PcscServiceStatusSchema,
  readers: z.array(ReaderSchema),
});
export type ReaderList = z.infer<typeof ReaderListSchema>;

export const ReaderRemovedSchema = z.object({ name: z.string() });
