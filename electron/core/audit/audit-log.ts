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
 * The vault keeps the log's anchor (`useAnchorKeeper`, see audit-anchor.ts and anchor-guard.ts).
 *
 * This file is the write path. Beside it: the batch's records (audit-batch.ts), catching up with
 * the files on disk (disk-sync.ts), the index (audit-index-keeper.ts, read by audit-queries.ts),
 * lookups in the segments (segment-lookups.ts) and verification (audit-verify.ts).
 */
import { join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import type { AuditEntry, AuditFilter, AuditVerifyReport } from '../../shared/schemas/audit';
import { ensurePrivateDirAsync } from '../files/safe-file';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { AuditHead, type DeskKey } from './audit-head';
import type { AnchorStanding, AuditAnchorKeeper } from './audit-anchor';
import { AnchorGuard, AUDIT_SYSTEM_ACTOR } from './anchor-guard';
import { planBatch } from './audit-batch';
import type { AuditIndex } from './audit-index';
import { exportMatches, type OperatorIdsOf } from './audit-queries';
import type { AuditStore } from './audit-store';
import { AuditIndexKeeper } from './audit-index-keeper';
import type { AuditSigner } from './audit-signer';
import type { AuditEventInput } from './audit-trail';
import { EntryReader } from './entry-reader';
import { eventFields, type EventFields } from './event-input';
import type { SignedHead } from './head-file';
import { readAppended, setTornAside } from './disk-sync';
import { SegmentAppender, unavailable } from './segment-appender';
import { TailWindow } from './tail-window';
import { EMPTY_TAIL, scanTail, type LogTail } from './log-tail';
import { findChangeEvents, recordHashAt } from './segment-lookups';
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

const MAX_BATCH = 10_000;
export class AuditLog implements AuditStore {
  readonly dir: string;
  #signer: AuditSigner | null;
  #deskKeyId: string | null;
  readonly #log: Logger | undefined;
  readonly #checkpointEvery: number;
  readonly #segmentBytes: number;
  readonly #now: () => number;
  readonly #lock: WriterLock;
  readonly #reader: EntryReader;
  /** The newest bytes this process appended, for the newest pages (see tail-window.ts). */
  readonly #recent: TailWindow;
  /** The signed head: checked, signed and written (see audit-head.ts). */
  readonly #head: AuditHead;
  readonly #listeners = new Set<(appended: AuditAppended) => void>();
  /** Batches written (one write and one fdatasync each), for tests and benchmarks. */
  readonly stats = { batches: 0 };
  #tail: LogTail | null = null;
  #queue: Pending[] = [];
  #pumping = false;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #appender: SegmentAppender;
  /** The lock hold (WriterLock.holding) under which this process last wrote or read the log's end. */
  #caughtUpUnder: string | null = null;
  /** The index of events, kept beside the write path (see audit-index-keeper.ts). */
  readonly #indexKeeper: AuditIndexKeeper;
  #closed = false;
  #closing = false;
  #lastVerification: AuditVerifyReport | null = null;
  #watch: NodeJS.Timeout | null = null;
  /** The vault's anchor: how the log stands against it, and what a batch does to it. */
  readonly #anchor: AnchorGuard;

  constructor(options: AuditLogOptions) {
    this.dir = options.dir;
    this.#signer = options.signer ?? null;
    this.#deskKeyId = options.deskKeyId ?? this.#signer?.keyId ?? null;
    this.#log = options.log;
    this.#checkpointEvery = options.checkpointEvery ?? 1000;
    this.#segmentBytes = options.segmentBytes ?? 32 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
    this.#lock = new WriterLock(join(this.dir, 'writer.lock'), options.lock);
    this.#recent = new TailWindow();
    this.#reader = new EntryReader(this.dir, this.#recent);
    this.#head = new AuditHead(this.dir, this.#now, this.#log);
    this.#indexKeeper = new AuditIndexKeeper({ dir: this.dir, saveEvery: options.saveIndexEvery ?? 50_000, log: this.#log });
    this.#anchor = new AnchorGuard(this.#log);
    this.#appender = new SegmentAppender(this.dir, (segment, offset, bytes) => this.#recent.add(segment, offset, bytes));
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
      this.#anchor.use(keeper);
      if (keeper !== null && !this.#closed) await this.#commit([]);
    });
  }

  /** How the log stands against the vault's anchor, once checked (null before, or without a vault). */
  get anchorStanding(): AnchorStanding | null {
    return this.#anchor.standing;
  }

  /**
   * An administrator's acknowledgement that the log was lost: recorded (signed at once, so the
   * vault must be unlocked), and the vault anchors the log as it is now. INVALID_STATE when the
   * log holds the vault's anchor (nothing to acknowledge).
   */
  acknowledgeLoss(operation: OperationContext): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#signer === null || !this.#anchor.hasKeeper) {
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

  get where(): string {
    return this.dir;
  }

  /** Every entry `filter` matches, oldest first, from the index (audit-queries.ts). */
  async exportMatches(filter: AuditFilter, limit: number, onEntries: (entries: AuditEntry[]) => void | Promise<void>, operatorIds?: OperatorIdsOf): Promise<{ rows: number; truncated: boolean }> {
    const { index, reader } = await this.index();
    return exportMatches(index, reader, filter, limit, onEntries, operatorIds);
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
      repairs.push({ type: 'event', actor: AUDIT_SYSTEM_ACTOR, channel: 'desk', action: 'audit.repair', outcome, reason, details });
    };
    const { tail, torn } = await scanTail(this.dir);
    if (torn !== null) {
      const { outcome, reason, details } = await setTornAside(torn, tail.seq);
      repair(outcome, reason, details);
    }
    const { problems, start } = await this.#head.check(tail, this.#signer);
    for (const { reason, details } of problems) repair('failure', reason, details);
    this.#tail = start;
    // The log was (re)read from disk: how it stands against the anchor is checked again.
    this.#anchor.forget();
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

  /** Which of these vault change ids have an event in the log (see segment-lookups.ts). */
  changeEventsIn(ids: ReadonlySet<string>, sinceMs: number): Promise<Set<string>> {
    return this.#exclusive(async () => {
      if (ids.size === 0) return new Set<string>();
      await this.#ensureOpen();
      return findChangeEvents(this.dir, ids, sinceMs);
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
      const anchorEvents = await this.#anchor.check(this.lastSeq, (seq) => this.#hashAt(seq), acknowledge);
      appended = await this.#appendLocked([...repairs, ...anchorEvents, ...events], checkpoint || acknowledge !== undefined);
    } finally {
      // Kept a moment for the next batch (see WriterLock.releaseSoon).
      this.#lock.releaseSoon();
    }
    if (appended !== null) this.#notify(appended);
    if (!this.#closed) await this.#indexKeeper.saveIfDue();
  }

  /** The hash of record `seq` as the log on disk holds it (null: it holds no such record). */
  #hashAt(seq: number): Promise<string | null> {
    return recordHashAt(this.dir, this.#tail ?? EMPTY_TAIL, seq);
  }

  /**
   * Writes the records for these events (with a key record when the signer's key is new to the
   * log, and checkpoints where due), makes them durable, then updates the head and the index.
   */
  async #appendLocked(events: readonly EventFields[], checkpoint = false): Promise<AuditAppended | null> {
    const tail = this.#tail ?? EMPTY_TAIL;
    const signer = this.#signer;
    const options = { signer, checkpointEvery: this.#checkpointEvery, segmentBytes: this.#segmentBytes, now: this.#now, checkpoint };
    const { writes, tail: end, signed } = await planBatch(tail, events, options);
    if (writes.length === 0) {
      this.#anchor.drop();
      return null;
    }

    // The head names the batch's last record: it is signed while the batch is being synced, and
    // written once the batch is on disk (it never claims more than the log holds).
    const heading: { signed: Promise<SignedHead> | null } = { signed: null };
    const signHead = (): void => {
      heading.signed = this.#head.sign(signer, end.seq, end.hash);
    };
    try {
      for (const [i, group] of writes.entries()) await this.#appender.append(group.segment, group.lines, group.segment === tail.segment ? tail.size : 0, i === writes.length - 1 ? signHead : undefined);
    } catch (error) {
      // A failed write is cut back, but the next batch looks at the files again.
      this.#caughtUpUnder = null;
      throw error;
    }
    this.#tail = end;
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
    await this.#anchor.move(signed ? signedHead : null, this.lastSeq);
    return count === 0 ? null : { lastSeq: end.seq, count };
  }

  /**
   * Reads the records other processes appended since this one last looked. With the lock held
   * (`repairing`), an unfinished line at the end is a crashed writer's and is set aside; a log
   * that shrank was cut by someone and is read again from its end. Returns repair events.
   */
  async #syncWithDisk(repairing: boolean): Promise<EventFields[]> {
    const tail = this.#tail ?? EMPTY_TAIL;
    // Held without a break since this process last wrote or read the end: no one else appended.
    if (repairing && this.#caughtUpUnder !== null && this.#caughtUpUnder === this.#lock.holding && this.#tail !== null) return [];
    if (await this.#appender.unchanged(tail, this.#segmentBytes)) {
      if (repairing) this.#caughtUpUnder = this.#lock.holding;
      return [];
    }
    this.#caughtUpUnder = null;
    // Reopened for the next write: the file may have been replaced under this process.
    await this.#appender.close();
    await this.#indexKeeper.ready();
    const appended = await readAppended(this.dir, tail, (record, segment, offset, length) => this.#indexKeeper.add(record, segment, offset, length));
    if (appended.kind === 'cut') return repairing ? this.#rescanAfterCut() : [];
    this.#tail = appended.tail;
    if (appended.kind === 'torn' && repairing) return this.#rescan();
    this.#indexKeeper.advance(appended.tail);
    if (repairing) this.#caughtUpUnder = this.#lock.holding;
    if (!repairing && appended.events > 0) this.#notify({ lastSeq: appended.tail.seq, count: appended.events });
    return [];
  }

  /** Someone cut the log below what this process had read: read its end again, index anew. */
  #rescanAfterCut(): Promise<EventFields[]> {
    this.#indexKeeper.reset();
    this.#recent.clear();
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
    const vault = this.#anchor.read();
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
      await this.#appender.close();
      await this.#reader.close();
      await this.#head.close();
    });
  }
}
