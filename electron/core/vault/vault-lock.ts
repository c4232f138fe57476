/**
 * One writer per vault. The lock is a file holding the owner's PID (and, on Linux, the owner's
 * start time, so a recycled PID is not mistaken for the owner). It is created with O_EXCL, so two
 * processes can never both create it; a lock whose process is gone is stale and is taken over by
 * renaming it away first, so two processes cleaning the same stale lock cannot both win.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import { fsyncDir } from '../files/safe-file';

export const LOCK_FILE = 'vault.lock';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Field 22 of /proc/<pid>/stat: tells a live owner from a later process with the same PID. */
  readonly started: string | null;
}

function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // A vault on a shared disk: never guess about another machine.
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function readOwner(path: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, host: parsed.host ?? hostname(), started: parsed.started ?? null };
  } catch {
    return null; // Torn by a crash between create and write: nobody can own it.
  }
}

function inUseError(owner: LockOwner): CardDeskError {
  return new CardDeskError(
    'VAULT_IN_USE',
    `The vault is in use by PID ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}. Close that CardDesk (app, browser mode or command) and try again.`,
  );
}

export class VaultLock {
  private constructor(readonly path: string) {}

  /** Takes the lock on `dir` or throws VAULT_IN_USE naming the owner's PID. */
  static acquire(dir: string): VaultLock {
    const path = join(dir, LOCK_FILE);
    const me: LockOwner = { pid: process.pid, host: hostname(), started: processStart(process.pid) };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(me));
        } finally {
          closeSync(fd);
        }
        fsyncDir(dir);
        return new VaultLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(path);
      if (owner !== null && owner.pid === process.pid && owner.host === me.host) {
        throw new CardDeskError('VAULT_IN_USE', `The vault is already open in this process (PID ${process.pid}).`);
      }
      if (owner !== null && alive(owner)) throw inUseError(owner);
      // Stale: move it aside under a name only we use, then check we moved the stale one.
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readOwner(aside);
      if (moved !== null && alive(moved)) {
        // Another process took over between our read and our rename: give its lock back.
        renameSync(aside, path);
        throw inUseError(moved);
      }
      unlinkSync(aside);
    }
    throw new CardDeskError('VAULT_IN_USE', 'The vault lock keeps changing hands; another CardDesk is starting. Try again.');
  }

  release(): void {
    try {
      const owner = readOwner(this.path);
      if (owner?.pid === process.pid) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
