/**
 * The directory's records (holders, cards, certificates): an in-memory map per collection, kept
 * on disk as a lowdb snapshot plus an append-only journal.
 *
 * Why not one lowdb file: lowdb rewrites its whole document on every write. With 100,000 holders
 * that is tens of megabytes serialised, written and fsynced per change, far over the 100 ms an
 * update may take. Here a change is one journal line (the changed records only); the snapshot
 * (written like every vault document: tmp file, fsync, rename, fsync folder) is rewritten only
 * when the journal has grown large, by compaction. A commit is one line, so a batch (a CSV
 * import, a certificate and its card) is all-or-nothing. Each line carries a checksum; only a
 * torn last line, which was never acknowledged, is dropped on open, anything else that fails its
 * check stops the open.
 *
 * A commit applies its changes in memory at once (so a service's check and its change stay one
 * step: nothing else runs between them) and resolves once its line is on disk. The writes and
 * fdatasyncs run in the thread pool, off the event loop, one at a time: lines committed while one
 * is being written go together in the next (group commit, one fdatasync for all). If a write
 * fails, the changes of that line and of every line after it are undone in memory, newest
 * first, and their commits reject: nothing is acknowledged that is not on disk, and memory never
 * runs ahead of the disk for long. `revision` counts such undos, so indexes built on the records
 * know to rebuild. Compaction runs in the same queue.
 *
 * Journal files are numbered by generation: the snapshot names the generation whose journal
 * continues it, so a crash between writing a snapshot and starting its journal loses nothing.
 *
 * A change may carry its audit event in the same line (`e`, see change-events.ts): the event is
 * then pending until `markRecorded` says the audit log holds it. Marks are not fsynced on their
 * own: they ride on the next line (`d`), or a last line written on close, so a change costs one
 * fdatasync as before. Pending events survive compaction (in the snapshot's `pending`); on open
 * `pendingEvents()` lists those without a mark, for recovery to look up in the log.
 */
import { createHash } from 'node:crypto';
import { close as closeFd, closeSync, ftruncate, ftruncateSync, open as openFd, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LowSync } from 'lowdb';
import { CardDeskError } from '../../shared/errors';
import type { AuditEventInput } from '../audit/audit-trail';
import { appendDurably, ensurePrivateDir, fsyncDir, fsyncDirDurably, writeFileDurably } from '../files/safe-file';
import { DurableJsonFile } from './json-file-adapter';
import type { Records } from './records';

export interface StoredRecord {
  readonly id: string;
}

/** One record put (or removed, with `record: null`) in one collection. */
export interface RecordChange {
  readonly collection: string;
  readonly id: string;
  readonly record: StoredRecord | null;
}

/** An audit event written in the same journal line as its change (see change-events.ts). */
export interface PendingEvent {
  /** The change id the audit record carries. */
  readonly id: string;
  /** When the change was made (epoch ms). */
  readonly at: number;
  readonly event: AuditEventInput;
}

interface JournalEntry {
  readonly s: number;
  readonly c: [string, string, StoredRecord | null][];
  /** Events written with this change. */
  readonly e?: PendingEvent[];
  /** Change ids whose events the audit log now holds. */
  readonly d?: string[];
}

export interface RecordSnapshot {
  readonly format: 'carddesk-records';
  readonly schemaVersion: number;
  /** The journal continuing this snapshot is journal-<generation>.log. */
  readonly generation: number;
  readonly seq: number;
  readonly collections: Record<string, StoredRecord[]>;
  /** Events of changes in this snapshot that were not yet known to be in the audit log. */
  readonly pending?: PendingEvent[];
}

export interface RecordStoreOptions {
  readonly schemaVersion: number;
  /** Compact when the journal passes this size (bytes). */
  readonly compactAfterBytes?: number;
  /** Appends lines to the journal durably (the default: `appendDurably`; tests put in a failing disk). */
  readonly appendLines?: (fd: number, data: Buffer) => Promise<void>;
}

/** A committed line waiting in the write queue, with what undoes it if its write fails. */
interface QueuedLine {
  readonly kind: 'line';
  readonly line: Buffer;
  /** The records as they were before, newest change first. */
  readonly undo: readonly RecordChange[];
  readonly event: PendingEvent | undefined;
  /** The marks this line carries: back to be written with a later line if this one fails. */
  readonly marks: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A compaction waiting in the write queue (asked for, or due because the journal grew). */
interface QueuedCompaction {
  readonly kind: 'compact';
  readonly schemaVersion: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const openFile = promisify(openFd);
const closeFile = promisify(closeFd);
const truncateFile = promisify(ftruncate);

const SNAPSHOT = 'records.json';
const journalName = (generation: number): string => `journal-${generation}.log`;

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 16);
}

type ChangeListener = (changes: readonly RecordChange[]) => void;

export class RecordStore implements Records {
  readonly #dir: string;
  readonly #maps = new Map<string, Map<string, StoredRecord>>();
  readonly #listeners = new Set<ChangeListener>();
  readonly #compactAfter: number;
  readonly #snapshotDb: LowSync<RecordSnapshot>;
  #schemaVersion: number;
  #generation = 0;
  #seq = 0;
  #fd: number | null = null;
  #journalBytes = 0;
  /** Events written with their changes, not yet known to be in the audit log, by change id. */
  readonly #pending = new Map<string, PendingEvent>();
  /** Change ids marked recorded since the last line: written with the next one. */
  #marks: string[] = [];
  readonly #appendLines: (fd: number, data: Buffer) => Promise<void>;
  readonly #queue: (QueuedLine | QueuedCompaction)[] = [];
  #writing: Promise<void> | null = null;
  #closing = false;
  #revision = 0;

  private constructor(dir: string, options: RecordStoreOptions) {
    this.#dir = dir;
    this.#schemaVersion = options.schemaVersion;
    this.#compactAfter = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.#appendLines = options.appendLines ?? appendDurably;
    this.#snapshotDb = new LowSync(new DurableJsonFile<RecordSnapshot>(join(dir, SNAPSHOT)), {
      format: 'carddesk-records',
      schemaVersion: options.schemaVersion,
      generation: 0,
      seq: 0,
      collections: {},
    });
  }

  /** Loads the snapshot, replays its journal and opens the journal for appending. */
  static open(dir: string, options: RecordStoreOptions): RecordStore {
    ensurePrivateDir(dir);
    const store = new RecordStore(dir, options);
    store.#load();
    return store;
  }

  get schemaVersion(): number {
    return this.#schemaVersion;
  }

  get journalBytes(): number {
    return this.#journalBytes;
  }

  /** Changes whenever committed changes were undone (a failed write): indexes built before are stale. */
  get revision(): number {
    return this.#revision;
  }

  #load(): void {
    this.#snapshotDb.read();
    const snapshot = this.#snapshotDb.data;
    if (snapshot.format !== 'carddesk-records') throw new CardDeskError('VAULT_CORRUPT', 'The records snapshot is not a CardDesk file.');
    this.#schemaVersion = snapshot.schemaVersion;
    this.#generation = snapshot.generation;
    this.#seq = snapshot.seq;
    for (const [collection, records] of Object.entries(snapshot.collections)) {
      this.#maps.set(collection, new Map(records.map((record) => [record.id, record])));
    }
    for (const pending of snapshot.pending ?? []) this.#pending.set(pending.id, pending);
    // The snapshot's records now live in the maps; drop the duplicate.
    this.#snapshotDb.data = { ...snapshot, collections: {}, pending: [] };

    const path = join(this.#dir, journalName(this.#generation));
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let good = 0;
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      if (end < 0) break; // A torn last line: written by a commit that never returned.
      const line = text.slice(start, end);
      const space = line.indexOf(' ');
      const payload = line.slice(space + 1);
      if (space !== 16 || checksum(payload) !== line.slice(0, 16)) {
        throw new CardDeskError('VAULT_CORRUPT', `The vault journal ${path} is damaged at byte ${good}.`);
      }
      const entry = JSON.parse(payload) as JournalEntry;
      if (entry.s > this.#seq) {
        this.#apply(entry.c.map(([collection, id, record]) => ({ collection, id, record })));
        for (const pending of entry.e ?? []) this.#pending.set(pending.id, pending);
        for (const id of entry.d ?? []) this.#pending.delete(id);
        this.#seq = entry.s;
      }
      start = end + 1;
      good += Buffer.byteLength(line) + 1;
    }
    this.#fd = openSync(path, 'a+', 0o600);
    if (good !== Buffer.byteLength(text)) ftruncateSync(this.#fd, good);
    this.#journalBytes = good;
    fsyncDir(this.#dir);
    this.#removeOldJournals();
  }

  #removeOldJournals(): void {
    for (const name of readdirSync(this.#dir)) {
      const match = /^journal-(\d+)\.log$/.exec(name);
      if (match !== null && Number(match[1]) !== this.#generation) unlinkSync(join(this.#dir, name));
    }
  }

  /** Applies changes in order; returns the changes that undo them (newest first). */
  #apply(changes: readonly RecordChange[]): RecordChange[] {
    const undo: RecordChange[] = [];
    for (const change of changes) {
      let map = this.#maps.get(change.collection);
      if (map === undefined) this.#maps.set(change.collection, (map = new Map<string, StoredRecord>()));
      undo.unshift({ collection: change.collection, id: change.id, record: map.get(change.id) ?? null });
      if (change.record === null) map.delete(change.id);
      else map.set(change.id, change.record);
    }
    return undo;
  }

  get<T extends StoredRecord>(collection: string, id: string): T | undefined {
    return this.#maps.get(collection)?.get(id) as T | undefined;
  }

  values<T extends StoredRecord>(collection: string): IterableIterator<T> {
    const map = this.#maps.get(collection) ?? new Map<string, StoredRecord>();
    return map.values() as IterableIterator<T>;
  }

  size(collection: string): number {
    return this.#maps.get(collection)?.size ?? 0;
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies the changes at once and writes them, with the audit event that records them when
   * given (pending until `markRecorded`), as one journal line. Resolves once the line is on disk;
   * rejects, with the changes undone, if it cannot be written.
   */
  commit(changes: readonly RecordChange[], event?: PendingEvent): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    if (this.#fd === null || this.#closing) return Promise.reject(new Error('The record store is closed.'));
    const seq = this.#seq + 1;
    const marks = this.#marks;
    const entry: JournalEntry = {
      s: seq,
      c: changes.map((change) => [change.collection, change.id, change.record]),
      ...(event === undefined ? {} : { e: [event] }),
      ...(marks.length === 0 ? {} : { d: marks }),
    };
    const payload = JSON.stringify(entry);
    const line = Buffer.from(`${checksum(payload)} ${payload}\n`, 'utf8');
    this.#seq = seq;
    this.#marks = [];
    if (event !== undefined) this.#pending.set(event.id, event);
    const undo = this.#apply(changes);
    for (const listener of this.#listeners) listener(changes);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'line', line, undo, event, marks, resolve, reject });
      this.#startWriting();
    });
  }

  #startWriting(): void {
    this.#writing ??= this.#write()
      // Only if the store was closed under the queue: what waits is undone, never left hanging.
      .catch((error: unknown) => this.#undo(this.#queue.splice(0), error))
      .finally(() => {
        this.#writing = null;
        // Something queued while the last step was finishing.
        if (this.#queue.length > 0) this.#startWriting();
      });
  }

  /** Works through the queue: consecutive lines as one write and one fdatasync, compactions alone. */
  async #write(): Promise<void> {
    while (this.#queue.length > 0) {
      const fd = this.#fd;
      if (fd === null) throw new Error('The record store is closed.');
      if (this.#queue[0]?.kind === 'compact') {
        await this.#compactQueued();
        continue;
      }
      const next = this.#queue.findIndex((item) => item.kind === 'compact');
      const batch = this.#queue.splice(0, next < 0 ? this.#queue.length : next) as QueuedLine[];
      const data = Buffer.concat(batch.map((item) => item.line));
      try {
        await this.#appendLines(fd, data);
      } catch (error) {
        // Cut off whatever part of the lines reached the file, so the journal stays well formed.
        await truncateFile(fd, this.#journalBytes).catch(() => undefined);
        this.#undo([...batch, ...this.#queue.splice(0)], error);
        continue;
      }
      this.#journalBytes += data.length;
      for (const item of batch) item.resolve();
      if (this.#journalBytes > this.#compactAfter && !this.#queue.some((item) => item.kind === 'compact')) {
        this.#queue.unshift({ kind: 'compact', schemaVersion: this.#schemaVersion, resolve: () => undefined, reject: () => undefined });
      }
    }
  }

  /** Undoes queued items newest first (their lines never reached the disk) and rejects their commits. */
  #undo(items: readonly (QueuedLine | QueuedCompaction)[], error: unknown): void {
    for (const item of [...items].reverse()) {
      if (item.kind === 'line') {
        this.#apply(item.undo);
        for (const listener of this.#listeners) listener(item.undo);
        if (item.event !== undefined) this.#pending.delete(item.event.id);
        this.#marks.push(...item.marks);
      }
      item.reject(error);
    }
    this.#revision += 1;
  }

  /** The audit log holds the event of change `id`: it is no longer pending (written with the next line). */
  markRecorded(id: string): void {
    if (this.#pending.delete(id)) this.#marks.push(id);
  }

  /** Events written with their changes that are not known to be in the audit log, oldest first. */
  pendingEvents(): PendingEvent[] {
    return [...this.#pending.values()].sort((a, b) => a.at - b.at);
  }

  /** The snapshot of every record as it is in memory now, continued by journal `generation`. */
  #snapshot(schemaVersion: number, generation: number): RecordSnapshot {
    return { format: 'carddesk-records', schemaVersion, generation, seq: this.#seq, collections: this.dump(), pending: [...this.#pending.values()] };
  }

  /**
   * Writes every record into a new snapshot and starts an empty journal for it, after the lines
   * queued before it. Lines committed meanwhile are in memory, so the snapshot holds them: they
   * are done when it is on disk (and undone with it if it cannot be written).
   */
  compact(schemaVersion = this.#schemaVersion): Promise<void> {
    if (this.#fd === null || this.#closing) return Promise.reject(new Error('The record store is closed.'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'compact', schemaVersion, resolve, reject });
      this.#startWriting();
    });
  }

  async #compactQueued(): Promise<void> {
    const absorbed = this.#queue.splice(0);
    const schemaVersion = absorbed.reduce((version, item) => (item.kind === 'compact' ? item.schemaVersion : version), this.#schemaVersion);
    const generation = this.#generation + 1;
    const marks = this.#marks;
    let newFd: number | null = null;
    try {
      // Events not yet known to be in the audit log move into the snapshot; marks are then moot.
      this.#marks = [];
      await writeFileDurably(join(this.#dir, SNAPSHOT), JSON.stringify(this.#snapshot(schemaVersion, generation)));
      newFd = await openFile(join(this.#dir, journalName(generation)), 'a+', 0o600);
      await fsyncDirDurably(this.#dir);
    } catch (error) {
      if (newFd !== null) await closeFile(newFd).catch(() => undefined);
      this.#marks = [...marks, ...this.#marks];
      this.#undo(absorbed, error);
      return;
    }
    const oldFd = this.#fd;
    this.#fd = newFd;
    this.#generation = generation;
    this.#schemaVersion = schemaVersion;
    this.#journalBytes = 0;
    if (oldFd !== null) await closeFile(oldFd).catch(() => undefined);
    await this.#removeOldJournalsDurably().catch(() => undefined);
    for (const item of absorbed) item.resolve();
  }

  async #removeOldJournalsDurably(): Promise<void> {
    for (const name of await readdir(this.#dir)) {
      const match = /^journal-(\d+)\.log$/.exec(name);
      if (match !== null && Number(match[1]) !== this.#generation) await unlink(join(this.#dir, name));
    }
  }

  /** Replaces every record at once (a restore) and compacts. */
  replaceAll(collections: Record<string, StoredRecord[]>, schemaVersion: number): Promise<void> {
    this.#replaceMaps(collections);
    this.#revision += 1;
    return this.compact(schemaVersion);
  }

  #replaceMaps(collections: Record<string, StoredRecord[]>): void {
    this.#maps.clear();
    for (const [name, records] of Object.entries(collections)) this.#maps.set(name, new Map(records.map((r) => [r.id, r])));
  }

  /**
   * Replaces every record while the vault is being opened (a migration), before any request is
   * served: the one place the store writes synchronously after its open.
   */
  replaceAllAtOpen(collections: Record<string, StoredRecord[]>, schemaVersion: number): void {
    if (this.#fd === null || this.#queue.length > 0 || this.#writing !== null) throw new Error('replaceAllAtOpen runs only right after open.');
    this.#replaceMaps(collections);
    const generation = this.#generation + 1;
    this.#snapshotDb.data = this.#snapshot(schemaVersion, generation);
    this.#snapshotDb.write();
    this.#snapshotDb.data = { ...this.#snapshotDb.data, collections: {}, pending: [] };
    this.#marks = [];
    closeSync(this.#fd);
    this.#generation = generation;
    this.#schemaVersion = schemaVersion;
    this.#fd = openSync(join(this.#dir, journalName(generation)), 'a+', 0o600);
    this.#journalBytes = 0;
    fsyncDir(this.#dir);
    this.#removeOldJournals();
  }

  /** Every record, for backups and migrations. */
  dump(): Record<string, StoredRecord[]> {
    const out: Record<string, StoredRecord[]> = {};
    for (const [name, map] of this.#maps) out[name] = [...map.values()];
    return out;
  }

  /** Resolves once every line and compaction queued so far is written (or undone). */
  async settled(): Promise<void> {
    while (this.#writing !== null) await this.#writing.catch(() => undefined);
  }

  /** Waits for every queued write, writes the last marks (a hint only) and closes the journal. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.settled();
    const fd = this.#fd;
    if (fd === null) return;
    this.#fd = null;
    if (this.#marks.length > 0) {
      const payload = JSON.stringify({ s: this.#seq + 1, c: [], d: this.#marks } satisfies JournalEntry);
      // Only a hint: recovery finds these events in the log instead.
      await this.#appendLines(fd, Buffer.from(`${checksum(payload)} ${payload}\n`, 'utf8')).catch(() => undefined);
      this.#marks = [];
    }
    await closeFile(fd);
  }
}
