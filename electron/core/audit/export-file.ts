/**
 * A file the audit CLI writes where the user says (`--output`): written under a temporary name
 * in the same folder and renamed to its name only once complete and on disk, so a command killed
 * part-way never leaves a file that looks complete. Mode 0600 (audit data names holders).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface ExportFile {
  readonly stream: WriteStream;
  /** Flushes, fsyncs and renames the file to its name; the file exists under it only after this. */
  commit(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

export function createExportFile(target: string): ExportFile {
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const stream = createWriteStream(temporary, { mode: 0o600, flags: 'wx' });
  return {
    stream,
    commit: async () => {
      stream.end();
      await once(stream, 'close');
      const handle = await open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      const folder = await open(dirname(target), 'r').catch(() => null);
      await folder?.sync().catch(() => undefined);
      await folder?.close();
    },
    abort: async () => {
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

/** Writes a whole text the same way. */
export async function writeExportFile(target: string, text: string): Promise<void> {
  const file = createExportFile(target);
  try {
    if (!file.stream.write(text)) await once(file.stream, 'drain');
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}
