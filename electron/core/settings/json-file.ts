import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, writeFileDurable } from '../files/safe-file';

/** Reads a JSON file; null when it does not exist. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes a JSON file so that a crash leaves the old file or the new one, never half of either. */
export function writeJsonFileAtomically(path: string, value: unknown): void {
  ensurePrivateDir(dirname(path));
  writeFileDurable(path, `${JSON.stringify(value, null, 2)}\n`);
}
