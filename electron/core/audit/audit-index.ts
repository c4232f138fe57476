/**
 * The derived indexes of the audit log: one column per field the screens filter on (time,
 * outcome, action, actor, holder, channel) plus where each event's line is, kept in typed arrays
 * in event order, with per-holder and per-actor position lists. Events are appended in time
 * order (the log never lets time go backwards), so a date range is two binary searches.
 *
 * Saved as one file (`audit/index/events.idx`) that can be deleted at any time: the log rebuilds
 * it from the segments when it is missing, damaged, or does not match the log. Loading it is one
 * read and two CRC-32s: the columns are used where they lie in the file's bytes (no per-event
 * objects), so a warm open costs about a memory copy whatever the log's size.
 */
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { AuditOutcome } from '../../shared/schemas/audit';
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

/** Format 2 (format 1, `CDAUDIX1`, is not read: it is rebuilt from the log, then saved as 2). */
const MAGIC = Buffer.from('CDAUDIX2');
/** Magic, header length, header CRC-32. */
const PREFIX = 16;

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
    const c = this.#columns;
    return { segment: this.#segments.values[c.segment[p] ?? 0] ?? '', offset: c.offset[p] ?? 0, length: c.length[p] ?? 0 };
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
    const bound = (column: Float64Array, value: number | undefined, fallback: number): number =>
      value === undefined ? fallback : this.#lowerBound(column, value, list);
    const size = list === undefined ? this.count : list.length;
    const lo = Math.max(bound(c.time, query.fromMs, 0), bound(c.seq, query.afterSeq === undefined ? undefined : query.afterSeq + 1, 0));
    const hi = Math.min(bound(c.time, query.toMs, size), bound(c.seq, query.beforeSeq, size));
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
   * The index as bytes (format 2): `CDAUDIX2`, the header's length and CRC-32, a JSON header
   * (counts, names, position, each column's byte length, the columns' CRC-32), padding to 8
   * bytes, then the columns, each padded to 8 bytes so they can be used where they lie.
   */
  serialize(): Buffer {
    const names = Object.keys(columnTypes) as ColumnName[];
    const sizes = names.map((name) => this.count * this.#columns[name].BYTES_PER_ELEMENT);
    const padded = sizes.map((size) => size + padding(size));
    const bodyBytes = padded.reduce((sum, size) => sum + size, 0);
    // The columns' CRC first (it goes in the header), then each column is copied once, into place.
    const bytesOf = (name: ColumnName, size: number): Uint8Array => new Uint8Array(this.#columns[name].buffer, this.#columns[name].byteOffset, size);
    let bodyCrc32 = 0;
    for (const [i, name] of names.entries()) {
      bodyCrc32 = crc32(bytesOf(name, sizes[i] ?? 0), bodyCrc32);
      bodyCrc32 = crc32(Buffer.alloc((padded[i] ?? 0) - (sizes[i] ?? 0)), bodyCrc32);
    }
    const header = Buffer.from(
      JSON.stringify({
        count: this.count,
        position: this.position,
        strings: { actors: this.#actors.values, holders: this.#holders.values, actions: this.#actions.values, segments: this.#segments.values },
        columns: names.map((name, i) => ({ name, bytes: padded[i] ?? 0 })),
        bodyBytes,
        bodyCrc32,
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

  /** The saved index, or null when it is missing or fails any check. Read in one request. */
  static async load(path: string): Promise<AuditIndex | null> {
    try {
      const file = await open(path, 'r');
      try {
        const { size } = await file.stat();
        // Its own memory (not the shared pool), so it starts 8-byte aligned; not zeroed first,
        // as the read fills it (and only the bytes read are looked at).
        const bytes = Buffer.allocUnsafeSlow(size);
        const { bytesRead } = await file.read(bytes, 0, size, 0);
        return AuditIndex.deserialize(bytes.subarray(0, bytesRead));
      } finally {
        await file.close();
      }
    } catch {
      return null;
    }
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
      const headerBytes = file.subarray(PREFIX, PREFIX + headerLength);
      if (crc32(headerBytes) !== file.readUInt32LE(12)) return null;
      const header = JSON.parse(headerBytes.toString('utf8')) as {
        count: number;
        position: IndexPosition;
        strings: { actors: string[]; holders: string[]; actions: string[]; segments: string[] };
        columns: { name: ColumnName; bytes: number }[];
        bodyBytes: number;
        bodyCrc32: number;
      };
      const { count } = header;
      const names = Object.keys(columnTypes) as ColumnName[];
      if (!Number.isSafeInteger(count) || count < 0 || header.columns.length !== names.length) return null;
      const bodyStart = PREFIX + headerLength + padding(PREFIX + headerLength);
      if (bodyStart + header.bodyBytes !== file.length) return null;
      const aligned = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
      const body = aligned.subarray(bodyStart);
      if (crc32(body) !== header.bodyCrc32) return null;
      const columns = {} as Record<ColumnName, NumberArray>;
      let at = 0;
      for (const [i, { name, bytes }] of header.columns.entries()) {
        const type = columnTypes[name] as NumberArrayType<NumberArray> | undefined;
        if (type === undefined || name !== names[i] || bytes !== count * type.BYTES_PER_ELEMENT + padding(count * type.BYTES_PER_ELEMENT) || at + bytes > body.length) return null;
        columns[name] = new type(body.buffer, body.byteOffset + at, count);
        at += bytes;
      }
      if (at !== body.length) return null;
      const index = new AuditIndex({ columns: columns as Columns, count, strings: header.strings });
      index.position = header.position;
      return index;
    } catch {
      return null;
    }
  }
}
