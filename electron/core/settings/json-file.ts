import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDirAsync, writeFileDurably } from '../files/safe-file';

/** Reads a JSON file without holding the event loop; null when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/**
 * Writes a JSON file so that a crash leaves the old file or the new one, never half of either
 * (temporary file, fsync, rename, fsync of the folder, in that order), without holding the event loop.
 */
export async function writeJsonFileAtomically(path: string, value: unknown): Promise<void> {
  await ensurePrivateDirAsync(dirname(path));
  await writeFileDurably(path, `${JSON.stringify(value, null, 2)}\n`);
}
