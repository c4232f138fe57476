/**
 * The audit folder on disk:
 *
 *   audit/segment-000000000001.jsonl   records 1…, one per line (see audit-record.ts)
 *   audit/segment-000000120534.jsonl   the next segment, named after its first sequence number
 *   audit/head.json                    the signed head: the last record's seq and hash
 *   audit/index/events.idx             derived indexes; deleted at will, rebuilt on open
 *   audit/writer.lock                  held only while one process appends a batch
 *   audit/segment-….jsonl.torn         unfinished lines set aside when the log opened after a crash
 *
 * A segment is only ever appended to; a new one starts when the current one is past its size.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^segment-(\d{12})\.jsonl$/;

export interface SegmentFile {
  readonly name: string;
  readonly firstSeq: number;
  readonly path: string;
}

export function segmentName(firstSeq: number): string {
  return `segment-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export async function listSegments(dir: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => ({ name, match: SEGMENT.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ name, firstSeq: Number(match[1]), path: join(dir, name) }))
    .sort((a, b) => a.firstSeq - b.firstSeq || a.name.localeCompare(b.name));
}

const CHUNK = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Calls `onLine` for every complete line of a file between bytes `from` and `until` (text
 * without its "\n", byte offset, byte length with the "\n"). Returns where the complete lines
 * end and where reading stopped: bytes between the two are an unfinished last line.
 */
export function readLines(
  path: string,
  from: number,
  until: number,
  onLine: (line: string, offset: number, length: number) => void,
): Promise<{ end: number; size: number }> {
  return readLineBytes(path, (chunk, start, end, offset) => onLine(chunk.toString('utf8', start, end), offset, end + 1 - start), from, until);
}

/**
 * `readLines` without making a string of each line: `onLine` gets the chunk, the line's bytes
 * `[start, end)` (without its "\n"), valid only during the call, and the line's offset in the file.
 */
export async function readLineBytes(
  path: string,
  onLine: (chunk: Buffer, start: number, end: number, offset: number) => void,
  from = 0,
  until = Infinity,
): Promise<{ end: number; size: number }> {
  const file = await open(path, 'r');
  try {
    const size = Math.min(until, (await file.stat()).size);
    let carry = Buffer.alloc(0);
    let carryAt = from;
    let at = from;
    while (at < size) {
      // The unfinished line carried over goes first, and the next bytes are read in after it.
      const buffer = Buffer.allocUnsafe(carry.length + Math.min(CHUNK, size - at));
      carry.copy(buffer);
      const { bytesRead } = await file.read(buffer, carry.length, buffer.length - carry.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      const chunk = buffer.subarray(0, carry.length + bytesRead);
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        onLine(chunk, start, nl, carryAt + start);
        start = nl + 1;
      }
      carry = chunk.subarray(start);
      carryAt += start;
    }
    return { end: carryAt, size };
  } finally {
    await file.close();
  }
}

/**
 * Reads a file backwards in chunks and calls `onLine` for its complete lines, last one first,
 * until it returns true (found what it wanted) or the file's start. Returns where the complete
 * lines end (what follows is an unfinished line), the size, and whether `onLine` stopped it.
 */
export async function scanLinesBackwards(path: string, onLine: (line: string, offset: number) => boolean): Promise<{ end: number; size: number; stopped: boolean }> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    let completeEnd = -1;
    let pending = Buffer.alloc(0);
    let position = size;
    const deliver = (data: Buffer, base: number, upTo: number, whole: boolean): { stopped: boolean; rest: number } => {
      let end = upTo;
      while (end > 0) {
        const nl = data.lastIndexOf(NEWLINE, end - 1);
        if (nl < 0) break;
        if (end > nl + 1 && onLine(data.toString('utf8', nl + 1, end), base + nl + 1)) return { stopped: true, rest: end };
        end = nl;
      }
      if (whole && end > 0 && onLine(data.toString('utf8', 0, end), base)) return { stopped: true, rest: end };
      return { stopped: false, rest: end };
    };
    while (position > 0) {
      const length = Math.min(256 * 1024, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(chunk, 0, length, position);
      if (bytesRead !== length) throw new Error(`${path} shrank while it was being read.`);
      let data = pending.length === 0 ? chunk : Buffer.concat([chunk, pending]);
      if (completeEnd < 0) {
        const last = data.lastIndexOf(NEWLINE);
        if (last < 0) {
          pending = data;
          continue;
        }
        completeEnd = position + last + 1;
        data = data.subarray(0, last);
      }
      const { stopped, rest } = deliver(data, position, data.length, position === 0);
      if (stopped) return { end: completeEnd, size, stopped };
      pending = data.subarray(0, rest);
    }
    return { end: Math.max(completeEnd, 0), size, stopped: false };
  } finally {
    await file.close();
  }
}

/**
 * The complete line that ends (with its "\n") at byte `end` of a file, without its "\n"; null
 * when there is none (no "\n" there, no line start within 64 KiB, or the file cannot be read).
 */
export async function lastLineBefore(path: string, end: number): Promise<string | null> {
  let file: FileHandle | null = null;
  try {
    file = await open(path, 'r');
    // Records are about 400 bytes: a small read nearly always holds the whole line.
    for (const window of [8 * 1024, 64 * 1024]) {
      const from = Math.max(0, end - window);
      const bytes = Buffer.allocUnsafe(end - from);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, from);
      if (bytesRead !== bytes.length || bytes[bytes.length - 1] !== NEWLINE) return null;
      const start = bytes.lastIndexOf(NEWLINE, bytes.length - 2) + 1;
      if (start > 0 || from === 0) return bytes.toString('utf8', start, bytes.length - 1);
    }
    return null;
  } catch {
    return null;
  } finally {
    await file?.close();
  }
}

/** The hash of record `seq` as the log holds it now, or null when no readable record has it. */
export async function findRecordHash(dir: string, seq: number, decode: (line: string) => { seq: number; hash: string } | null): Promise<string | null> {
  const segment = (await listSegments(dir))
    .filter((candidate) => candidate.firstSeq <= seq)
    .at(-1);
  if (segment === undefined) return null;
  const prefix = `{"seq":${seq},`;
  let found: string | null = null;
  await readLines(segment.path, 0, Infinity, (line) => {
    if (found !== null || !line.startsWith(prefix)) return;
    const record = decode(line);
    if (record?.seq === seq) found = record.hash;
  });
  return found;
}
