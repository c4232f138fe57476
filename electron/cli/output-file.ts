/**
 * Files the user names with `--out`/`--output` or as a backup's file (issue 11 §6): written
 * through the shared safe writer (no links followed, temporary file renamed when complete), never
 * replacing a file unless `--force` was given or the user says yes at a terminal.
 */
import { lstatSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { writeUserFile, writeUserFileStreaming } from '../core/files/safe-file';

export { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE } from '../core/files/safe-file';

export const FORCE_HELP = 'replace the file if it already exists';

function existingRegularFile(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isFile() && !stat.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Whether an existing file may be replaced: `--force`, or (only at a terminal) the user's yes.
 * Without a terminal the answer is no, and the writer refuses with a sentence naming --force.
 */
export async function mayReplace(path: string, force: boolean | undefined): Promise<boolean> {
  if (force === true) return true;
  if (!existingRegularFile(path) || process.stdin.isTTY !== true || process.stderr.isTTY !== true) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${path} already exists. Replace it? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

export async function writeOutputFile(path: string, data: string | Buffer, options: { mode: number; force?: boolean }): Promise<void> {
  await writeUserFile(path, data, { mode: options.mode, force: await mayReplace(path, options.force) });
}

export async function streamOutputFile(path: string, options: { mode: number; force?: boolean }, produce: (out: Writable) => Promise<void>, beforeRename?: () => Promise<void>): Promise<void> {
  await writeUserFileStreaming(path, { mode: options.mode, force: await mayReplace(path, options.force) }, produce, beforeRename);
}
