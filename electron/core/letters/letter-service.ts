/**
 * Sending PIN letters from the desk. A letter leaves the outbox one of two ways, and neither
 * shows it on a screen: straight to a printer (the operating system's print system, CUPS, from
 * this process: the app, browser mode and the CLI alike; where there is none, as on Windows, the
 * route is refused in words), or into a mailing house's drop folder chosen in Settings (written
 * under a temporary name, synced, mode 0600, then renamed, so the mailing house never picks up
 * half a file). Either way, or when the operator marks it sent by hand, the letter is recorded as
 * sent with an audit event, and a PIN letter's file leaves the outbox: the PIN then exists on
 * paper or at the mailing house only. A user-number letter (no secret in it) may be previewed; a
 * PIN letter never can.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, lstat, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import type { Download } from '../../shared/schemas/certificates';
import type { LetterRefusal, LetterRoute, LetterSendResult, LetterSettings, LetterSettingsResult, LetterSummary } from '../../shared/schemas/letters';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from '../settings/desk-settings';
import type { LetterOutbox, LetterRecord } from './outbox';

/** Why a printer did not take a letter (a value, never a stack). */
export interface PrintFailure {
  readonly ok: false;
  /** No print system on this machine; its scheduler is not running; no such printer; the printer refused the job; it took too long. */
  readonly problem: 'noPrintSystem' | 'schedulerDown' | 'noPrinter' | 'refused' | 'timeout';
  /** What the print system said (for the log; never a letter's content). */
  readonly message: string;
}

export interface PrinterList {
  readonly ok: true;
  /** The printers (queues) that accept jobs. */
  readonly queues: string[];
  /** The system's default printer, if one is set. */
  readonly defaultQueue: string | null;
}

export interface PrintJob {
  readonly ok: true;
  /** The print system's job id. */
  readonly job: string;
}

/** Prints without a dialog or a preview (see cups-printer.ts). */
export interface LetterPrinter {
  /** The printers the system offers. */
  printers(): Promise<PrinterList | PrintFailure>;
  /** Prints the PDF at `path` on `printer` (null: the default) and resolves once the job is spooled. */
  print(path: string, printer: string | null): Promise<PrintJob | PrintFailure>;
}

/** How each printer failure is said to the operator. */
const PRINT_REFUSALS: Record<PrintFailure['problem'], LetterRefusal> = {
  noPrintSystem: 'printerUnavailable',
  schedulerDown: 'printSystemDown',
  noPrinter: 'noPrinter',
  refused: 'printFailed',
  timeout: 'printFailed',
};

export interface LetterServiceDeps {
  readonly outbox: LetterOutbox;
  readonly audit: AuditTrail;
  readonly settings: DeskSettingsStore;
  /** Null where the machine has no print system (no CUPS, as on Windows): the printer route is refused there. */
  readonly printer: LetterPrinter | null;
  readonly clock?: () => Date;
}

function summary(record: LetterRecord): LetterSummary {
  const { id, kind, recipient, holderId, cardSerial, createdAt, state, sentAt, sentVia } = record;
  return { fileName: id, kind, recipient, holderId, cardSerial, createdAt, state, sentAt, sentVia };
}

export class LetterService {
  readonly #clock: () => Date;

  constructor(private readonly deps: LetterServiceDeps) {
    this.#clock = deps.clock ?? (() => new Date());
  }

  /** A holder's letters, newest first. */
  list(holderId: string): LetterSummary[] {
    return this.deps.outbox
      .records()
      .filter((record) => record.holderId === holderId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      .map(summary);
  }

  async settings(): Promise<LetterSettings> {
    const saved = this.deps.settings.load().letters ?? { folder: null, printer: null };
    const list = this.deps.printer === null ? null : await this.deps.printer.printers();
    return {
      folder: saved.folder,
      printer: saved.printer,
      printing: this.deps.printer !== null,
      printers: list?.ok === true ? list.queues : [],
      defaultPrinter: list?.ok === true ? list.defaultQueue : null,
      printSystem: list === null ? 'absent' : list.ok ? 'ready' : list.problem === 'schedulerDown' ? 'stopped' : 'failing',
    };
  }

  /** Chooses the drop folder (checked: absolute, an existing folder this process can write, not the outbox) and the printer (one the print system lists). */
  async updateSettings(change: { folder: string | null; printer: string | null }, op: OperationContext): Promise<LetterSettingsResult> {
    const folder = change.folder === null || change.folder === '' ? null : change.folder;
    const problem = (folder === null ? null : await this.#folderProblem(folder)) ?? (await this.#printerProblem(change.printer));
    if (problem !== null) {
      await this.deps.audit.record({ action: 'settings.change', outcome: 'failure', reason: 'letter settings refused', details: { setting: 'letters', problem }, ...op });
      return { ok: false, problem };
    }
    await this.deps.settings.update((settings) => ({ ...settings, letters: { folder: folder === null ? null : resolve(folder), printer: change.printer } }));
    await this.deps.audit.record({ action: 'settings.change', outcome: 'success', details: { setting: 'letters', folder: folder === null ? '' : resolve(folder), printer: change.printer ?? '' }, ...op });
    return { ok: true, settings: await this.settings() };
  }

  /** A newly chosen printer must be one the print system lists (an unchanged choice is kept as it is). */
  async #printerProblem(printer: string | null): Promise<'unknownPrinter' | 'printSystemDown' | null> {
    if (printer === null || this.deps.printer === null || printer === (this.deps.settings.load().letters?.printer ?? null)) return null;
    const list = await this.deps.printer.printers();
    if (!list.ok) return list.problem === 'schedulerDown' ? 'printSystemDown' : 'unknownPrinter';
    return list.queues.includes(printer) ? null : 'unknownPrinter';
  }

  async #folderProblem(folder: string): Promise<'notAbsolute' | 'notFound' | 'notFolder' | 'notWritable' | 'insideOutbox' | null> {
    if (!isAbsolute(folder)) return 'notAbsolute';
    const info = await stat(folder).catch(() => null);
    if (info === null) return 'notFound';
    if (!info.isDirectory()) return 'notFolder';
    if (!(await access(folder, constants.W_OK).then(() => true, () => false))) return 'notWritable';
    const inside = relative(resolve(this.deps.outbox.dir), resolve(folder));
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return 'insideOutbox';
    return null;
  }

  /** Sends a waiting letter to the printer or the drop folder; expected refusals are values. */
  async send(fileName: string, route: LetterRoute, op: OperationContext): Promise<LetterSendResult> {
    const record = this.#record(fileName);
    const refusal = await this.#sendable(record);
    if (refusal !== null) return this.#refused(record, route, refusal, op);
    const outcome = route === 'printer' ? await this.#print(record) : await this.#toFolder(record);
    if (typeof outcome === 'string') return this.#refused(record, route, outcome, op);
    return { ok: true, letter: await this.#sent(record, route, op, outcome ?? {}) };
  }

  /** Records a letter as sent by other means (printed from the outbox folder, handed over). */
  async markSent(fileName: string, op: OperationContext): Promise<LetterSendResult> {
    const record = this.#record(fileName);
    if (record.state !== 'waiting') return this.#refused(record, 'manual', record.state === 'sent' ? 'alreadySent' : 'withdrawn', op);
    return { ok: true, letter: await this.#sent(record, 'manual', op) };
  }

  /** The user-number letter as a file to look at; a PIN letter is never shown. */
  async preview(fileName: string): Promise<Download> {
    const record = this.#record(fileName);
    if (record.kind !== 'userNumber') throw new CardDeskError('INVALID_STATE', 'A PIN letter is never shown on a screen; print it or send it to the drop folder.');
    const bytes = await readFile(this.deps.outbox.path(fileName)).catch(() => null);
    if (bytes === null) throw new CardDeskError('NOT_FOUND', `The letter ${fileName} is no longer in the outbox.`);
    return { fileName, mediaType: 'application/pdf', base64: bytes.toString('base64') };
  }

  #record(fileName: string): LetterRecord {
    const record = this.deps.outbox.record(fileName);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no letter ${fileName}.`);
    return record;
  }

  async #sendable(record: LetterRecord): Promise<LetterRefusal | null> {
    if (record.state === 'sent') return 'alreadySent';
    if (record.state === 'withdrawn') return 'withdrawn';
    const present = await lstat(this.deps.outbox.path(record.id)).then((info) => info.isFile(), () => false);
    return present ? null : 'missing';
  }

  /** The printer chosen in Settings (or the system's default) must be one the print system lists; then the job is spooled. */
  async #print(record: LetterRecord): Promise<LetterRefusal | { printer: string; job: string }> {
    const { printer } = this.deps;
    if (printer === null) return 'printerUnavailable';
    const list = await printer.printers();
    if (!list.ok) return PRINT_REFUSALS[list.problem];
    const queue = this.deps.settings.load().letters?.printer ?? list.defaultQueue;
    if (queue === null || !list.queues.includes(queue)) return 'noPrinter';
    const job = await printer.print(this.deps.outbox.path(record.id), queue);
    return job.ok ? { printer: queue, job: job.job } : PRINT_REFUSALS[job.problem];
  }

  /** Temporary file, synced, mode 0600, then renamed: the drop folder sees the whole letter or nothing. */
  async #toFolder(record: LetterRecord): Promise<LetterRefusal | null> {
    const folder = this.deps.settings.load().letters?.folder ?? null;
    if (folder === null) return 'noFolder';
    if ((await this.#folderProblem(folder)) !== null) return 'folderUnavailable';
    const target = join(folder, record.id);
    if (await lstat(target).then(() => true, () => false)) return 'alreadyInFolder';
    // A dot name without .pdf: a mailing house's watcher skips it until the rename.
    const temporary = join(folder, `.carddesk-${randomUUID()}.tmp`);
    const bytes = await readFile(this.deps.outbox.path(record.id));
    try {
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await chmod(temporary, 0o600);
      await rename(temporary, target);
      await syncFolder(folder);
      return null;
    } catch {
      await rm(temporary, { force: true });
      return 'folderUnavailable';
    } finally {
      bytes.fill(0);
    }
  }

  async #sent(record: LetterRecord, via: LetterRoute | 'manual', op: OperationContext, printed: { printer?: string; job?: string } = {}): Promise<LetterSummary> {
    const sent: LetterRecord = { ...record, state: 'sent', sentAt: this.#clock().toISOString(), sentVia: via };
    await this.deps.outbox.put(sent);
    // The PIN is on paper or at the mailing house now; the desk keeps no copy of it.
    if (record.kind !== 'userNumber') await rm(this.deps.outbox.path(record.id), { force: true });
    await this.deps.audit.record({
      action: 'letter.send',
      outcome: 'success',
      holderId: record.holderId,
      cardSerial: record.cardSerial,
      details: { letter: record.kind, recipient: record.recipient, route: via, file: record.id, ...printed },
      ...op,
    });
    return summary(sent);
  }

  async #refused(record: LetterRecord, via: LetterRoute | 'manual', reason: LetterRefusal, op: OperationContext): Promise<LetterSendResult> {
    await this.deps.audit.record({
      action: 'letter.send',
      outcome: 'failure',
      reason,
      holderId: record.holderId,
      cardSerial: record.cardSerial,
      details: { letter: record.kind, recipient: record.recipient, route: via, file: record.id },
      ...op,
    });
    return { ok: false, reason };
  }
}

/** Makes the rename durable (a no-op where folders cannot be opened, as on Windows). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => null);
  if (handle === null) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
