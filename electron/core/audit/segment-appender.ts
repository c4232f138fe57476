/**
 * The one open segment file the writer appends to: a batch's lines go in with one write that
 * returns once they are on disk (the file is opened with O_DSYNC: the write and the data sync are
 * one trip to the thread pool, not two; where there is no O_DSYNC, a write then an fdatasync), a
 * failed write is cut back, and a new segment's name is made durable by syncing the folder.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import type { LogTail } from './log-tail';

/** More than any one line: a segment this far from full cannot have been rotated by anyone. */
const ROTATION_MARGIN = 1024 * 1024;
/** Each write is durable when it returns (as write + fdatasync), where the platform has O_DSYNC. */
const DSYNC: number | undefined = process.platform === 'win32' ? undefined : (constants as { O_DSYNC?: number }).O_DSYNC;
const APPEND_FLAGS = DSYNC === undefined ? 'a' : constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | DSYNC;

export function unavailable(error: unknown): CardDeskError {
  if (error instanceof CardDeskError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new CardDeskError('AUDIT_UNAVAILABLE', `The audit log could not be written (${code}); nothing was recorded.`, { cause: error });
}

export class SegmentAppender {
  readonly #dir: string;
  /** Told of every batch once it is on disk: the segment, the offset it was written at, its bytes. */
  readonly #onDurable: ((segment: string, offset: number, bytes: Buffer) => void) | undefined;
  #writer: { readonly segment: string; readonly handle: FileHandle } | null = null;

  constructor(dir: string, onDurable?: (segment: string, offset: number, bytes: Buffer) => void) {
    this.#dir = dir;
    this.#onDurable = onDurable;
  }

  /** Appends the lines to a segment and waits until they are on disk; cuts a failed write back. */
  async append(segment: string, lines: readonly string[], sizeBefore: number, whileSyncing?: () => void): Promise<void> {
    if (this.#writer?.segment !== segment) {
      await this.close();
      const handle = await open(join(this.#dir, segment), APPEND_FLAGS, 0o600);
      this.#writer = { segment, handle };
      if (sizeBefore === 0) await this.#syncDirectory();
    }
    const { handle } = this.#writer;
    const bytes = Buffer.from(lines.join(''));
    try {
      // In the thread pool; records arriving meanwhile gather for the next batch.
      let written = 0;
      if (DSYNC !== undefined) {
        const first = handle.write(bytes, 0, bytes.length);
        whileSyncing?.();
        written = (await first).bytesWritten;
      }
      while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
      if (DSYNC === undefined) {
        const synced = handle.datasync();
        whileSyncing?.();
        await synced;
      }
    } catch (error) {
      await handle.truncate(sizeBefore).catch(() => undefined);
      throw unavailable(error);
    }
    this.#onDurable?.(segment, sizeBefore, bytes);
  }

  /**
   * Nothing was appended since this process last looked: the segment it appends to is the same
   * file with the same size, and too far from full (`segmentBytes`) for anyone to have started a new one.
   */
  async unchanged(tail: LogTail, segmentBytes: number): Promise<boolean> {
    const writer = this.#writer;
    if (tail.segment === null || writer?.segment !== tail.segment || tail.size + ROTATION_MARGIN > segmentBytes) return false;
    // Both in the thread pool at once: one round trip, not two.
    const [onDisk, open] = await Promise.all([stat(join(this.#dir, tail.segment)).catch(() => null), writer.handle.stat()]);
    return onDisk !== null && onDisk.size === tail.size && onDisk.ino === open.ino;
  }

  /** Lets go of the file (it is reopened for the next write: it may have been replaced meanwhile). */
  async close(): Promise<void> {
    const writer = this.#writer;
    this.#writer = null;
    await writer?.handle.close();
  }

  /** A new segment's name must survive a crash too. */
  async #syncDirectory(): Promise<void> {
    if (process.platform === 'win32') return;
    const directory = await open(this.#dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}
