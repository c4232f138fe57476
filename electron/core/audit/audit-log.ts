/**
 * The tamper-evident audit log: append-only segment files of hash-chained records (see
 * audit-record.ts and segment-files.ts), checkpoints signed with the audit key every
 * `checkpointEvery` records and on close, and a signed head rewritten after every batch.
 *
 * `record()` resolves only once its event is on disk (fdatasync). Events recorded while a batch
 * is being written wait and go together in the next one: one write and one fdatasync per batch
 * (group commit). A crash can lose only events whose `record()` had not resolved; an unfinished
 * last line left by one is set aside (to `<segment>.torn`) and recorded when the log next opens.
 *
 * Several processes (the app, browser mode, `carddesk` commands) may append to one log: each
 * takes the append lock for one batch, first reads what the others appended, then writes.
 *
 * The audit key lives in the vault, so the signer comes and goes (`useSigner`): while the vault
 * is locked (a kiosk PIN check, `carddesk card verify-pin`), records are still appended, chained
 * and made durable, but no checkpoint is written and the signed head is NOT advanced. An
 * unsigned head would prove nothing (anyone could write one), and leaving the last signed head
 * in place keeps it a true anchor: cutting records off the signed part is still detected, and
 * the records after it show as "not yet signed". When a signer is given (the vault unlocks),
 * the log writes its key record if new and at once a signed checkpoint and head, which cover
 * every record before them through the hash chain.
 *
 * The vault keeps the log's anchor (`useAnchorKeeper`, see audit-anchor.ts): the signed head at
 * the last signed checkpoint. Before it moves the anchor on, the log checks it still holds the
 * anchored record; a log that does not (deleted, emptied, cut back, replaced) records the loss
 * as an `audit.loss` event, once, and the anchor stays where it was until an administrator
 * acknowledges the loss (`acknowledgeLoss`), so verification keeps reporting it until then.
 */
import { appendFile, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import type { AuditVerifyReport } from '../../shared/schemas/audit';
import { ensurePrivateDirAsync, PRIVATE_FILE_MODE } from '../files/safe-file';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { AuditHead, type DeskKey } from './audit-head';
import { anchorStanding, lossMessage, type AnchorStanding, type AuditAnchorKeeper } from './audit-anchor';
import type { AuditIndex } from './audit-index';
import { AuditIndexKeeper } from './audit-index-keeper';
import { checkpointMessage, decodeLine, encodeRecord, type AuditRecord, type EventRecord } from './audit-record';
import type { AuditSigner } from './audit-signer';
import type { AuditEventInput, AuditTrail } from './audit-trail';
import { EntryReader } from './entry-reader';
import { eventFields, type EventFields } from './event-input';
import type { SignedHead } from './head-file';
import { EMPTY_TAIL, scanTail, type LogTail } from './log-tail';
import { findRecordHash, listSegments, readLines, scanLinesBackwards, segmentName } from './segment-files';
import { verifyAuditLog, type VerifyOptions } from './audit-verify';
import { WriterLock, type WriterLockOptions } from './writer-lock';

export interface AuditLogOptions {
  /** The log's folder, `<data folder>/audit`. */
  readonly dir: string;
  /** The audit key while the vault is unlocked; none (the default) appends unsigned records. */
  readonly signer?: AuditSigner | null;
  /** The desk's audit key id, known without the key (the vault keeps it in clear). */
  readonly deskKeyId?: string | null;
  readonly log?: Logger;
  /** Records between signed checkpoints (default 1000). */
  readonly checkpointEvery?: number;
  /** A new segment starts once the current one reaches this size (default 32 MiB). */
  readonly segmentBytes?: number;
  /** Save the index after this many new events (default 50,000); it is saved on close too. */
  readonly saveIndexEvery?: number;
  readonly now?: () => number;
  readonly lock?: WriterLockOptions;
}

export interface AuditAppended {
  readonly lastSeq: number;
  readonly count: number;
}

interface Pending {
  readonly fields: EventFields;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SYSTEM = { kind: 'system', id: 'audit-log' } as const;
const CHANGE_FIELD = ',"change":"';
const TIME_FIELD = ',"time":"';
const CHANGE_SEARCH_SLACK_MS = 60 * 60 * 1000;
const MAX_BATCH = 10_000;
/** More than any one line: a segment this far from full cannot have been rotated by anyone. */
const ROTATION_MARGIN = 1024 * 1024;

function unavailable(error: unknown): CardDeskError {
  if (error instanceof CardDeskError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new CardDeskError('AUDIT_UNAVAILABLE', `The audit log could not be written (${code}); nothing was recorded.`, { cause: error });
}

export class AuditLog implements AuditTrail {
  readonly dir: string;
  #signer: AuditSigner | null;
  #deskKeyId: string | null;
  readonly #log: Logger | undefined;
  readonly #checkpointEvery: number;
  readonly #segmentBytes: number;
  readonly #now: () => number;
  readonly #lock: WriterLock;
  readonly #reader: EntryReader;
  /** The signed head: checked, signed and written (see audit-head.ts). */
  readonly #head: AuditHead;
  readonly #listeners = new Set<(appended: AuditAppended) => void>();
  /** Batches written (one write and one fdatasync each), for tests and benchmarks. */
  readonly stats = { batches: 0 };
  #tail: LogTail | null = null;
  #queue: Pending[] = [];
  #pumping = false;
  #chain: Promise<unknown> = Promise.resolve();
  #writer: { readonly segment: string; readonly handle: FileHandle } | null = null;
  /** The index of events, kept beside the write path (see audit-index-keeper.ts). */
  readonly #indexKeeper: AuditIndexKeeper;
  #closed = false;
  #closing = false;
  #lastVerification: AuditVerifyReport | null = null;
  /** What the batch being written does to the anchor: records a loss, or acknowledges one. */
  #pendingAnchor: 'loss' | 'acknowledge' | null = null;
  #watch: NodeJS.Timeout | null = null;
  /** Where the vault keeps the anchor, and how the log stands against it (null: not yet checked). */
  #keeper: AuditAnchorKeeper | null = null;
  #standing: AnchorStanding | null = null;

  constructor(options: AuditLogOptions) {
    this.dir = options.dir;
    this.#signer = options.signer ?? null;
    this.#deskKeyId = options.deskKeyId ?? this.#signer?.keyId ?? null;
    this.#log = options.log;
    this.#checkpointEvery = options.checkpointEvery ?? 1000;
    this.#segmentBytes = options.segmentBytes ?? 32 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
    this.#lock = new WriterLock(join(this.dir, 'writer.lock'), options.lock);
    this.#reader = new EntryReader(this.dir);
    this.#head = new AuditHead(this.dir, this.#now, this.#log);
    this.#indexKeeper = new AuditIndexKeeper({ dir: this.dir, saveEvery: options.saveIndexEvery ?? 50_000, log: this.#log });
  }

  /** The key that signs now, or null while the vault is locked. */
  get signer(): AuditSigner | null {
    return this.#signer;
  }

  /** The desk's audit key id (for verification), whether or not the key is at hand. */
  get deskKeyId(): string | null {
    return this.#deskKeyId;
  }

  /** Names the desk's audit key without giving it (the vault is locked, its key id is clear). */
  setDeskKeyId(keyId: string | null): void {
    this.#deskKeyId = keyId ?? this.#signer?.keyId ?? null;
  }

  /**
   * Gives the log the audit key (vault unlocked) or takes it away (null: vault locked). A new
   * signer at once gets its key record (if new) and a signed checkpoint and head, covering every
   * record before them; taking it away first signs what the old one has not. Resolves once that
   * is on disk. Later records wait for it, so they follow in order.
   */
  useSigner(signer: AuditSigner | null): Promise<void> {
    return this.#exclusive(async () => {
      const previous = this.#signer;
      if (previous === signer) return;
      if (signer !== null) this.#deskKeyId = signer.keyId;
      const open = this.#tail !== null && !this.#closed;
      try {
        if (signer === null && previous !== null && open && this.#tail !== null && this.#tail.seq > this.#tail.anchorSeq) await this.#commit([], true);
      } catch (error) {
        this.#log?.error('the audit checkpoint before the vault locked could not be written', { error });
      } finally {
        this.#signer = signer;
      }
      if (signer !== null && !this.#closed) await this.#commit([], true);
    });
  }

  /**
   * Gives the log the vault's anchor (the vault opened) or takes it away (null). Checks the log
   * against it at once, recording a loss found (see the top of this file). Resolves once done.
   */
  useAnchorKeeper(keeper: AuditAnchorKeeper | null): Promise<void> {
    return this.#exclusive(async () => {
      this.#keeper = keeper;
      this.#standing = null;
      if (keeper !== null && !this.#closed) await this.#commit([]);
    });
  }

  /** How the log stands against the vault's anchor, once checked (null before, or without a vault). */
  get anchorStanding(): AnchorStanding | null {
    return this.#keeper === null ? null : this.#standing;
  }

  /**
   * An administrator's acknowledgement that the log was lost: recorded (signed at once, so the
   * vault must be unlocked), and the vault anchors the log as it is now. INVALID_STATE when the
   * log holds the vault's anchor (nothing to acknowledge).
   */
  acknowledgeLoss(operation: OperationContext): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#signer === null || this.#keeper === null) {
        throw new CardDeskError('VAULT_LOCKED', 'Unlock the vault to acknowledge the loss of the audit log: the acknowledgement is signed with its audit key.');
      }
      await this.#commit([], false, operation);
    });
  }

  /**
   * The signed head, checked: signed by the desk's key (`publicKeySpki`, from the vault) and
   * naming a record the log holds. Exporting it (an outside witness) is recorded.
   */
  exportHead(desk: DeskKey | null, operation: OperationContext, record: boolean): Promise<SignedHead> {
    return this.#exclusive(async () => {
      await this.#ensureOpen();
      await this.#syncWithDisk(false);
      const head = await this.#head.forExport(desk, (seq) => this.#hashAt(seq));
      if (record) await this.#commit([{ type: 'event', actor: operation.actor, channel: operation.channel, action: 'audit.headExport', outcome: 'success', details: { seq: head.seq, hash: head.hash } }]);
      return head;
    });
  }

  get indexPath(): string {
    return this.#indexKeeper.path;
  }

  /** The last record's sequence number (0 for an empty log). */
  get lastSeq(): number {
    return this.#tail?.seq ?? 0;
  }

  /** Runs `work` after everything queued before it: one thing at a time touches the files. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  open(): Promise<void> {
    return this.#exclusive(() => this.#ensureOpen());
  }

  async #ensureOpen(): Promise<void> {
    if (this.#closed) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The audit log is closed.');
    if (this.#tail !== null) return;
    await ensurePrivateDirAsync(this.dir);
    await this.#lock.acquire();
    let appended: AuditAppended | null;
    try {
      appended = await this.#appendLocked(await this.#rescan());
    } finally {
      await this.#lock.release();
    }
    if (appended !== null) this.#notify(appended);
  }

  /**
   * Reads where the log ends, sets an unfinished last line aside, and checks the end against the
   * signed head. Returns the events that record what it found; the caller holds the lock.
   */
  async #rescan(): Promise<EventFields[]> {
    const repairs: EventFields[] = [];
    const repair = (outcome: 'success' | 'failure', reason: string, details: Record<string, string | number>): void => {
      this.#log?.[outcome === 'success' ? 'warn' : 'error']('audit log repair', { reason, ...details });
      repairs.push({ type: 'event', actor: SYSTEM, channel: 'desk', action: 'audit.repair', outcome, reason, details });
    };
    const { tail, torn } = await scanTail(this.dir);
    if (torn !== null) {
      const handle = await open(torn.segment.path, 'r');
      const bytes = Buffer.alloc(torn.size - torn.from);
      await handle.read(bytes, 0, bytes.length, torn.from);
      await handle.close();
      // Kept, not destroyed: the bytes go to a side file before the segment is cut back.
      await appendFile(`${torn.segment.path}.torn`, bytes, { mode: PRIVATE_FILE_MODE });
      await truncate(torn.segment.path, torn.from);
      if (torn.completeLines) {
        repair('failure', 'unreadable records at the end of the log were set aside', { segment: torn.segment.name, bytes: bytes.length, after: tail.seq });
      } else {
        repair('success', 'an unfinished last line (never acknowledged) was set aside', { segment: torn.segment.name, bytes: bytes.length, after: tail.seq });
      }
    }
    const { problems, start } = await this.#head.check(tail, this.#signer);
    for (const { reason, details } of problems) repair('failure', reason, details);
    this.#tail = start;
    // The log was (re)read from disk: how it stands against the anchor is checked again.
    this.#standing = null;
    return repairs;
  }

  /**
   * Facts every event of an actor carries beside what its service recorded: the desk's operator
   * session sets it (issue 17 §5) so each event of the signed-in operator names their card and the
   * OS account. A service's own details win over these.
   */
  actorDetails: ((actor: AuditEventInput['actor']) => Readonly<Record<string, string>> | null) | null = null;

  async record(event: AuditEventInput): Promise<void> {
    if (this.#closing) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The audit log is closed.');
    const extra = this.actorDetails?.(event.actor) ?? null;
    const fields = eventFields(extra === null ? event : { ...event, details: { ...extra, ...event.details } }, this.#log);
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ fields, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Which of these vault change ids have an event in the log (see vault/change-events.ts). Reads
   * the log backwards from its end and stops once every id is found or the records are older
   * than `sinceMs` less an hour (a change's event is written after the change, so it is never
   * much older; the hour absorbs a clock set back in between). Only the tail is read.
   */
  changeEventsIn(ids: ReadonlySet<string>, sinceMs: number): Promise<Set<string>> {
    return this.#exclusive(async () => {
      const found = new Set<string>();
      if (ids.size === 0) return found;
      await this.#ensureOpen();
      const stopBefore = sinceMs - CHANGE_SEARCH_SLACK_MS;
      const segments = await listSegments(this.dir);
      for (let i = segments.length - 1; i >= 0 && found.size < ids.size; i -= 1) {
        const segment = segments[i];
        if (segment === undefined) break;
        const scan = await scanLinesBackwards(segment.path, (line) => {
          if (line.includes(CHANGE_FIELD)) {
            const decoded = decodeLine(line);
            if (decoded.ok && decoded.record.type === 'event' && decoded.record.change !== undefined && ids.has(decoded.record.change)) found.add(decoded.record.change);
            if (found.size === ids.size) return true;
          }
          // The time comes second in every line: `{"seq":N,"time":"…"` (see audit-record.ts).
          const at = line.indexOf(TIME_FIELD);
          const time = at < 0 ? Number.NaN : Date.parse(line.slice(at + TIME_FIELD.length, at + TIME_FIELD.length + 24));
          return Number.isFinite(time) && time < stopBefore;
        });
        if (scan.stopped) break;
      }
      return found;
    });
  }

  /** Group commit: while one batch is written, new events queue up for the next. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#exclusive(async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          await this.#commit(batch.map((pending) => pending.fields));
          for (const pending of batch) pending.resolve();
        } catch (error) {
          const failure = unavailable(error);
          this.#log?.error('audit events could not be recorded', { count: batch.length, error });
          for (const pending of batch) pending.reject(failure);
        }
      }
    }).finally(() => {
      this.#pumping = false;
      if (this.#queue.length > 0) this.#pump();
    });
  }

  async #commit(events: readonly EventFields[], checkpoint = false, acknowledge?: OperationContext): Promise<void> {
    await this.#ensureOpen();
    await this.#lock.acquire();
    let appended: AuditAppended | null;
    try {
      const repairs = await this.#syncWithDisk(true);
      const anchorEvents = await this.#checkAnchor(acknowledge);
      appended = await this.#appendLocked([...repairs, ...anchorEvents, ...events], checkpoint || acknowledge !== undefined);
    } finally {
      // Kept a moment for the next batch (see WriterLock.releaseSoon).
      this.#lock.releaseSoon();
    }
    if (appended !== null) this.#notify(appended);
    if (!this.#closed) await this.#indexKeeper.saveIfDue();
  }

  /** The hash of record `seq` as the log on disk holds it (null: it holds no such record). */
  async #hashAt(seq: number): Promise<string | null> {
    const tail = this.#tail ?? EMPTY_TAIL;
    if (seq > tail.seq) return null;
    if (seq === tail.seq) return tail.hash;
    return findRecordHash(this.dir, seq, (line) => {
      const decoded = decodeLine(line);
      return decoded.ok && decoded.hashMatches ? { seq: decoded.record.seq, hash: decoded.hash } : null;
    });
  }

  /**
   * Compares the log with the vault's anchor (once after each read from disk; the lock is held).
   * Returns the `audit.loss` event to record when the log is found lost and the loss is not yet
   * recorded, or, acknowledging, the acknowledgement (the anchor then moves on with the batch).
   */
  async #checkAnchor(acknowledge?: OperationContext): Promise<EventFields[]> {
    const keeper = this.#keeper;
    if (keeper === null) return [];
    const { anchor, publicKeySpki } = keeper.read();
    if (this.#standing === null) this.#standing = await anchorStanding(anchor, publicKeySpki, this.lastSeq, (seq) => this.#hashAt(seq));
    const standing = this.#standing;
    const head = standing.state === 'holds' ? null : standing.head;
    const details: Record<string, string | number> = { anchorSeq: head?.seq ?? 0, anchorHash: head?.hash ?? '', lastSeq: this.lastSeq };
    if (acknowledge !== undefined) {
      if (standing.state === 'holds') throw new CardDeskError('INVALID_STATE', 'The audit log holds the record the vault anchored: there is no loss to acknowledge.');
      this.#pendingAnchor = 'acknowledge';
      return [{ type: 'event', actor: acknowledge.actor, channel: acknowledge.channel, action: 'audit.lossAcknowledge', outcome: 'success', details }];
    }
    if (anchor?.lossRecordedAt !== undefined) return [];
    if (standing.state === 'lost') {
      const reason = lossMessage(standing, 'vault');
      this.#log?.error('the audit log was lost', { reason });
      this.#pendingAnchor = 'loss';
      return [{ type: 'event', actor: SYSTEM, channel: 'desk', action: 'audit.loss', outcome: 'failure', reason, details: { ...details, found: standing.why } }];
    }
    if (standing.state === 'forged') {
      this.#pendingAnchor = 'loss';
      return [{ type: 'event', actor: SYSTEM, channel: 'desk', action: 'audit.loss', outcome: 'failure', reason: "The vault's anchor does not verify with the desk's audit key: it was changed.", details: { ...details, found: 'forged' } }];
    }
    return [];
  }

  /** Tells the vault what this batch changed about the anchor, once the batch is on disk. */
  async #moveAnchor(signedHead: SignedHead | null): Promise<void> {
    const keeper = this.#keeper;
    const pending = this.#pendingAnchor;
    this.#pendingAnchor = null;
    if (keeper === null) return;
    try {
      if (pending === 'loss') {
        const { anchor } = keeper.read();
        await keeper.write({ head: anchor?.head ?? null, lossRecordedAt: this.lastSeq });
      } else if (signedHead !== null && (pending === 'acknowledge' || this.#standing?.state === 'holds')) {
        await keeper.write({ head: signedHead });
        this.#standing = { state: 'holds' };
      }
    } catch (error) {
      // The records are durable; the vault's anchor is behind them until the next checkpoint.
      this.#log?.error("the vault's audit anchor could not be written", { error });
    }
  }

  /**
   * Writes the records for these events (with a key record when the signer's key is new to the
   * log, and checkpoints where due), makes them durable, then updates the head and the index.
   */
  async #appendLocked(events: readonly EventFields[], checkpoint = false): Promise<AuditAppended | null> {
    const tail = this.#tail ?? EMPTY_TAIL;
    let { seq, hash, anchorSeq, keyId, timeMs } = tail;
    // UTC, never earlier than the record before (a clock set back does not reorder the log).
    const stamp = (): string => new Date((timeMs = Math.max(this.#now(), timeMs))).toISOString();
    const writes: { segment: string; lines: string[]; events: { record: EventRecord; offset: number; length: number }[] }[] = [];
    let segment = tail.segment;
    let size = tail.size;
    const push = (record: AuditRecord): void => {
      const encoded = encodeRecord(record);
      const length = Buffer.byteLength(encoded.line);
      if (segment === null || (size > 0 && size + length > this.#segmentBytes)) {
        segment = segmentName(record.seq);
        size = 0;
      }
      let group = writes.at(-1);
      if (group?.segment !== segment) {
        group = { segment, lines: [], events: [] };
        writes.push(group);
      }
      group.lines.push(encoded.line);
      if (record.type === 'event') group.events.push({ record, offset: size, length });
      size += length;
      seq = record.seq;
      hash = encoded.hash;
    };
    const signer = this.#signer;
    const sign = async (by: AuditSigner): Promise<void> => {
      const time = stamp();
      const signature = (await by.sign(checkpointMessage(seq + 1, hash, time))).toString('base64');
      push({ seq: seq + 1, time, type: 'checkpoint', prev: hash, keyId: by.keyId, signature });
      anchorSeq = seq;
      signed = true;
    };

    let signed = false;
    let newKey = false;
    if (signer !== null && keyId !== signer.keyId) {
      const publicKey = signer.publicKeySpki.toString('base64');
      push({ seq: seq + 1, time: stamp(), type: 'key', prev: hash, keyId: signer.keyId, algorithm: signer.algorithm, publicKey });
      anchorSeq = seq;
      keyId = signer.keyId;
      newKey = true;
    }
    for (const fields of events) {
      if (signer !== null && seq - anchorSeq >= this.#checkpointEvery) await sign(signer);
      push({ ...fields, seq: seq + 1, time: stamp(), prev: hash });
    }
    // Unsigned records (written while the vault was locked) are in `seq > anchorSeq` too.
    if (signer !== null && checkpoint && (seq > anchorSeq || newKey)) await sign(signer);
    if (writes.length === 0) {
      this.#pendingAnchor = null;
      return null;
    }

    // The head names the batch's last record: it is signed while the batch is being synced, and
    // written once the batch is on disk (it never claims more than the log holds).
    const heading: { signed: Promise<SignedHead> | null } = { signed: null };
    const signHead = (): void => {
      heading.signed = this.#head.sign(signer, seq, hash);
    };
    for (const [i, group] of writes.entries()) await this.#write(group.segment, group.lines, group.segment === tail.segment ? tail.size : 0, i === writes.length - 1 ? signHead : undefined);
    this.#tail = { seq, hash, timeMs, segment, size, anchorSeq, keyId };
    this.stats.batches += 1;
    // After a warm open, the first batch waits for the index's columns (read off the event loop).
    await this.#indexKeeper.ready();
    let count = 0;
    for (const group of writes) {
      for (const { record, offset, length } of group.events) this.#indexKeeper.add(record, group.segment, offset, length);
      count += group.events.length;
    }
    this.#indexKeeper.advance(this.#tail);
    // Without the key the head stays where the last signature left it (see the top of this file).
    const signedHead = await this.#head.write(heading.signed);
    // The vault's anchor moves with signed checkpoints (not every batch: it is a durable write).
    await this.#moveAnchor(signed ? signedHead : null);
    return count === 0 ? null : { lastSeq: seq, count };
  }

  /** Appends the lines to a segment and waits until they are on disk; cuts a failed write back. */
  async #write(segment: string, lines: readonly string[], sizeBefore: number, whileSyncing?: () => void): Promise<void> {
    if (this.#writer?.segment !== segment) {
      await this.#writer?.handle.close();
      this.#writer = null;
      const handle = await open(join(this.dir, segment), 'a', 0o600);
      this.#writer = { segment, handle };
      if (sizeBefore === 0) await this.#syncDirectory();
    }
    const { handle } = this.#writer;
    try {
      // Into the page cache, then fdatasync, both in the thread pool; records arriving meanwhile
      // gather for the next batch.
      const bytes = Buffer.from(lines.join(''));
      let written = 0;
      while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
      const synced = handle.datasync();
      whileSyncing?.();
      await synced;
    } catch (error) {
      await handle.truncate(sizeBefore).catch(() => undefined);
      throw unavailable(error);
    }
  }

  /** A new segment's name must survive a crash too. */
  async #syncDirectory(): Promise<void> {
    if (process.platform === 'win32') return;
    const directory = await open(this.dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  /**
   * Reads the records other processes appended since this one last looked. With the lock held
   * (`repairing`), an unfinished line at the end is a crashed writer's and is set aside; a log
   * that shrank was cut by someone and is read again from its end. Returns repair events.
   */
  async #syncWithDisk(repairing: boolean): Promise<EventFields[]> {
    const tail = this.#tail ?? EMPTY_TAIL;
    if (await this.#unchangedOnDisk(tail)) return [];
    // Reopened for the next write: the file may have been replaced under this process.
    await this.#writer?.handle.close();
    this.#writer = null;
    const segments = await listSegments(this.dir);
    const from = tail.segment === null ? -1 : segments.findIndex((segment) => segment.name === tail.segment);
    if (tail.segment !== null && from < 0) return repairing ? this.#rescanAfterCut() : [];
    const newer = segments.slice(from < 0 ? 0 : from);
    await this.#indexKeeper.ready();
    let events = 0;
    let state = tail;
    for (const [i, segment] of newer.entries()) {
      const start = segment.name === tail.segment ? tail.size : 0;
      const { end, size } = await readLines(segment.path, start, Infinity, (line, offset, length) => {
        const decoded = decodeLine(line);
        if (!decoded.ok) return;
        const { record } = decoded;
        if (record.type === 'event') {
          events += 1;
          this.#indexKeeper.add(record, segment.name, offset, length);
        }
        state = {
          seq: record.seq,
          hash: decoded.hash,
          timeMs: Math.max(state.timeMs, Date.parse(record.time) || 0),
          segment: segment.name,
          size: offset + length,
          anchorSeq: record.type === 'event' ? state.anchorSeq : record.seq,
          keyId: record.type === 'event' ? state.keyId : record.keyId,
        };
      });
      if (size < start) return repairing ? this.#rescanAfterCut() : [];
      state = { ...state, segment: segment.name, size: end };
      if (end < size && i === newer.length - 1 && repairing) {
        this.#tail = state;
        return this.#rescan();
      }
    }
    this.#tail = state;
    this.#indexKeeper.advance(state);
    if (!repairing && events > 0) this.#notify({ lastSeq: state.seq, count: events });
    return [];
  }

  /**
   * Nothing was appended since this process last looked: the segment it appends to is the same
   * file with the same size, and too far from full for anyone to have started a new one.
   */
  async #unchangedOnDisk(tail: LogTail): Promise<boolean> {
    const writer = this.#writer;
    if (tail.segment === null || writer?.segment !== tail.segment || tail.size + ROTATION_MARGIN > this.#segmentBytes) return false;
    // Both in the thread pool at once: one round trip, not two.
    const [onDisk, open] = await Promise.all([stat(join(this.dir, tail.segment)).catch(() => null), writer.handle.stat()]);
    return onDisk !== null && onDisk.size === tail.size && onDisk.ino === open.ino;
  }

  /** Someone cut the log below what this process had read: read its end again, index anew. */
  #rescanAfterCut(): Promise<EventFields[]> {
    this.#indexKeeper.reset();
    return this.#rescan();
  }

  #notify(appended: AuditAppended): void {
    for (const listener of this.#listeners) {
      try {
        listener(appended);
      } catch (error) {
        this.#log?.warn('an audit listener failed', { error });
      }
    }
  }

  /** Called after new events reach the log, from this process or (with `watch`) another. */
  subscribe(listener: (appended: AuditAppended) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Looks for events other processes appended every `intervalMs`, for live screens. */
  watch(intervalMs: number): void {
    if (this.#watch !== null) return;
    this.#watch = setInterval(() => {
      if (this.#tail === null || this.#pumping || this.#closed) return;
      void this.#exclusive(() => this.#syncWithDisk(false)).catch((error: unknown) => this.#log?.warn('audit log watch failed', { error }));
    }, intervalMs);
    this.#watch.unref();
  }

  /** The index, loaded (or rebuilt) on first use and kept up to date from then on. */
  async index(): Promise<{ index: AuditIndex; reader: EntryReader }> {
    if (this.#indexKeeper.index === null) await this.#exclusive(() => this.#loadIndex());
    const index = this.#indexKeeper.index;
    if (index === null) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The audit log changed on disk while it was being indexed; try again.');
    return { index, reader: this.#reader };
  }

  async #loadIndex(): Promise<void> {
    await this.#ensureOpen();
    await this.#syncWithDisk(false);
    if (this.#indexKeeper.index !== null) return;
    const { saveSoon } = await this.#indexKeeper.load(this.#tail ?? EMPTY_TAIL);
    // A rebuilt index is saved soon (not before answering), so the next open is a warm one.
    if (saveSoon) {
      setImmediate(() => {
        if (this.#closing) return;
        void this.#exclusive(async () => {
          if (!this.#closed) await this.#indexKeeper.save();
        });
      });
    }
  }

  /** The report of the last `verify()` in this process, or null. */
  get lastVerification(): AuditVerifyReport | null {
    return this.#lastVerification;
  }

  /** Checks the whole log on disk: chain, checkpoint signatures and the signed head; counts what is not yet signed. */
  async verify(options: Pick<VerifyOptions, 'vault' | 'witness'> = {}): Promise<AuditVerifyReport> {
    const vault = this.#keeper?.read();
    const report = await verifyAuditLog(this.dir, { deskKeyId: this.#deskKeyId, ...(vault === undefined ? {} : { vault }), ...options });
    this.#lastVerification = report;
    return report;
  }

  /** Writes a final checkpoint, saves the index, and lets go of the files. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#watch !== null) clearInterval(this.#watch);
    await this.#exclusive(async () => {
      try {
        if (this.#tail !== null && this.#tail.seq > this.#tail.anchorSeq) await this.#commit([], true);
      } catch (error) {
        this.#log?.error('the closing audit checkpoint could not be written', { error });
      }
      await this.#lock.release();
      await this.#indexKeeper.close();
      this.#closed = true;
      await this.#writer?.handle.close();
      this.#writer = null;
      await this.#reader.close();
      await this.#head.close();
    });
  }
}
