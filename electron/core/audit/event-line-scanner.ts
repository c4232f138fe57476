/**
 * Reads the fields the index needs straight out of the bytes of event lines, without decoding
 * text or JSON.parse: the log writes its fields in a fixed order (audit-record.ts), so each is
 * found by its key where it must be, and names are looked up by their bytes (a new one is decoded
 * once). Any line not exactly in that shape (a JSON escape in a name, another field order) goes
 * to JSON.parse instead, so the scanner is only ever a shortcut.
 */
import { open } from 'node:fs/promises';
import type { AuditRecord } from './audit-record';

export const ACTOR_KINDS = ['operator', 'holder', 'system'] as const;
export const CHANNELS = ['desk', 'kiosk', 'cli'] as const;

const literal = (text: string): Buffer => Buffer.from(text);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Strings stored once, referred to by number (0 is "none"); found by their UTF-8 bytes too. The
 * lookup tables are built on first use: a loaded index may never need them.
 *
 * The bytes of every string sit in one array (`#arena`, at `#offsets[id]`, `#lengths[id]` long),
 * and each slot of the open-addressing table keeps the id's hash beside the id: a probe compares
 * numbers in two flat arrays and touches the bytes only for a likely match. With tens of
 * thousands of holders, a Buffer object per string cost a cache miss or two per lookup, which
 * was most of the time of a rebuild.
 */
export class Interner {
  readonly values: string[] = [''];
  #ids: Map<string, number> | null = null;
  #arena = new Uint8Array(4096);
  #used = 0;
  #offsets = new Int32Array(256);
  #lengths = new Int32Array(256);
  #hashes = new Int32Array(256);
  /** Open addressing on the bytes' hash: slot → id (0 empty) and that id's hash; under half full. */
  #slotIds = new Int32Array(1024);
  #slotHashes = new Int32Array(1024);

  constructor(values: readonly string[] = []) {
    for (const value of values) this.values.push(value);
  }

  /** The string → id map, and the byte table, for the values given to the constructor. */
  #tables(): Map<string, number> {
    if (this.#ids !== null) return this.#ids;
    const ids = new Map<string, number>();
    this.#ids = ids;
    for (let id = 1; id < this.values.length; id += 1) {
      const value = this.values[id] ?? '';
      // A repeated value (a damaged file) keeps its first id, as adding it again would.
      if (!ids.has(value)) ids.set(value, id);
      const bytes = Buffer.from(value);
      this.#store(id, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
    }
    this.#rehash();
    return ids;
  }

  id(value: string): number {
    const known = this.#tables().get(value);
    if (known !== undefined) return known;
    const bytes = Buffer.from(value);
    return this.#add(value, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
  }

  find(value: string): number | undefined {
    return this.#tables().get(value);
  }

  /** Where the string read by the last `idOfString` ended (just after its closing quote). */
  after = 0;

  /**
   * The id of the JSON string whose bytes start at `start` and end at the next quote before
   * `end`; -1 when there is no quote or there is a backslash (an escape: the caller parses the
   * line properly instead).
   */
  idOfString(buffer: Buffer, start: number, limit: number): number {
    if (this.#ids === null) this.#tables();
    let hash = 0x811c9dc5 | 0;
    let end = start;
    for (; end < limit; end += 1) {
      const byte = buffer[end] as number;
      if (byte === QUOTE) break;
      if (byte === BACKSLASH) return -1;
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    if (end === limit) return -1;
    this.after = end + 1;
    const length = end - start;
    const slotIds = this.#slotIds;
    const slotHashes = this.#slotHashes;
    const mask = slotIds.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = slotIds[slot] as number;
      if (id === 0) break;
      if (slotHashes[slot] !== hash || this.#lengths[id] !== length) continue;
      const arena = this.#arena;
      const at = this.#offsets[id] as number;
      let same = 0;
      while (same < length && arena[at + same] === buffer[start + same]) same += 1;
      if (same === length) return id;
    }
    return this.#add(buffer.toString('utf8', start, end), buffer, start, end, hash);
  }

  #add(value: string, bytes: Uint8Array, from: number, to: number, hash: number): number {
    const ids = this.#tables();
    const existing = ids.get(value);
    if (existing !== undefined) return existing;
    const id = this.values.length;
    this.values.push(value);
    ids.set(value, id);
    this.#store(id, bytes, from, to, hash);
    if (id * 2 >= this.#slotIds.length) this.#rehash();
    else this.#place(id, hash);
    return id;
  }

  /** Keeps the bytes and hash of `id` (the table is placed separately). */
  #store(id: number, bytes: Uint8Array, from: number, to: number, hash: number): void {
    const length = to - from;
    if (this.#used + length > this.#arena.length) {
      const arena = new Uint8Array(Math.max(this.#arena.length * 2, this.#used + length));
      arena.set(this.#arena.subarray(0, this.#used));
      this.#arena = arena;
    }
    if (id >= this.#offsets.length) {
      const size = Math.max(this.#offsets.length * 2, id + 1);
      const grow = (old: Int32Array): Int32Array<ArrayBuffer> => {
        const next = new Int32Array(size);
        next.set(old);
        return next;
      };
      this.#offsets = grow(this.#offsets);
      this.#lengths = grow(this.#lengths);
      this.#hashes = grow(this.#hashes);
    }
    this.#arena.set(bytes.subarray(from, to), this.#used);
    this.#offsets[id] = this.#used;
    this.#lengths[id] = length;
    this.#hashes[id] = hash;
    this.#used += length;
  }

  #place(id: number, hash: number): void {
    const mask = this.#slotIds.length - 1;
    let slot = hash & mask;
    while (this.#slotIds[slot] !== 0) slot = (slot + 1) & mask;
    this.#slotIds[slot] = id;
    this.#slotHashes[slot] = hash;
  }

  /** A table big enough for every id (under half full), filled anew. */
  #rehash(): void {
    let size = this.#slotIds.length;
    while (this.values.length * 2 >= size) size *= 2;
    this.#slotIds = new Int32Array(size);
    this.#slotHashes = new Int32Array(size);
    for (let id = 1; id < this.values.length; id += 1) this.#place(id, this.#hashes[id] as number);
  }
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (bytes[i] ?? 0), 0x01000193);
  return hash;
}

/** One event as the index stores it: names already turned into ids. */
export interface ScannedEvent {
  seq: number;
  timeMs: number;
  actorKind: number;
  actor: number;
  channel: number;
  action: number;
  failure: boolean;
  /** 0 when the event names no holder. */
  holder: number;
}

export interface Interners {
  readonly actors: Interner;
  readonly holders: Interner;
  readonly actions: Interner;
}

const K = {
  seq: key('{"seq":'),
  time: key(',"time":"'),
  type: key('","type":"'),
  event: key('event","prev":"'),
  actor: key('","actor":{"kind":"'),
  id: key('","id":"'),
  channel: key('"},"channel":"'),
  action: key('","action":"'),
  outcome: key('","outcome":"'),
  success: key('success"'),
  failure: key('failure"'),
  reason: key(',"reason":"'),
  holder: key(',"holder":"'),
};

/** A key the writer puts before a value, also as little-endian 32-bit words (compared four bytes at a time). */
interface Key {
  readonly bytes: Buffer;
  readonly words: Uint32Array;
}

function key(text: string): Key {
  const bytes = Buffer.from(text);
  const words = new Uint32Array(bytes.length >> 2);
  for (let w = 0; w < words.length; w += 1) words[w] = bytes.readUInt32LE(w * 4);
  return { bytes, words };
}

/** Just after `expected` when the bytes at `position` are exactly it, else -1. */
function at(buffer: Buffer, view: DataView, position: number, expected: Key): number {
  const { bytes, words } = expected;
  const end = position + bytes.length;
  if (position < 0 || end > buffer.length) return -1;
  for (let w = 0; w < words.length; w += 1) if (view.getUint32(position + w * 4, true) !== words[w]) return -1;
  for (let i = words.length * 4; i < bytes.length; i += 1) if (buffer[position + i] !== bytes[i]) return -1;
  return end;
}

function digits(buffer: Buffer, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = (buffer[i] ?? 0) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** The closing quote of a JSON string starting at `start`, before `end`; -1 if none. */
function closingQuote(buffer: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i += 1) if (buffer[i] === QUOTE) return i;
  return -1;
}

const actorKindBytes = ACTOR_KINDS.map(literal);
const channelBytes = CHANNELS.map(literal);

/** Just after the closing quote of the JSON string that starts at `start` (escapes skipped); -1 if none. */
function endOfString(buffer: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i += 1) {
    const byte = buffer[i];
    if (byte === BACKSLASH) i += 1;
    else if (byte === QUOTE) return i + 1;
  }
  return -1;
}

/** Which of a few names (all different in first letter or length) the bytes are. */
function enumIndex(buffer: Buffer, start: number, end: number, names: readonly Buffer[]): number {
  for (let n = 0; n < names.length; n += 1) {
    const name = names[n];
    if (name !== undefined && name.length === end - start && name[0] === buffer[start]) return n;
  }
  return -1;
}

/** Scans the lines of one segment, in order; keeps the hour prefix of the last time it read. */
export class EventLineScanner {
  readonly #buffer: Buffer;
  readonly #view: DataView;
  readonly #names: Interners;
  #hourAt = -1;
  #hourMs = 0;

  constructor(buffer: Buffer, names: Interners) {
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#names = names;
  }

  /** "YYYY-MM-DDTHH:MM:SS.mmmZ" at `start`, in milliseconds; NaN when it is not exactly that. */
  #time(start: number): number {
    const b = this.#buffer;
    if (b[start + 23] !== 0x5a || b[start + 13] !== 0x3a || b[start + 19] !== 0x2e) return Number.NaN;
    let same = this.#hourAt >= 0;
    for (let i = 0; same && i < 13; i += 1) same = b[start + i] === b[this.#hourAt + i];
    if (!same) {
      this.#hourMs = Date.parse(`${b.toString('latin1', start, start + 13)}:00:00.000Z`);
      this.#hourAt = start;
    }
    return this.#hourMs + digits(b, start + 14, 2) * 60_000 + digits(b, start + 17, 2) * 1000 + digits(b, start + 20, 3);
  }

  /**
   * Fills `out` from the line `[start, end)` (without its "\n"). Returns 'event', 'other' (a
   * checkpoint or key record) or null when the line is not in the writer's exact shape.
   */
  scan(start: number, end: number, out: ScannedEvent): 'event' | 'other' | null {
    const b = this.#buffer;
    const v = this.#view;
    let p = at(b, v, start, K.seq);
    if (p < 0) return null;
    let comma = p;
    while (comma < p + 16 && b[comma] !== 0x2c) comma += 1;
    out.seq = digits(b, p, comma - p);
    p = at(b, v, comma, K.time);
    if (p < 0 || Number.isNaN(out.seq)) return null;
    out.timeMs = this.#time(p);
    p = at(b, v, p + 24, K.type);
    if (p < 0 || Number.isNaN(out.timeMs)) return null;
    const event = at(b, v, p, K.event);
    if (event < 0) return b[p] === 0x63 || b[p] === 0x6b ? 'other' : null; // checkpoint, key
    const { actors, actions, holders } = this.#names;
    p = at(b, v, event + 64, K.actor);
    let close = p < 0 ? -1 : closingQuote(b, p, end);
    if (close < 0) return null;
    out.actorKind = enumIndex(b, p, close, actorKindBytes);
    p = at(b, v, close, K.id);
    out.actor = p < 0 ? -1 : actors.idOfString(b, p, end);
    p = out.actor < 0 ? -1 : at(b, v, actors.after - 1, K.channel);
    close = p < 0 ? -1 : closingQuote(b, p, end);
    if (close < 0) return null;
    out.channel = enumIndex(b, p, close, channelBytes);
    p = at(b, v, close, K.action);
    out.action = p < 0 ? -1 : actions.idOfString(b, p, end);
    p = out.action < 0 ? -1 : at(b, v, actions.after - 1, K.outcome);
    if (p < 0 || out.actorKind < 0 || out.channel < 0) return null;
    if (at(b, v, p, K.success) > 0) out.failure = false;
    else if (at(b, v, p, K.failure) > 0) out.failure = true;
    else return null;
    // Next come the optional reason and holder, in that order.
    p += 8;
    const reason = at(b, v, p, K.reason);
    if (reason > 0) p = endOfString(b, reason, end);
    out.holder = 0;
    const holder = p < 0 ? -1 : at(b, v, p, K.holder);
    if (holder > 0) {
      out.holder = holders.idOfString(b, holder, end);
      if (out.holder < 0) return null;
    }
    return b[end - 1] === 0x7d && b[end - 2] === QUOTE ? 'event' : null;
  }
}

/** The slow, sure way for lines the scanner would not take. */
export function parseEventLine(line: string, names: Interners, out: ScannedEvent): 'event' | 'other' | null {
  let record: AuditRecord;
  try {
    record = JSON.parse(line) as AuditRecord;
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null || !Number.isSafeInteger(record.seq)) return null;
  if (record.type !== 'event') return record.type === 'checkpoint' || record.type === 'key' ? 'other' : null;
  if (typeof record.actor?.id !== 'string' || typeof record.action !== 'string') return null;
  out.seq = record.seq;
  out.timeMs = Date.parse(record.time) || 0;
  out.actorKind = Math.max(0, ACTOR_KINDS.indexOf(record.actor.kind));
  out.actor = names.actors.id(record.actor.id);
  out.channel = Math.max(0, CHANNELS.indexOf(record.channel));
  out.action = names.actions.id(record.action);
  out.failure = record.outcome === 'failure';
  out.holder = record.holder === undefined ? 0 : names.holders.id(record.holder);
  return 'event';
}

/**
 * The bytes of a file between `from` and `until` (or its end). Opened, sized and read in the
 * thread pool; called before the previous range is scanned, so the read proceeds meanwhile.
 */
export async function readRange(path: string, from: number, until: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(until, (await file.stat()).size) - from));
    const { bytesRead } = await file.read(bytes, 0, bytes.length, from);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Hands each event among the complete lines of `bytes` (read from byte `from` of a segment) to
 * `onEvent` with its byte offset and length. Returns where the complete lines ended.
 */
export function scanEvents(bytes: Buffer, from: number, names: Interners, onEvent: (event: ScannedEvent, offset: number, length: number) => void): number {
  const scanner = new EventLineScanner(bytes, names);
  const event: ScannedEvent = { seq: 0, timeMs: 0, actorKind: 0, actor: 0, channel: 0, action: 0, failure: false, holder: 0 };
  let start = 0;
  for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
    const kind = scanner.scan(start, end, event) ?? parseEventLine(bytes.toString('utf8', start, end), names, event);
    if (kind === 'event') onEvent(event, from + start, end + 1 - start);
    start = end + 1;
  }
  return from + start;
}
