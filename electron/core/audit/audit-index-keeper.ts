/**
 * Keeps the audit log's index (audit-index.ts) beside the write path (audit-log.ts): loads the
 * saved index file and checks it still describes a prefix of the log (or rebuilds it from the
 * segments), adds the events the log appends or reads from other writers, and saves the file
 * every `saveEvery` new events and on close, so the next open is a warm one.
 *
 * The log owns one keeper and calls it at clear points, always from its one-at-a-time chain:
 * `add` for each event of a durable batch or read from disk, `advance` once the tail moved,
 * `ready` before adding, `load` on first use, `reset` when the log was cut below what was read, `saveIfDue` after a
 * batch, and `close`. Until `load`, nothing is kept (`add` and `advance` do nothing).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { AuditIndex } from './audit-index';
import { decodeLine, type EventRecord } from './audit-record';
import { readRange, scanEvents } from './event-line-scanner';
import type { LogTail } from './log-tail';
import { lastLineBefore, listSegments } from './segment-files';

export interface AuditIndexKeeperOptions {
  /** The log's folder; the index file is `index/events.idx` in it. */
  readonly dir: string;
  /** Save the index after this many new events (default 50,000). */
  readonly saveEvery?: number;
  readonly log?: Logger | undefined;
}

export class AuditIndexKeeper {
  readonly dir: string;
  readonly #saveEvery: number;
  readonly #log: Logger | undefined;
  #index: AuditIndex | null = null;
  /** Events in the index, and how many of them the saved index file lacks. */
  #indexedCount = 0;
  #unsaved = 0;
  /** The saved file had a damaged column: the next load rebuilds instead of reading it. */
  #damagedFile = false;
  #columnsRead: Promise<boolean> = Promise.resolve(true);

  constructor(options: AuditIndexKeeperOptions) {
    this.dir = options.dir;
    this.#saveEvery = options.saveEvery ?? 50_000;
    this.#log = options.log;
  }

  get path(): string {
    return join(this.dir, 'index', 'events.idx');
  }

  /** The index once loaded, kept up to date from then on (null before, or after `reset`). */
  get index(): AuditIndex | null {
    return this.#index;
  }

  /** Resolves once a warm-loaded index has read and checked all its columns (false: one was damaged, the index dropped). */
  get columnsRead(): Promise<boolean> {
    return this.#columnsRead;
  }

  /** Events the saved index file lacks. */
  get unsaved(): number {
    return this.#unsaved;
  }

  /**
   * Reads (in the thread pool) the columns a warm-loaded index has not read yet, so events can
   * be added: call before `add`. A damaged column drops the index (it is rebuilt on next use).
   */
  async ready(): Promise<void> {
    await this.#index?.loadColumns();
  }

  /** Adds one event the log wrote or read, where it is on disk (nothing while not loaded). */
  add(record: EventRecord, segment: string, offset: number, length: number): void {
    this.#index?.add(record, segment, offset, length);
  }

  /** The index has read as far as the tail; counts the events it gained since it was saved. */
  advance(tail: LogTail | null): void {
    if (this.#index === null || tail === null) return;
    this.#unsaved += this.#index.count - this.#indexedCount;
    this.#indexedCount = this.#index.count;
    this.#index.position = { segment: tail.segment, offset: tail.size, lastSeq: tail.seq, lastHash: tail.hash };
  }

  /** The log was cut below what was read: the index is dropped and loaded anew on next use. */
  reset(): void {
    this.#index = null;
  }

  /**
   * Loads the saved index when it still describes a prefix of the log ending at `tail` (warm),
   * else rebuilds it from the segments, then catches up to `tail`. Returns whether it should be
   * saved soon (rebuilt, or many events behind), which the caller schedules after answering.
   */
  async load(tail: LogTail): Promise<{ warm: boolean; saveSoon: boolean }> {
    // A file whose column failed its check is not loaded again: it is rebuilt, then saved over.
    const saved = this.#damagedFile ? null : await AuditIndex.load(this.path);
    let warm = saved !== null && (await this.#stillMatches(saved, tail));
    let index: AuditIndex | null = null;
    const savedCount = saved?.count ?? 0;
    if (warm && saved !== null) {
      saved.onDamaged(() => this.#damaged(saved));
      // Events to add first: the columns must be in memory to grow (read them off the event loop).
      const behind = this.#behind(saved, tail);
      if (behind && !(await saved.loadColumns())) warm = false;
      else index = behind ? await this.#catchUp(saved, tail) : saved;
      // Otherwise the columns are read in the background: a warm open only reads the header.
      // After the request that opened the index is answered (it needs only a few blocks).
      if (warm) this.#columnsRead = new Promise<void>((resolve) => setImmediate(resolve)).then(() => saved.loadColumns());
    }
    if (!warm) {
      saved?.discard();
      this.#log?.info('rebuilding the audit index from the log');
    }
    const before = warm ? savedCount : 0;
    index ??= await this.#catchUp(new AuditIndex(), tail);
    this.#index = index;
    this.#indexedCount = index.count;
    this.#unsaved = index.count - before;
    this.advance(tail);
    return { warm, saveSoon: !warm || this.#unsaved >= this.#saveEvery };
  }

  /** A column of a saved index failed its check after the index was loaded: drop it, rebuild on next use. */
  #damaged(index: AuditIndex): void {
    this.#damagedFile = true;
    this.#log?.warn('the audit index file is damaged; it is rebuilt from the log');
    if (this.#index === index) this.#index = null;
  }

  /** Whether the log holds records after those a saved index has read. */
  #behind(index: AuditIndex, tail: LogTail): boolean {
    return index.position.segment !== tail.segment || index.position.offset !== tail.size;
  }

  /** Whether a saved index describes a prefix of this log (its last record is still there). */
  async #stillMatches(index: AuditIndex, tail: LogTail): Promise<boolean> {
    const { segment, offset, lastSeq, lastHash } = index.position;
    if (segment === null || lastSeq === 0) return false;
    if (lastSeq > tail.seq) return false;
    const last = await lastLineBefore(join(this.dir, segment), offset);
    if (last === null) return false;
    const decoded = decodeLine(last);
    return decoded.ok && decoded.record.seq === lastSeq && decoded.hash === lastHash;
  }

  /**
   * Adds the events between where the index stopped and the log's tail, a segment at a time: the
   * next segment is read (in the thread pool) while this one is scanned, and the event loop gets
   * a turn between segments. Measured on two cores, this beat sharing the segments out to worker
   * threads, whose start and hand-back cost more than they saved.
   */
  async #catchUp(index: AuditIndex, tail: LogTail): Promise<AuditIndex> {
    const segments = await listSegments(this.dir);
    // A new index starts at the first segment (its position names none).
    const first = Math.max(0, segments.findIndex((segment) => segment.name === index.position.segment));
    const last = segments.findIndex((segment) => segment.name === tail.segment);
    const ranges = segments.slice(first, last < 0 ? undefined : last + 1).map((segment) => ({
      segment,
      from: segment.name === index.position.segment ? index.position.offset : 0,
      until: segment.name === tail.segment ? tail.size : Infinity,
    }));
    // Events are about 400 bytes (actors, holders and details make them longer or shorter).
    const sizes = await Promise.all(ranges.map(async (range) => Math.min(range.until, (await stat(range.segment.path)).size) - range.from));
    index.reserve(Math.ceil(sizes.reduce((sum, size) => sum + size, 0) / 350));
    const read = (range: (typeof ranges)[number] | undefined): Promise<Buffer> | null => {
      if (range === undefined) return null;
      const reading = readRange(range.segment.path, range.from, range.until);
      // Awaited in the next round; not reported as unhandled if this round's scan throws first.
      reading.catch(() => undefined);
      return reading;
    };
    let next = read(ranges[0]);
    for (const [i, range] of ranges.entries()) {
      const bytes = await (next as Promise<Buffer>);
      next = read(ranges[i + 1]);
      const id = index.segmentId(range.segment.name);
      scanEvents(bytes, range.from, index.names, (event, offset, length) => index.addScanned(event, id, offset, length));
    }
    return index;
  }

  /** Saves now when `saveEvery` events are unsaved. */
  async saveIfDue(): Promise<void> {
    if (this.#index !== null && this.#unsaved >= this.#saveEvery) await this.save();
  }

  /** Writes the index file; a failure is logged (the next open rebuilds it). */
  async save(): Promise<void> {
    try {
      const index = this.#index;
      if (index === null) return;
      // A warm-loaded index saves only once its columns are in memory (a damaged one is dropped).
      if (!(await index.loadColumns()) || this.#index !== index) return;
      const unsaved = this.#unsaved;
      await index.save(this.path);
      this.#unsaved = Math.max(0, this.#unsaved - unsaved);
      this.#damagedFile = false;
    } catch (error) {
      this.#log?.warn('the audit index could not be saved; it is rebuilt on the next open', { error });
    }
  }

  /** Saves what the index file lacks, as the log closes. */
  async close(): Promise<void> {
    if (this.#index !== null && this.#unsaved > 0) await this.save();
  }
}
