/**
 * How the writer catches up with the files on disk: the bytes a crashed writer left after the
 * last readable record are set aside (to `<segment>.torn`, never destroyed), and the records other
 * processes appended since this one last looked are read (and handed to the index).
 */
import { appendFile, open, truncate } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '../files/safe-file';
import { decodeLine, type EventRecord } from './audit-record';
import type { LogTail, TailScan } from './log-tail';
import { listSegments, readLines } from './segment-files';

/** What setting torn bytes aside recorded: a repair event's outcome, reason and details. */
export interface TornRepair {
  readonly outcome: 'success' | 'failure';
  readonly reason: string;
  readonly details: Record<string, string | number>;
}

/** Moves the bytes after the last readable record to `<segment>.torn` and cuts the segment back. */
export async function setTornAside(torn: NonNullable<TailScan['torn']>, after: number): Promise<TornRepair> {
  const handle = await open(torn.segment.path, 'r');
  const bytes = Buffer.alloc(torn.size - torn.from);
  try {
    await handle.read(bytes, 0, bytes.length, torn.from);
  } finally {
    await handle.close();
  }
  // Kept, not destroyed: the bytes go to a side file before the segment is cut back.
  await appendFile(`${torn.segment.path}.torn`, bytes, { mode: PRIVATE_FILE_MODE });
  await truncate(torn.segment.path, torn.from);
  const details = { segment: torn.segment.name, bytes: bytes.length, after };
  return torn.completeLines
    ? { outcome: 'failure', reason: 'unreadable records at the end of the log were set aside', details }
    : { outcome: 'success', reason: 'an unfinished last line (never acknowledged) was set aside', details };
}

export type Appended =
  /** Read to the end: where the log ends now, and how many events were found. */
  | { readonly kind: 'read'; readonly tail: LogTail; readonly events: number }
  /** The log is shorter than `tail` said (someone cut it): its end must be read again. */
  | { readonly kind: 'cut' }
  /** The last segment ends in an unfinished line after `tail` (the records before it were read). */
  | { readonly kind: 'torn'; readonly tail: LogTail; readonly events: number };

/** Reads the records appended after `tail`, giving each event (and where it is) to `onEvent`. */
export async function readAppended(dir: string, tail: LogTail, onEvent: (record: EventRecord, segment: string, offset: number, length: number) => void): Promise<Appended> {
  const segments = await listSegments(dir);
  const from = tail.segment === null ? -1 : segments.findIndex((segment) => segment.name === tail.segment);
  if (tail.segment !== null && from < 0) return { kind: 'cut' };
  const newer = segments.slice(from < 0 ? 0 : from);
  let events = 0;
  let state = tail;
  for (const [i, segment] of newer.entries()) {
    const start = segment.name === tail.segment ? tail.size : 0;
    const { end, size } = await readLines(segment.path, start, Infinity, (line, offset, length) => {
      const decoded = decodeLine(line);
      if (!decoded.ok) return;
      const { record } = decoded;
      if (record.type === 'event') {
        events += 1;
        onEvent(record, segment.name, offset, length);
      }
      state = {
        seq: record.seq,
        hash: decoded.hash,
        timeMs: Math.max(state.timeMs, Date.parse(record.time) || 0),
        segment: segment.name,
        size: offset + length,
        anchorSeq: record.type === 'event' ? state.anchorSeq : record.seq,
        keyId: record.type === 'event' ? state.keyId : record.keyId,
      };
    });
    if (size < start) return { kind: 'cut' };
    state = { ...state, segment: segment.name, size: end };
    if (end < size && i === newer.length - 1) return { kind: 'torn', tail: state, events };
  }
  return { kind: 'read', tail: state, events };
}
