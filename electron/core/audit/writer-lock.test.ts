import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/audit';
import { WriterLock } from './writer-lock';

function deadPid(): number {
  // A process that has exited: its id is free (and very unlikely to be reused within the test).
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('WriterLock', () => {
  it('lets one holder in at a time and removes its file on release', async () => {
    const path = join(tempHome(), 'writer.lock');
    const a = new WriterLock(path);
    const b = new WriterLock(path, { timeoutMs: 5000 });
    await a.acquire();
    let bIn = false;
    const waiting = b.acquire().then(() => (bIn = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(bIn).toBe(false);
    await a.release();
    await waiting;
    expect(bIn).toBe(true);
    await b.release();
    expect(existsSync(path)).toBe(false);
  });

  it('breaks a lock left by a process that died', async () => {
    const path = join(tempHome(), 'writer.lock');
    writeFileSync(path, `${deadPid()} abcdef`);
    const lock = new WriterLock(path, { timeoutMs: 2000 });
    await lock.acquire();
    await lock.release();
  });

  it('breaks a lock older than the stale time even if its process lives', async () => {
    const path = join(tempHome(), 'writer.lock');
    writeFileSync(path, `${process.pid} abcdef`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const lock = new WriterLock(path, { staleMs: 30_000, timeoutMs: 2000 });
    await lock.acquire();
    await lock.release();
  });

  it('gives up with AUDIT_UNAVAILABLE when a live holder keeps it', async () => {
    const path = join(tempHome(), 'writer.lock');
    await new WriterLock(path).acquire();
    await expect(new WriterLock(path, { timeoutMs: 100 }).acquire()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });

  it('keeps the lock for the next batch after releaseSoon, and lets it go once no batch comes', async () => {
    const path = join(tempHome(), 'writer.lock');
    const a = new WriterLock(path);
    await a.acquire();
    const token = readFileSync(path, 'utf8');
    a.releaseSoon(50);
    // Taken again at once: the same file, never removed in between.
    await a.acquire();
    expect(readFileSync(path, 'utf8')).toBe(token);
    a.releaseSoon(50);
    // Another writer waits for the delay, then gets in.
    const b = new WriterLock(path, { timeoutMs: 5000 });
    const started = Date.now();
    await b.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(readFileSync(path, 'utf8')).not.toBe(token);
    await b.release();
    expect(existsSync(path)).toBe(false);
  });
});
