/**
 * Where the log ends, found by reading it backwards from the end: the last record (the chain's
 * head), the last checkpoint or key record (the key in effect), and any unfinished bytes after
 * the last readable record. Only the tail is read, so opening costs the same at any size.
 */
import { decodeLine, GENESIS_HASH } from './audit-record';
import { listSegments, scanLinesBackwards, type SegmentFile } from './segment-files';

export interface LogTail {
  readonly seq: number;
  readonly hash: string;
  readonly timeMs: number;
  /** The segment appended to now, and where its readable records end. */
  readonly segment: string | null;
  readonly size: number;
  /** The last checkpoint or key record, and the key it names. */
  readonly anchorSeq: number;
  readonly keyId: string | null;
}

export interface TailScan {
  readonly tail: LogTail;
  /** Bytes after the last readable record of the last segment: from `torn.from` to its end. */
  readonly torn: { readonly segment: SegmentFile; readonly from: number; readonly size: number; readonly completeLines: boolean } | null;
}

export const EMPTY_TAIL: LogTail = { seq: 0, hash: GENESIS_HASH, timeMs: 0, segment: null, size: 0, anchorSeq: 0, keyId: null };

export async function scanTail(dir: string): Promise<TailScan> {
  const segments = await listSegments(dir);
  const active = segments.at(-1);
  if (active === undefined) return { tail: EMPTY_TAIL, torn: null };

  let last: { seq: number; hash: string; timeMs: number } | null = null;
  let anchor: { seq: number; keyId: string } | null = null;
  let activeEnd = 0;
  let activeSize = 0;
  let activeCompleteEnd = 0;
  for (let i = segments.length - 1; i >= 0 && anchor === null; i -= 1) {
    const segment = segments[i];
    if (segment === undefined) break;
    const scan = await scanLinesBackwards(segment.path, (line, offset) => {
      const decoded = decodeLine(line);
      if (!decoded.ok) return false;
      const { record } = decoded;
      if (last === null) {
        last = { seq: record.seq, hash: decoded.hash, timeMs: Date.parse(record.time) || 0 };
        if (segment === active) activeEnd = offset + Buffer.byteLength(line) + 1;
      }
      if (record.type !== 'event') anchor = { seq: record.seq, keyId: record.keyId };
      return anchor !== null;
    });
    if (segment === active) {
      activeSize = scan.size;
      activeCompleteEnd = scan.end;
    }
  }
  const head = last as { seq: number; hash: string; timeMs: number } | null;
  const found = anchor as { seq: number; keyId: string } | null;
  const tail: LogTail = {
    ...(head ?? { seq: 0, hash: GENESIS_HASH, timeMs: 0 }),
    segment: active.name,
    size: activeEnd,
    anchorSeq: found?.seq ?? 0,
    keyId: found?.keyId ?? null,
  };
  return {
    tail,
    torn: activeSize > activeEnd ? { segment: active, from: activeEnd, size: activeSize, completeLines: activeCompleteEnd > activeEnd } : null,
  };
}
