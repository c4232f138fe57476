/**
 * The derived indexes of the audit log: one column per field the screens filter on (time,
 * outcome, action, actor, holder, channel) plus where each event's line is, kept in typed arrays
 * in event order, with per-holder and per-actor position lists. Events are appended in time
 * order (the log never lets time go backwards), so a date range is two binary searches.
 *
 * Saved as one file (`audit/index/events.idx`) that can be deleted at any time: the log rebuilds
 * it from the segments when it is missing, damaged, or does not match the log. Opening it reads
 * only its header (names, position, each column's place and CRC-32); the columns (tens of
 * megabytes for a million events) are read in the background right after, each checked against
 * its CRC-32. A query first reads what it is about to touch and is not read yet (`need`,
 * `needLocations`: whole columns, or for the first pages just the blocks holding its events),
 * asynchronously, then scans synchronously. So a warm open costs the same whatever the log's
 * size, no read blocks the event loop, and a damaged column is still never used.
 *
 * The file's bytes (write, read, CRC-32 checks) are audit-index-file.ts; the columns read after
 * the header are audit-index-columns.ts; the keeper beside the log's write path that loads,
 * rebuilds and saves the index is audit-index-keeper.ts.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditOutcome } from '../../shared/schemas/audit';
import { ensurePrivateDirAsync, writeFileDurably } from '../files/safe-file';
import { LazyColumns } from './audit-index-columns';
import { allocate, COLUMN_NAMES, damagedIndex, parseIndexFile, readIndexHeader, serializeIndex, type ColumnName, type Columns, type IndexPosition, type IndexStrings } from './audit-index-file';
import { GENESIS_HASH, type EventRecord } from './audit-record';
import { ACTOR_KINDS, CHANNELS, Interner, type Interners, type ScannedEvent } from './event-line-scanner';

export type { IndexPosition } from './audit-index-file';

const OUTCOMES = ['success', 'failure'] as const;

export interface IndexQuery {
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly actor?: string;
  /** Any of these actors (an operator filter by name: every account of that name); none known, nothing matches. */
  readonly actors?: readonly string[];
  readonly holder?: string;
  readonly actions?: readonly string[];
  readonly outcome?: AuditOutcome;
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
}

export interface EventLocation {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Positions of the events of each holder (or actor), ascending: one counting sort of the column
 * when first asked (compressed rows: `start[id]` to `start[id + 1]` in `positions`), plus a short
 * list per id for events added after that.
 */
class Postings {
  #start: Uint32Array | null = null;
  #positions = new Uint32Array(0);
  #later = new Map<number, number[]>();
  #laterCount = 0;

  added(id: number, position: number): void {
    if (this.#start === null) return;
    this.#laterCount += 1;
    const list = this.#later.get(id);
    if (list === undefined) this.#later.set(id, [position]);
    else list.push(position);
  }

  #build(column: Uint32Array, count: number): void {
    let ids = 0;
    for (let p = 0; p < count; p += 1) ids = Math.max(ids, column[p] ?? 0);
    const start = new Uint32Array(ids + 2);
    for (let p = 0; p < count; p += 1) start[(column[p] ?? 0) + 1] = (start[(column[p] ?? 0) + 1] ?? 0) + 1;
    for (let id = 1; id < start.length; id += 1) start[id] = (start[id] ?? 0) + (start[id - 1] ?? 0);
    const fill = start.slice(0, -1);
    const positions = new Uint32Array(count);
    for (let p = 0; p < count; p += 1) {
      const id = column[p] ?? 0;
      positions[fill[id] ?? 0] = p;
      fill[id] = (fill[id] ?? 0) + 1;
    }
    this.#start = start;
    this.#positions = positions;
    this.#later.clear();
    this.#laterCount = 0;
  }

  of(id: number, column: Uint32Array, count: number): ArrayLike<number> {
    if (this.#start === null || this.#laterCount > 50_000) this.#build(column, count);
    const start = this.#start ?? new Uint32Array(1);
    const built = id + 1 < start.length ? this.#positions.subarray(start[id] ?? 0, start[id + 1] ?? 0) : new Uint32Array(0);
    const later = this.#later.get(id);
    if (later === undefined) return built;
    const all = new Uint32Array(built.length + later.length);
    all.set(built);
    all.set(later, built.length);
    return all;
  }
}

export class AuditIndex {
  count = 0;
  position: IndexPosition = { segment: null, offset: 0, lastSeq: 0, lastHash: GENESIS_HASH };
  #columns: Columns;
  readonly #actors: Interner;
  readonly #holders: Interner;
  readonly #actions: Interner;
  readonly #segments: Interner;
  /** Event positions per holder and per actor, built on first use. */
  readonly #byHolder = new Postings();
  readonly #byActor = new Postings();
  /** Columns of a saved index not read yet (see `load`), and whether one failed its check. */
  #lazy: LazyColumns | null = null;
  #damaged = false;
  #damagedListener: (() => void) | null = null;

  constructor(init?: { columns: Columns; count: number; strings: IndexStrings }) {
    this.#columns = init?.columns ?? allocate(1024);
    this.count = init?.count ?? 0;
    this.#actors = new Interner(init?.strings.actors.slice(1));
    this.#holders = new Interner(init?.strings.holders.slice(1));
    this.#actions = new Interner(init?.strings.actions.slice(1));
    this.#segments = new Interner(init?.strings.segments.slice(1));
  }

  /** The string tables the scanner turns names into ids with. */
  get names(): Interners {
    return { actors: this.#actors, holders: this.#holders, actions: this.#actions };
  }

  segmentId(segment: string): number {
    return this.#segments.id(segment);
  }

  add(record: EventRecord, segment: string, offset: number, length: number): void {
    const event: ScannedEvent = {
      seq: record.seq,
      timeMs: Date.parse(record.time),
      actorKind: Math.max(0, ACTOR_KINDS.indexOf(record.actor.kind)),
      actor: this.#actors.id(record.actor.id),
      channel: Math.max(0, CHANNELS.indexOf(record.channel)),
      action: this.#actions.id(record.action),
      failure: record.outcome === 'failure',
      holder: record.holder === undefined ? 0 : this.#holders.id(record.holder),
    };
    this.addScanned(event, this.segmentId(segment), offset, length);
  }

  addScanned(event: ScannedEvent, segment: number, offset: number, length: number): void {
    if (this.count === this.#columns.seq.length) this.#grow();
    const c = this.#columns;
    const p = this.count;
    c.seq[p] = event.seq;
    c.time[p] = event.timeMs;
    c.offset[p] = offset;
    c.length[p] = length;
    c.segment[p] = segment;
    c.action[p] = event.action;
    c.outcome[p] = event.failure ? 1 : 0;
    c.actorKind[p] = event.actorKind;
    c.channel[p] = event.channel;
    const actor = event.actor;
    const holder = event.holder;
    c.actor[p] = actor;
    c.holder[p] = holder;
    this.#byActor.added(actor, p);
    this.#byHolder.added(holder, p);
    this.count = p + 1;
  }

  /** Makes room for `more` events at once (a rebuild knows roughly how many are coming). */
  reserve(more: number): void {
    if (this.count + more > this.#columns.seq.length) this.#grow(this.count + more);
  }

  #grow(capacity = Math.ceil(this.#columns.seq.length * 1.5)): void {
    const bigger = allocate(Math.max(1024, capacity));
    for (const name of COLUMN_NAMES) bigger[name].set(this.#columns[name]);
    this.#columns = bigger;
  }

  /** The columns `scan(query)` touches (read them with `need` first). */
  static columnsOf(query: IndexQuery): ColumnName[] {
    const names: ColumnName[] = [];
    if (query.fromMs !== undefined || query.toMs !== undefined) names.push('time');
    if (query.afterSeq !== undefined || query.beforeSeq !== undefined) names.push('seq');
    if (query.outcome !== undefined) names.push('outcome');
    if (query.actions !== undefined && query.actions.length > 0) names.push('action');
    if (query.holder !== undefined) names.push('holder');
    if (query.actor !== undefined || query.actors !== undefined) names.push('actor');
    return names;
  }

  /**
   * Reads, in the thread pool, the columns of a saved index not read yet that the next calls
   * use (`scan` of a query: `columnsOf`; `seqAt`: seq; `timeAt`: time; `outcomeAt`: outcome;
   * `lastOfHolder`: holder). At once when every column is in memory.
   */
  async need(names: readonly ColumnName[]): Promise<void> {
    if (this.#damaged) throw damagedIndex();
    await this.#lazy?.need(names);
  }

  /** Reads what `location` needs for these positions (see `need`): the blocks holding them, or whole columns. */
  async needLocations(positions: readonly number[]): Promise<void> {
    if (this.#damaged) throw damagedIndex();
    await this.#lazy?.needAt(['segment', 'offset', 'length'], positions);
  }

  location(p: number): EventLocation {
    const lazy = this.#lazy;
    // Before the columns are read, the first pages read only the blocks they need (needLocations).
    const at = (name: 'segment' | 'offset' | 'length'): number => (lazy === null ? this.#columns[name][p] : lazy.valueAt(name, p)) ?? 0;
    return { segment: this.#segments.values[at('segment')] ?? '', offset: at('offset'), length: at('length') };
  }

  seqAt(p: number): number {
    return this.#columns.seq[p] ?? 0;
  }

  timeAt(p: number): number {
    return this.#columns.time[p] ?? 0;
  }

  outcomeAt(p: number): AuditOutcome {
    return OUTCOMES[this.#columns.outcome[p] ?? 0] ?? 'success';
  }

  /** The first position whose column value is at least `value` (columns ascending). */
  #lowerBound(column: Float64Array, value: number, positions?: ArrayLike<number>): number {
    let lo = 0;
    let hi = positions === undefined ? this.count : positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = positions === undefined ? mid : (positions[mid] ?? 0);
      if ((column[at] ?? 0) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Visits the events that match, newest first, until `visit` returns false. Candidates come
   * from the holder's or actor's position list when one is asked for, else from the date range.
   */
  scan(query: IndexQuery, visit: (position: number) => boolean): void {
    const c = this.#columns;
    let holder = 0;
    let actor = 0;
    if (query.holder !== undefined) {
      holder = this.#holders.find(query.holder) ?? -1;
      if (holder < 0) return;
    }
    if (query.actor !== undefined) {
      actor = this.#actors.find(query.actor) ?? -1;
      if (actor < 0) return;
    }
    const actorMask = query.actors === undefined ? null : this.#maskOf(this.#actors, query.actors);
    if (actorMask === undefined) return;
    let actionMask: Uint8Array | null = null;
    if (query.actions !== undefined && query.actions.length > 0) {
      actionMask = new Uint8Array(this.#actions.values.length);
      let known = false;
      for (const action of query.actions) {
        const id = this.#actions.find(action);
        if (id !== undefined) {
          actionMask[id] = 1;
          known = true;
        }
      }
      // None of the actions asked for was ever recorded: nothing can match.
      if (!known) return;
    }
    const outcome = query.outcome === undefined ? -1 : OUTCOMES.indexOf(query.outcome);
    const list = holder > 0 ? this.#byHolder.of(holder, this.#columns.holder, this.count) : actor > 0 ? this.#byActor.of(actor, this.#columns.actor, this.count) : undefined;
    // A column is touched only when the query bounds it (a saved index reads columns on first use).
    const bound = (column: 'time' | 'seq', value: number | undefined, fallback: number): number =>
      value === undefined ? fallback : this.#lowerBound(c[column], value, list);
    const size = list === undefined ? this.count : list.length;
    const lo = Math.max(bound('time', query.fromMs, 0), bound('seq', query.afterSeq === undefined ? undefined : query.afterSeq + 1, 0));
    const hi = Math.min(bound('time', query.toMs, size), bound('seq', query.beforeSeq, size));
    for (let i = hi - 1; i >= lo; i -= 1) {
      const p = list === undefined ? i : (list[i] ?? 0);
      if (outcome >= 0 && c.outcome[p] !== outcome) continue;
      if (actionMask !== null && actionMask[c.action[p] ?? 0] !== 1) continue;
      if (holder > 0 && c.holder[p] !== holder) continue;
      if (actor > 0 && c.actor[p] !== actor) continue;
      if (actorMask !== null && actorMask[c.actor[p] ?? 0] !== 1) continue;
      if (!visit(p)) return;
    }
  }

  /** A mask over the interned ids of `values`, or undefined when none of them was ever recorded. */
  #maskOf(strings: Interner, values: readonly string[]): Uint8Array | undefined {
    const mask = new Uint8Array(strings.values.length);
    let known = false;
    for (const value of values) {
      const id = strings.find(value);
      if (id !== undefined) {
        mask[id] = 1;
        known = true;
      }
    }
    return known ? mask : undefined;
  }

  /** The newest event of a holder, whatever the filters. */
  lastOfHolder(holder: string): number | null {
    const id = this.#holders.find(holder);
    const list = id === undefined ? undefined : this.#byHolder.of(id, this.#columns.holder, this.count);
    return list === undefined || list.length === 0 ? null : (list[list.length - 1] ?? null);
  }

  /** The index as the bytes of its file (see audit-index-file.ts). */
  serialize(): Buffer {
    const strings = { actors: this.#actors.values, holders: this.#holders.values, actions: this.#actions.values, segments: this.#segments.values };
    return serializeIndex({ count: this.count, position: this.position, strings, columns: this.#columns });
  }

  /** Writes the index file (in the thread pool); every column must be read (`loadColumns`). */
  async save(path: string): Promise<void> {
    const bytes = this.serialize();
    await ensurePrivateDirAsync(dirname(path));
    // Derived data: no fsync. A torn or stale file fails its checks and is rebuilt.
    await writeFileDurably(path, bytes, { sync: false });
  }

  /**
   * The saved index with only its header read, or null when it is missing or its header fails a
   * check. Its columns are read later (see the top of this file): call `loadColumns()` soon after,
   * and give `onDamaged` a way to drop the index should a column fail its CRC-32. The file stays
   * open until every column is read, so a newer index saved in its place meanwhile is not mixed in.
   */
  static async load(path: string): Promise<AuditIndex | null> {
    let handle: FileHandle | null = null;
    try {
      handle = await open(path, 'r');
      const layout = await readIndexHeader(handle);
      if (layout === null) return null;
      const index = new AuditIndex({ columns: allocate(0), count: layout.count, strings: layout.strings });
      index.position = layout.position;
      const lazy = new LazyColumns(handle, layout, {
        onAllRead: (columns) => {
          // All read: a plain object again (fast property access in the scans).
          if (index.#lazy !== lazy) return;
          index.#columns = columns;
          index.#lazy = null;
        },
        onDamage: () => index.#damage(),
      });
      index.#lazy = lazy;
      index.#columns = lazy.columns;
      handle = null;
      return index;
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  }

  /** Called once when a column read later fails its check (the index must not be used then). */
  onDamaged(listener: () => void): void {
    this.#damagedListener = listener;
    if (this.#damaged) listener();
  }

  /**
   * Reads the columns not read yet, in the thread pool, checking each. Resolves true when all
   * are in memory and intact (at once for an index that was never lazy), false when one is not.
   */
  async loadColumns(): Promise<boolean> {
    await this.#lazy?.readAll();
    return !this.#damaged;
  }

  /** Lets go of the file of an index not used after all (its columns are never read). */
  discard(): void {
    const lazy = this.#lazy;
    this.#lazy = null;
    this.#damaged = true;
    lazy?.close();
  }

  #damage(): void {
    if (this.#damaged) return;
    this.#damaged = true;
    const lazy = this.#lazy;
    this.#lazy = null;
    lazy?.close();
    this.#damagedListener?.();
  }

  /**
   * Checks a saved index (magic, lengths, CRC-32 of header and columns) and uses its columns
   * where they lie in `file` (copied once if `file` is not 8-byte aligned); they move to their
   * own, larger memory when the first event is added. Null when any check fails.
   */
  static deserialize(file: Buffer): AuditIndex | null {
    try {
      const parsed = parseIndexFile(file);
      if (parsed === null) return null;
      const index = new AuditIndex({ columns: parsed.columns, count: parsed.layout.count, strings: parsed.layout.strings });
      index.position = parsed.layout.position;
      return index;
    } catch {
      return null;
    }
  }
}
