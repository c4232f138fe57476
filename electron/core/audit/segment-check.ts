/**
 * The per-line half of verification for one segment file, which needs nothing from the other
 * segments: every line the shortcut takes (an intact event, see event-line-check.ts) is reduced
 * to its seq, hash and prev; every other line is handed back as text for the full path
 * (`decodeLine` in audit-verify.ts). So segments can be checked side by side in worker threads
 * (audit-workers.ts) and verification joins them in file order, checking the chain across.
 */
import { EventLineCheck } from './event-line-check';
import { readLineBytes } from './segment-files';

export interface SegmentCheck {
  /** Complete lines in the segment. */
  readonly lines: number;
  /** Per line: its seq when the shortcut took it, NaN when `slow` holds it. */
  readonly seq: Float64Array;
  /** Per line, 32 bytes each: hash and prev of the lines the shortcut took (zeros for the others). */
  readonly hash: Uint8Array;
  readonly prev: Uint8Array;
  /** The lines for the full path: their index (from 0) and text. */
  readonly slow: readonly { readonly line: number; readonly text: string }[];
  /** Where the complete lines end, and the file's size (bytes between: an unfinished last line). */
  readonly end: number;
  readonly size: number;
}

/** Lines are about 400 bytes; the arrays grow if a segment holds shorter ones. */
const BYTES_PER_LINE_GUESS = 300;

export async function checkSegment(path: string, sizeHint = 0): Promise<SegmentCheck> {
  let capacity = Math.max(1024, Math.ceil(sizeHint / BYTES_PER_LINE_GUESS));
  let seq = new Float64Array(capacity);
  let hash = new Uint8Array(capacity * 32);
  let prev = new Uint8Array(capacity * 32);
  const slow: { line: number; text: string }[] = [];
  const shortcut = new EventLineCheck();
  let lines = 0;
  const { end, size } = await readLineBytes(path, (chunk, from, to) => {
    if (lines === capacity) {
      capacity *= 2;
      const grow = <T extends Float64Array | Uint8Array>(old: T, next: T): T => {
        next.set(old);
        return next;
      };
      seq = grow(seq, new Float64Array(capacity));
      hash = grow(hash, new Uint8Array(capacity * 32));
      prev = grow(prev, new Uint8Array(capacity * 32));
    }
    const found = shortcut.check(chunk, from, to);
    if (found === null) {
      seq[lines] = Number.NaN;
      slow.push({ line: lines, text: chunk.toString('utf8', from, to) });
    } else {
      seq[lines] = found;
      hash.set(shortcut.hash, lines * 32);
      prev.set(shortcut.prev, lines * 32);
    }
    lines += 1;
  });
  return { lines, seq, hash, prev, slow, end, size };
}

/** The buffers of a check, to hand to another thread without copying them. */
export function transferList(check: SegmentCheck): ArrayBuffer[] {
  return [check.seq.buffer, check.hash.buffer, check.prev.buffer] as ArrayBuffer[];
}
