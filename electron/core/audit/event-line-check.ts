/**
 * The shortcut verification takes for the common line: an event written by the log itself, in
 * the format's fixed field order (audit-record.ts). Its hash is checked on the line's bytes and
 * the few fields verification needs (seq, prev, hash) are read where the format puts them, with
 * no string or JSON.parse per line. Any other line (a checkpoint or key record, an `audit.repair`
 * event, a hash that does not match, anything not exactly in shape) returns null, and the caller
 * decodes it fully (`decodeLine`), so the shortcut never decides anything the full path would
 * decide otherwise about a line the log wrote.
 *
 * What it does not do is check that the rest of the line is valid JSON: a line whose bytes
 * match its hash is either the one the log wrote or one forged with its hash recomputed, and a
 * forged line breaks the chain to the next record, a checkpoint signature or the signed head,
 * which verification checks on every record.
 */
import { hash } from 'node:crypto';

const HEAD = Buffer.from('{"seq":');
const TIME = Buffer.from(',"time":"');
/** After the 24 characters of an ISO time. */
const EVENT_PREV = Buffer.from('","type":"event","prev":"');
const HASH_TAIL = Buffer.from(',"hash":"');
const REPAIR = Buffer.from('"action":"audit.repair"');
/** What follows the prev hash in the writer's field order; repairs are always the system's. */
const ACTOR_KIND = Buffer.from('","actor":{"kind":"');
const SYSTEM_INITIAL = 0x73;
const TIME_LENGTH = 24;
/** `,"hash":"` + 64 hex digits + `"}` */
const TAIL_LENGTH = HASH_TAIL.length + 64 + 2;
const QUOTE = 0x22;
const CLOSE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;

/** Whether `expected` is at `offset` (a loop the compiler keeps in line: these are short). */
function at(buffer: Buffer, offset: number, expected: Buffer): boolean {
  if (offset < 0 || offset + expected.length > buffer.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (buffer[offset + i] !== expected[i]) return false;
  return true;
}

/** The value of each lowercase hex digit, -1 for every other byte. */
const NIBBLES = new Int8Array(256).fill(-1);
for (let byte = ZERO; byte <= NINE; byte += 1) NIBBLES[byte] = byte - ZERO;
for (let byte = 0x61; byte <= 0x66; byte += 1) NIBBLES[byte] = byte - 0x61 + 10;

/** 64 lowercase hex digits at `offset`, written as 32 bytes into `out` at `outAt`; false if not hex. */
function hexInto(buffer: Buffer, offset: number, out: Uint8Array, outAt: number): boolean {
  for (let i = 0; i < 32; i += 1) {
    const high = NIBBLES[buffer[offset + 2 * i] ?? 0] ?? -1;
    const low = NIBBLES[buffer[offset + 2 * i + 1] ?? 0] ?? -1;
    if ((high | low) < 0) return false;
    out[outAt + i] = (high << 4) | low;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

export class EventLineCheck {
  /** Set by a successful `check`: the record's hash and prev as bytes. */
  readonly hash = new Uint8Array(32);
  readonly prev = new Uint8Array(32);

  /**
   * The seq of the event line `buffer[start, end)` (without its "\n") when it is in shape and
   * its bytes match its hash (then `hash` and `prev` hold them); null: decode it fully.
   */
  check(buffer: Buffer, start: number, end: number): number | null {
    const length = end - start;
    if (length < HEAD.length + TIME.length + TIME_LENGTH + EVENT_PREV.length + 64 + TAIL_LENGTH || !at(buffer, start, HEAD)) return null;
    // The sequence number: digits, no leading zero, then the time field.
    let p = start + HEAD.length;
    if (buffer[p] === ZERO) return null;
    let seq = 0;
    for (; p < end && p - start - HEAD.length < 15; p += 1) {
      const byte = buffer[p] ?? 0;
      if (byte < ZERO || byte > NINE) break;
      seq = seq * 10 + (byte - ZERO);
    }
    if (seq < 1 || !at(buffer, p, TIME)) return null;
    p += TIME.length + TIME_LENGTH;
    if (!at(buffer, p, EVENT_PREV)) return null;
    p += EVENT_PREV.length;
    if (!hexInto(buffer, p, this.prev, 0) || buffer[p + 64] !== QUOTE) return null;
    const tail = end - TAIL_LENGTH;
    if (!at(buffer, tail, HASH_TAIL) || buffer[end - 2] !== QUOTE || buffer[end - 1] !== CLOSE) return null;
    if (!hexInto(buffer, tail + HASH_TAIL.length, this.hash, 0)) return null;
    // Repairs are reported by what they say: the full path reads them. They are the system's
    // events, so only a line whose actor is not an operator's or a holder's is searched.
    const actor = p + 64;
    const bySystem = !at(buffer, actor, ACTOR_KIND) || buffer[actor + ACTOR_KIND.length] === SYSTEM_INITIAL;
    if (bySystem && buffer.subarray(start, tail).indexOf(REPAIR) >= 0) return null;
    // The hash covers the line without its hash field, closed again: the field's comma is
    // replaced by the closing brace for the digest, in place, and put back after.
    const comma = buffer[tail] ?? 0;
    buffer[tail] = CLOSE;
    const digest = hash('sha256', buffer.subarray(start, tail + 1), 'buffer') as unknown as Buffer;
    buffer[tail] = comma;
    return sameBytes(digest, this.hash) ? seq : null;
  }
}
