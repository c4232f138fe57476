import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/** Runs `work` while nobody, root included, can create a file in `dir` (chattr +i for root). */
export async function whileUnwritable<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chattr', ['+i', dir]);
  else chmodSync(dir, 0o500);
  try {
    return await work();
  } finally {
    if (root) execFileSync('chattr', ['-i', dir]);
    else chmodSync(dir, 0o700);
  }
}
