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
 * its CRC-32, and a query that needs one before then reads that one at once. So a warm open
 * costs the same whatever the log's size, and a damaged column is still never used.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { AuditOutcome } from '../../shared/schemas/audit';
import { CardDeskError } from '../../shared/errors';
import { ensurePrivateDir, writeFileDurable } from '../files/safe-file';
import { GENESIS_HASH, type EventRecord } from './audit-record';
import { ACTOR_KINDS, CHANNELS, Interner, type Interners, type ScannedEvent } from './event-line-scanner';

const OUTCOMES = ['success', 'failure'] as const;

type NumberArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;
interface NumberArrayType<T extends NumberArray> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

const columnTypes = {
  seq: Float64Array,
  time: Float64Array,
  offset: Float64Array,
  length: Uint32Array,
  actor: Uint32Array,
  holder: Uint32Array,
  action: Uint16Array,
  segment: Uint16Array,
  outcome: Uint8Array,
  actorKind: Uint8Array,
  channel: Uint8Array,
} as const;
type ColumnName = keyof typeof columnTypes;
type Columns = { [K in ColumnName]: InstanceType<(typeof columnTypes)[K]> };

function allocate(capacity: number): Columns {
  const columns = {} as Record<ColumnName, NumberArray>;
  for (const [name, type] of Object.entries(columnTypes) as [ColumnName, NumberArrayType<NumberArray>][]) columns[name] = new type(capacity);
  return columns as Columns;
}

export interface IndexQuery {
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly actor?: string;
  readonly holder?: string;
  readonly actions?: readonly string[];
  readonly outcome?: AuditOutcome;
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
}

/** Where the index has read the log up to: the end of the last record it consumed. */
export interface IndexPosition {
  readonly segment: string | null;
  readonly offset: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

export interface EventLocation {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Format 3: format 2 with each column's CRC-32 in the header, so a column can be checked alone
 * when it is read. Formats 1 and 2 (`CDAUDIX1`, `CDAUDIX2`) are not read: the log rebuilds them.
 */
const MAGIC = Buffer.from('CDAUDIX3');
/** Magic, header length, header CRC-32. */
const PREFIX = 16;
/** Values per block with its own CRC-32: a page of results read before the columns reads a few blocks. */
const BLOCK = 16_384;
/** Blocks read one by one before whole columns are (three columns for a page of results). */
const MAX_BLOCKS = 12;

function padding(length: number): number {
  return (8 - (length % 8)) % 8;
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

  constructor(init?: { columns: Columns; count: number; strings: { actors: string[]; holders: string[]; actions: string[]; segments: string[] } }) {
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
    for (const name of Object.keys(columnTypes) as ColumnName[]) (bigger[name] as NumberArray).set(this.#columns[name]);
    this.#columns = bigger;
  }

  location(p: number): EventLocation {
    const lazy = this.#lazy;
    // Before the columns are read, the first pages read only the blocks they need; after a few
    // blocks, queries are all over the log and the whole column is read at once.
    const at = (name: 'segment' | 'offset' | 'length'): number => (lazy?.pending.has(name) === true && lazy.blocks.size < MAX_BLOCKS ? this.#fromBlock(lazy, name, p) : this.#columns[name][p]) ?? 0;
    return { segment: this.#segments.values[at('segment')] ?? '', offset: at('offset'), length: at('length') };
  }

  /** One value of a column not read yet, from its block (read once and checked against the block's CRC-32). */
  #fromBlock(lazy: LazyColumns, name: ColumnName, p: number): number | undefined {
    const block = Math.floor(p / BLOCK);
    const key = `${name}:${block}`;
    let values = lazy.blocks.get(key);
    if (values === undefined) {
      const place = lazy.places.get(name);
      const type = columnTypes[name] as NumberArrayType<NumberArray>;
      const length = Math.min(BLOCK, this.count - block * BLOCK);
      if (place === undefined || length <= 0) return undefined;
      const bytes = Buffer.allocUnsafeSlow(length * type.BYTES_PER_ELEMENT);
      let read = 0;
      try {
        for (let n = -1; read < bytes.length && n !== 0; read += n) n = readSync(lazy.handle.fd, bytes, read, bytes.length - read, lazy.bodyStart + place.at + block * BLOCK * type.BYTES_PER_ELEMENT + read);
      } catch {
        read = -1;
      }
      if (read !== bytes.length || crc32(bytes) !== place.blocks[block]) {
        this.#damage();
        throw damagedIndex();
      }
      values = new type(bytes.buffer, bytes.byteOffset, length);
      lazy.blocks.set(key, values);
    }
    return values[p - block * BLOCK];
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
      if (!visit(p)) return;
    }
  }

  /** The newest event of a holder, whatever the filters. */
  lastOfHolder(holder: string): number | null {
    const id = this.#holders.find(holder);
    const list = id === undefined ? undefined : this.#byHolder.of(id, this.#columns.holder, this.count);
    return list === undefined || list.length === 0 ? null : (list[list.length - 1] ?? null);
  }

  /**
   * The index as bytes (format 3): `CDAUDIX3`, the header's length and CRC-32, a JSON header
   * (counts, names, position, each column's byte length and CRC-32), padding to 8 bytes, then
   * the columns, each padded to 8 bytes so they can be used where they lie.
   */
  serialize(): Buffer {
    const names = Object.keys(columnTypes) as ColumnName[];
    const sizes = names.map((name) => this.count * this.#columns[name].BYTES_PER_ELEMENT);
    const padded = sizes.map((size) => size + padding(size));
    const bodyBytes = padded.reduce((sum, size) => sum + size, 0);
    // The columns' CRCs first (they go in the header), then each column is copied once, into place.
    const bytesOf = (name: ColumnName, size: number): Uint8Array => new Uint8Array(this.#columns[name].buffer, this.#columns[name].byteOffset, size);
    const crcs = names.map((name, i) => crc32(Buffer.alloc((padded[i] ?? 0) - (sizes[i] ?? 0)), crc32(bytesOf(name, sizes[i] ?? 0))));
    const blockCrcs = names.map((name) => {
      const width = this.#columns[name].BYTES_PER_ELEMENT;
      const all = bytesOf(name, this.count * width);
      return Array.from({ length: Math.ceil(this.count / BLOCK) }, (_, b) => crc32(all.subarray(b * BLOCK * width, Math.min(this.count, (b + 1) * BLOCK) * width)));
    });
    const header = Buffer.from(
      JSON.stringify({
        count: this.count,
        position: this.position,
        strings: { actors: this.#actors.values, holders: this.#holders.values, actions: this.#actions.values, segments: this.#segments.values },
        columns: names.map((name, i) => ({ name, bytes: padded[i] ?? 0, crc32: crcs[i] ?? 0, blocks: blockCrcs[i] ?? [] })),
        bodyBytes,
      }),
    );
    const bodyStart = PREFIX + header.length + padding(PREFIX + header.length);
    const file = Buffer.alloc(bodyStart + bodyBytes);
    MAGIC.copy(file);
    file.writeUInt32LE(header.length, 8);
    file.writeUInt32LE(crc32(header), 12);
    header.copy(file, PREFIX);
    let at = bodyStart;
    for (const [i, name] of names.entries()) {
      file.set(bytesOf(name, sizes[i] ?? 0), at);
      at += padded[i] ?? 0;
    }
    return file;
  }

  save(path: string): void {
    ensurePrivateDir(dirname(path));
    // Derived data: no fsync. A torn or stale file fails its checks and is rebuilt.
    writeFileDurable(path, this.serialize(), { sync: false });
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
      const { size } = await handle.stat();
      const prefix = Buffer.alloc(PREFIX);
      if ((await handle.read(prefix, 0, PREFIX, 0)).bytesRead !== PREFIX || !prefix.subarray(0, 8).equals(MAGIC)) return null;
      const headerLength = prefix.readUInt32LE(8);
      if (PREFIX + headerLength > size) return null;
      const headerBytes = Buffer.alloc(headerLength);
      if ((await handle.read(headerBytes, 0, headerLength, PREFIX)).bytesRead !== headerLength) return null;
      const layout = readLayout(headerBytes, prefix.readUInt32LE(12), size);
      if (layout === null) return null;
      const index = new AuditIndex({ columns: allocate(0), count: layout.count, strings: layout.strings });
      index.position = layout.position;
      index.#lazy = { handle, bodyStart: layout.bodyStart, places: layout.places, pending: new Set(layout.places.keys()), columns: {} as Columns, blocks: new Map() };
      const columns = index.#lazy.columns;
      for (const name of layout.places.keys()) Object.defineProperty(columns, name, { configurable: true, enumerable: true, get: () => index.#loadColumnNow(name) });
      index.#columns = columns;
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
    const lazy = this.#lazy;
    if (lazy === null) return !this.#damaged;
    try {
      for (const name of [...lazy.pending]) {
        const place = lazy.places.get(name);
        if (place === undefined || this.#lazy !== lazy || !lazy.pending.has(name)) continue;
        const bytes = Buffer.allocUnsafeSlow(place.bytes);
        const { bytesRead } = await lazy.handle.read(bytes, 0, place.bytes, lazy.bodyStart + place.at);
        // A query may have needed it meanwhile and read it at once.
        if (this.#lazy === lazy && lazy.pending.has(name)) this.#install(name, bytes, bytesRead);
      }
      return !this.#damaged;
    } catch {
      this.#damage();
      return false;
    }
  }

  /** A query needs a column not read yet: it is read now (one request) and checked. */
  #loadColumnNow(name: ColumnName): NumberArray {
    const lazy = this.#lazy;
    const place = lazy?.places.get(name);
    if (lazy === null || place === undefined) throw damagedIndex();
    const bytes = Buffer.allocUnsafeSlow(place.bytes);
    let read = 0;
    try {
      for (let n = -1; read < place.bytes && n !== 0; read += n) n = readSync(lazy.handle.fd, bytes, read, place.bytes - read, lazy.bodyStart + place.at + read);
    } catch {
      this.#damage();
      throw damagedIndex();
    }
    return this.#install(name, bytes, read);
  }

  /** Puts a column read from the file in place once it passes its CRC-32. */
  #install(name: ColumnName, bytes: Buffer, bytesRead: number): NumberArray {
    const lazy = this.#lazy;
    const place = lazy?.places.get(name);
    if (lazy === null || place === undefined || bytesRead !== place.bytes || crc32(bytes) !== place.crc32) {
      this.#damage();
      throw damagedIndex();
    }
    const type = columnTypes[name] as NumberArrayType<NumberArray>;
    const column = new type(bytes.buffer, bytes.byteOffset, this.count);
    Object.defineProperty(lazy.columns, name, { configurable: true, enumerable: true, writable: true, value: column });
    lazy.pending.delete(name);
    if (lazy.pending.size === 0) {
      // All read: a plain object again (fast property access in the scans), and the file let go.
      this.#columns = { ...lazy.columns };
      this.#lazy = null;
      void lazy.handle.close().catch(() => undefined);
    }
    return column;
  }

  /** Lets go of the file of an index not used after all (its columns are never read). */
  discard(): void {
    const lazy = this.#lazy;
    this.#lazy = null;
    this.#damaged = true;
    void lazy?.handle.close().catch(() => undefined);
  }

  #damage(): void {
    if (this.#damaged) return;
    this.#damaged = true;
    const lazy = this.#lazy;
    this.#lazy = null;
    void lazy?.handle.close().catch(() => undefined);
    this.#damagedListener?.();
  }

  /**
   * Checks a saved index (magic, lengths, CRC-32 of header and columns) and uses its columns
   * where they lie in `file` (copied once if `file` is not 8-byte aligned); they move to their
   * own, larger memory when the first event is added. Null when any check fails.
   */
  static deserialize(file: Buffer): AuditIndex | null {
    try {
      if (file.length < PREFIX || !file.subarray(0, 8).equals(MAGIC)) return null;
      const headerLength = file.readUInt32LE(8);
      if (PREFIX + headerLength > file.length) return null;
      const layout = readLayout(file.subarray(PREFIX, PREFIX + headerLength), file.readUInt32LE(12), file.length);
      if (layout === null) return null;
      const aligned = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
      const columns = {} as Record<ColumnName, NumberArray>;
      for (const [name, place] of layout.places) {
        const bytes = aligned.subarray(layout.bodyStart + place.at, layout.bodyStart + place.at + place.bytes);
        if (crc32(bytes) !== place.crc32) return null;
        columns[name] = new (columnTypes[name] as NumberArrayType<NumberArray>)(bytes.buffer, bytes.byteOffset, layout.count);
      }
      const index = new AuditIndex({ columns: columns as Columns, count: layout.count, strings: layout.strings });
      index.position = layout.position;
      return index;
    } catch {
      return null;
    }
  }
}

interface ColumnPlace {
  /** Bytes from the start of the columns, padded length, CRC-32 of those bytes. */
  readonly at: number;
  readonly bytes: number;
  readonly crc32: number;
  /** CRC-32 of each block of `BLOCK` values (the last one shorter, without padding). */
  readonly blocks: readonly number[];
}

interface Layout {
  readonly count: number;
  readonly position: IndexPosition;
  readonly strings: { actors: string[]; holders: string[]; actions: string[]; segments: string[] };
  readonly bodyStart: number;
  readonly places: Map<ColumnName, ColumnPlace>;
}

/** The columns of a saved index being read later, and the open file they are read from. */
interface LazyColumns {
  readonly handle: FileHandle;
  readonly bodyStart: number;
  readonly places: Map<ColumnName, ColumnPlace>;
  readonly pending: Set<ColumnName>;
  /** Getters that read a column on first use, replaced by the column once read. */
  readonly columns: Columns;
  /** Blocks read for `location` before their whole column was (`name:block`). */
  readonly blocks: Map<string, NumberArray>;
}

function damagedIndex(): CardDeskError {
  return new CardDeskError('AUDIT_UNAVAILABLE', 'The audit index was found damaged and is rebuilt from the log; try again.');
}

/** The header checked against its CRC-32 and the file's length; null when anything does not add up. */
function readLayout(headerBytes: Buffer, headerCrc: number, fileLength: number): Layout | null {
  if (crc32(headerBytes) !== headerCrc) return null;
  const header = JSON.parse(headerBytes.toString('utf8')) as {
    count: number;
    position: IndexPosition;
    strings: { actors: string[]; holders: string[]; actions: string[]; segments: string[] };
    columns: { name: ColumnName; bytes: number; crc32: number; blocks: number[] }[];
    bodyBytes: number;
  };
  const { count } = header;
  const names = Object.keys(columnTypes) as ColumnName[];
  if (!Number.isSafeInteger(count) || count < 0 || !Array.isArray(header.columns) || header.columns.length !== names.length) return null;
  const bodyStart = PREFIX + headerBytes.length + padding(PREFIX + headerBytes.length);
  if (bodyStart + header.bodyBytes !== fileLength) return null;
  const places = new Map<ColumnName, ColumnPlace>();
  let at = 0;
  for (const [i, { name, bytes, crc32: crc, blocks }] of header.columns.entries()) {
    const type = columnTypes[name] as NumberArrayType<NumberArray> | undefined;
    if (type === undefined || name !== names[i] || bytes !== count * type.BYTES_PER_ELEMENT + padding(count * type.BYTES_PER_ELEMENT) || !Number.isInteger(crc)) return null;
    if (!Array.isArray(blocks) || blocks.length !== Math.ceil(count / BLOCK) || !blocks.every((block) => Number.isInteger(block))) return null;
    places.set(name, { at, bytes, crc32: crc, blocks });
    at += bytes;
  }
  if (at !== header.bodyBytes) return null;
  return { count, position: header.position, strings: header.strings, bodyStart, places };
}
