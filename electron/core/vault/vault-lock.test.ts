import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import { LOCK_FILE, VaultLock } from './vault-lock';

describe('VaultLock', () => {
  it('lets one owner in and names it to the next', () => {
    const dir = tempHome();
    const lock = VaultLock.acquire(dir);
    expect(() => VaultLock.acquire(dir)).toThrow(expect.objectContaining({ code: 'VAULT_IN_USE' }));
    lock.release();
    VaultLock.acquire(dir).release();
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = tempHome();
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: null }));
    VaultLock.acquire(dir).release();
  });

  it('says "in use by PID n" while another live process holds it', () => {
    const dir = tempHome();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: hostname(), started: null }));
      expect(() => VaultLock.acquire(dir)).toThrow(`The vault is in use by PID ${child.pid}.`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('treats an empty lock file (a crash between create and write) as stale', () => {
    const dir = tempHome();
    writeFileSync(join(dir, LOCK_FILE), '');
    VaultLock.acquire(dir).release();
  });
});
