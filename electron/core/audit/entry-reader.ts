/**
 * Reads the lines of chosen events back from the segments and turns them into the entries the
 * contract carries. Reads are small (a page is a few kilobytes, mostly in one read, from the
 * page cache) and go to the thread pool together: a page waits for its slowest read, not the sum.
 * What the writer of this process appended last is served from memory (tail-window.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import type { AuditEntry } from '../../shared/schemas/audit';
import type { EventRecord } from './audit-record';
import type { EventLocation } from './audit-index';
import type { TailWindow } from './tail-window';

/** Locations closer together than this are read in one go. */
const SPAN = 256 * 1024;

export function toEntry(record: EventRecord): AuditEntry {
  return {
    seq: record.seq,
    time: record.time,
    actor: { kind: record.actor.kind, id: record.actor.id },
    channel: record.channel,
    action: record.action,
    outcome: record.outcome,
    reason: record.reason ?? null,
    holderId: record.holder ?? null,
    cardSerial: record.card ?? null,
    certificateSerial: record.certificate ?? null,
    details: record.details ?? {},
    ...(record.recovered === true ? { recovered: true as const } : {}),
  };
}

/** Free-text search looks at what people read, not at hashes. */
export function entryMatches(entry: AuditEntry, needle: string): boolean {
  const haystack = [entry.action, entry.actor.id, entry.reason, entry.holderId, entry.cardSerial, entry.certificateSerial, ...Object.entries(entry.details).flat()]
    .filter((value) => value !== null)
    .join('\u0000')
    .toLowerCase();
  return haystack.includes(needle.toLowerCase());
}

function changedOnDisk(): CardDeskError {
  return new CardDeskError('AUDIT_UNAVAILABLE', 'An audit entry could not be read back: the log was changed on disk. Verify the log.');
}

export class EntryReader {
  readonly #dir: string;
  /** Segments opened for reading, kept open (a segment is only ever appended to). */
  readonly #files = new Map<string, Promise<FileHandle>>();

  readonly #window: TailWindow | null;

  constructor(dir: string, window: TailWindow | null = null) {
    this.#dir = dir;
    this.#window = window;
  }

  #file(segment: string): Promise<FileHandle> {
    let file = this.#files.get(segment);
    if (file === undefined) {
      file = open(join(this.#dir, segment), 'r');
      this.#files.set(segment, file);
      // A failed open is not kept: the next read tries again.
      file.catch(() => this.#files.delete(segment));
    }
    return file;
  }

  /** The entries at these locations, in the same order. */
  async read(locations: readonly EventLocation[]): Promise<AuditEntry[]> {
    const lines = new Array<string>(locations.length);
    const order = locations.map((_, i) => i).sort((a, b) => {
      const x = locations[a];
      const y = locations[b];
      return x === undefined || y === undefined ? 0 : x.segment.localeCompare(y.segment) || x.offset - y.offset;
    });
    const reads: Promise<void>[] = [];
    let i = 0;
    while (i < order.length) {
      const first = locations[order[i] ?? 0];
      if (first === undefined) break;
      // A run of locations in one segment that fits in one read.
      let j = i + 1;
      let end = first.offset + first.length;
      for (; j < order.length; j += 1) {
        const next = locations[order[j] ?? 0];
        if (next === undefined || next.segment !== first.segment || next.offset + next.length - first.offset > SPAN) break;
        end = Math.max(end, next.offset + next.length);
      }
      const run = order.slice(i, j);
      const cut = (buffer: Buffer): void => {
        for (const index of run) {
          const at = locations[index];
          if (at !== undefined) lines[index] = buffer.toString('utf8', at.offset - first.offset, at.offset - first.offset + at.length - 1);
        }
      };
      const held = this.#window?.read(first.segment, first.offset, end) ?? null;
      if (held !== null) {
        cut(held);
      } else {
        reads.push(
          this.#file(first.segment).then(async (file) => {
            const buffer = Buffer.allocUnsafe(end - first.offset);
            if ((await file.read(buffer, 0, buffer.length, first.offset)).bytesRead !== buffer.length) throw changedOnDisk();
            cut(buffer);
          }),
        );
      }
      i = j;
    }
    if (reads.length > 0) await Promise.all(reads);
    return lines.map((line) => {
      try {
        return toEntry(JSON.parse(line) as EventRecord);
      } catch {
        throw changedOnDisk();
      }
    });
  }

  async close(): Promise<void> {
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.all(files.map((file) => file.then((handle) => handle.close()).catch(() => undefined)));
  }
}
