/**
 * The directory's records (holders, cards, certificates): an in-memory map per collection, kept
 * on disk as a lowdb snapshot plus an append-only journal.
 *
 * Why not one lowdb file: lowdb rewrites its whole document on every write. With 100,000 holders
 * that is tens of megabytes serialised, written and fsynced per change, far over the 100 ms an
 * update may take. Here a change is one journal line (the changed records only), appended and
 * fdatasynced before the commit returns; the snapshot (written like every vault document: tmp
 * file, fsync, rename, fsync folder) is rewritten only when the journal has grown large, by
 * compaction. A commit is one line, so a batch (a CSV import, a certificate and its card) is
 * all-or-nothing. Each line carries a checksum; only a torn last line, which was never
 * acknowledged, is dropped on open, anything else that fails its check stops the open.
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
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LowSync } from 'lowdb';
import { CardDeskError } from '../../shared/errors';
import type { AuditEventInput } from '../audit/audit-trail';
import { appendDurable, ensurePrivateDir, fsyncDir } from '../files/safe-file';
import { DurableJsonFile } from './json-file-adapter';

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
}

const SNAPSHOT = 'records.json';
const journalName = (generation: number): string => `journal-${generation}.log`;

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 16);
}

type ChangeListener = (changes: readonly RecordChange[]) => void;

export class RecordStore {
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

  private constructor(dir: string, options: RecordStoreOptions) {
    this.#dir = dir;
    this.#schemaVersion = options.schemaVersion;
    this.#compactAfter = options.compactAfterBytes ?? 64 * 1024 * 1024;
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

  #apply(changes: readonly RecordChange[]): void {
    for (const change of changes) {
      let map = this.#maps.get(change.collection);
      if (map === undefined) this.#maps.set(change.collection, (map = new Map<string, StoredRecord>()));
      if (change.record === null) map.delete(change.id);
      else map.set(change.id, change.record);
    }
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
   * Makes every change durable as one journal line, with the audit event that records them when
   * given (pending until `markRecorded`), then applies them. When this returns the changes are on
   * disk; when it throws, none of them happened.
   */
  commit(changes: readonly RecordChange[], event?: PendingEvent): void {
    if (changes.length === 0) return;
    this.#append(changes, event);
    if (event !== undefined) this.#pending.set(event.id, event);
    this.#apply(changes);
    for (const listener of this.#listeners) listener(changes);
    if (this.#journalBytes > this.#compactAfter) this.compact();
  }

  #append(changes: readonly RecordChange[], event?: PendingEvent): void {
    if (this.#fd === null) throw new Error('The record store is closed.');
    const seq = this.#seq + 1;
    const entry: JournalEntry = {
      s: seq,
      c: changes.map((change) => [change.collection, change.id, change.record]),
      ...(event === undefined ? {} : { e: [event] }),
      ...(this.#marks.length === 0 ? {} : { d: this.#marks }),
    };
    const payload = JSON.stringify(entry);
    const line = Buffer.from(`${checksum(payload)} ${payload}\n`, 'utf8');
    try {
      appendDurable(this.#fd, line);
    } catch (error) {
      // Cut off whatever part of the line reached the file, so the journal stays well formed.
      ftruncateSync(this.#fd, this.#journalBytes);
      throw error;
    }
    this.#journalBytes += line.length;
    this.#seq = seq;
    this.#marks = [];
  }

  /** The audit log holds the event of change `id`: it is no longer pending (written with the next line). */
  markRecorded(id: string): void {
    if (this.#pending.delete(id)) this.#marks.push(id);
  }

  /** Events written with their changes that are not known to be in the audit log, oldest first. */
  pendingEvents(): PendingEvent[] {
    return [...this.#pending.values()].sort((a, b) => a.at - b.at);
  }

  /** Writes every record into a new snapshot and starts an empty journal for it. */
  compact(schemaVersion = this.#schemaVersion): void {
    if (this.#fd === null) throw new Error('The record store is closed.');
    const collections: Record<string, StoredRecord[]> = {};
    for (const [name, map] of this.#maps) collections[name] = [...map.values()];
    const generation = this.#generation + 1;
    // Events not yet known to be in the audit log move into the snapshot; marks are then moot.
    this.#snapshotDb.data = { format: 'carddesk-records', schemaVersion, generation, seq: this.#seq, collections, pending: [...this.#pending.values()] };
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

  /** Replaces every record at once (migrations, restore) and compacts. */
  replaceAll(collections: Record<string, StoredRecord[]>, schemaVersion: number): void {
    this.#maps.clear();
    for (const [name, records] of Object.entries(collections)) this.#maps.set(name, new Map(records.map((r) => [r.id, r])));
    this.compact(schemaVersion);
  }

  /** Every record, for backups and migrations. */
  dump(): Record<string, StoredRecord[]> {
    const out: Record<string, StoredRecord[]> = {};
    for (const [name, map] of this.#maps) out[name] = [...map.values()];
    return out;
  }

  close(): void {
    if (this.#fd !== null && this.#marks.length > 0) {
      try {
        this.#append([]);
      } catch {
        // Only a hint: recovery finds these events in the log instead.
      }
    }
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
