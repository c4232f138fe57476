/**
 * Questions the write path asks of the segments on disk, read without the index: the hash of
 * one record (for the signed head and the vault's anchor) and which vault changes have an event.
 */
import { decodeLine } from './audit-record';
import type { LogTail } from './log-tail';
import { findRecordHash, listSegments, scanLinesBackwards } from './segment-files';

const CHANGE_FIELD = ',"change":"';
const TIME_FIELD = ',"time":"';
const CHANGE_SEARCH_SLACK_MS = 60 * 60 * 1000;

/** The hash of record `seq` as the log on disk holds it (null: it holds no such record). */
export function recordHashAt(dir: string, tail: LogTail, seq: number): Promise<string | null> {
  if (seq > tail.seq) return Promise.resolve(null);
  if (seq === tail.seq) return Promise.resolve(tail.hash);
  return findRecordHash(dir, seq, (line) => {
    const decoded = decodeLine(line);
    return decoded.ok && decoded.hashMatches ? { seq: decoded.record.seq, hash: decoded.hash } : null;
  });
}

/**
 * Which of these vault change ids have an event in the log (see vault/change-events.ts). Reads
 * the log backwards from its end and stops once every id is found or the records are older
 * than `sinceMs` less an hour (a change's event is written after the change, so it is never
 * much older; the hour absorbs a clock set back in between). Only the tail is read.
 */
export async function findChangeEvents(dir: string, ids: ReadonlySet<string>, sinceMs: number): Promise<Set<string>> {
  const found = new Set<string>();
  if (ids.size === 0) return found;
  const stopBefore = sinceMs - CHANGE_SEARCH_SLACK_MS;
  const segments = await listSegments(dir);
  for (let i = segments.length - 1; i >= 0 && found.size < ids.size; i -= 1) {
    const segment = segments[i];
    if (segment === undefined) break;
    const scan = await scanLinesBackwards(segment.path, (line) => {
      if (line.includes(CHANGE_FIELD)) {
        const decoded = decodeLine(line);
        if (decoded.ok && decoded.record.type === 'event' && decoded.record.change !== undefined && ids.has(decoded.record.change)) found.add(decoded.record.change);
        if (found.size === ids.size) return true;
      }
      // The time comes second in every line: `{"seq":N,"time":"…"` (see audit-record.ts).
      const at = line.indexOf(TIME_FIELD);
      const time = at < 0 ? Number.NaN : Date.parse(line.slice(at + TIME_FIELD.length, at + TIME_FIELD.length + 24));
      return Number.isFinite(time) && time < stopBefore;
    });
    if (scan.stopped) break;
  }
  return found;
}
