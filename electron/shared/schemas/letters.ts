import { z } from 'zod';

/**
 * PIN letters after they are made: what the desk knows of each (never its content), how one is
 * sent (straight to a printer, or into a mailing house's drop folder), and the desk's letter
 * settings. A PIN letter never crosses the contract; a user-number letter may be previewed.
 */

/** A letter file in the outbox: a name, never a path. */
export const LetterFileNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.pdf$/, 'a letter file name');

export const LetterStateSchema = z.enum(['waiting', 'sent', 'withdrawn']);
export const LetterRouteSchema = z.enum(['printer', 'folder']);
export type LetterRoute = z.infer<typeof LetterRouteSchema>;

export const LetterSummarySchema = z.object({
  fileName: z.string(),
  kind: z.enum(['userNumber', 'pin', 'recoveryCode']),
  recipient: z.enum(['holder', 'contactPerson']),
  holderId: z.string(),
  cardSerial: z.string(),
  createdAt: z.string(),
  /** Waiting in the outbox; sent (printed, in the drop folder, or marked by hand); withdrawn (a later PIN replaced it). */
  state: LetterStateSchema,
  sentAt: z.string().nullable(),
  sentVia: z.enum(['printer', 'folder', 'manual']).nullable(),
});
export type LetterSummary = z.infer<typeof LetterSummarySchema>;

/** Why a letter was not sent; each is said in words on the screen. */
export const LetterRefusalSchema = z.enum([
  /** No print system (CUPS) on this machine, as on Windows. */
  'printerUnavailable',
  /** The printer refused the letter, or did not take it in time. */
  'printFailed',
  /** No drop folder is chosen in Settings. */
  'noFolder',
  /** The drop folder cannot be written (gone, not a folder, no permission). */
  'folderUnavailable',
  /** A file of that name is in the drop folder already. */
  'alreadyInFolder',
  'alreadySent',
  'withdrawn',
  /** The letter's file is no longer in the outbox. */
  'missing',
  /** The print system (the CUPS scheduler) is not running. */
  'printSystemDown',
  /** The printer chosen in Settings is gone, or none is chosen and the system has no default printer. */
  'noPrinter',
]);
export type LetterRefusal = z.infer<typeof LetterRefusalSchema>;

export const LetterSendResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), letter: LetterSummarySchema }),
  z.object({ ok: z.literal(false), reason: LetterRefusalSchema }),
]);
export type LetterSendResult = z.infer<typeof LetterSendResultSchema>;

export const LetterSettingsSchema = z.object({
  /** The mailing house's drop folder (absolute path on this machine), or none. */
  folder: z.string().nullable(),
  /** The printer letters go to (null: the system's default printer). */
  printer: z.string().nullable(),
  /** Whether this machine has a print system (CUPS) the desk prints through, without a dialog. */
  printing: z.boolean(),
  /** The printers (CUPS queues) that accept jobs (empty without a print system, or while it is stopped). */
  printers: z.array(z.string()),
  /** The system's default printer, if one is set. */
  defaultPrinter: z.string().nullable(),
  /** The print system: none on this machine, its scheduler stopped, not answering as expected, or ready. */
  printSystem: z.enum(['absent', 'stopped', 'failing', 'ready']),
});
export type LetterSettings = z.infer<typeof LetterSettingsSchema>;

export const LetterSettingsArgsSchema = z.object({
  folder: z.string().trim().max(4096).nullable(),
  printer: z.string().max(256).nullable(),
});

export const LetterSettingsResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), settings: LetterSettingsSchema }),
  z.object({ ok: z.literal(false), problem: z.enum(['notAbsolute', 'notFound', 'notFolder', 'notWritable', 'insideOutbox', 'unknownPrinter', 'printSystemDown']) }),
]);
export type LetterSettingsResult = z.infer<typeof LetterSettingsResultSchema>;
