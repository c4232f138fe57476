import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from './vault-services';

const open: VaultServices[] = [];
function services(home = tempHome()) {
  const audit = new MemoryAuditTrail();
  const created = createVaultServices({ dataDir: home, audit, log: silentLogger });
  open.push(created);
  return { ...created, audit, home };
}

afterEach(async () => {
  vi.useRealTimers();
  for (const s of open.splice(0)) await s.close();
});

const secret = (text: string) => Buffer.from(text, 'utf8');

describe('VaultService', () => {
  it('sets a passphrase, locks, refuses a wrong one without changing anything, and unlocks', async () => {
    const s = services();
    expect(s.vault.status()).toMatchObject({ initialised: false, unlocked: false });
    await s.vault.init(secret(PASSPHRASE), operator);
    expect(s.vault.status()).toMatchObject({ initialised: true, unlocked: true });
    await s.vault.lock(operator);
    const before = readFileSync(join(s.home, 'vault', 'vault.json'), 'utf8');
    expect(await s.vault.unlock(secret('wrong passphrase!'), operator)).toEqual({ ok: false, reason: 'wrongPassphrase' });
    expect(readFileSync(join(s.home, 'vault', 'vault.json'), 'utf8')).toBe(before);
    expect(s.vault.status().unlocked).toBe(false);
    expect(await s.vault.unlock(secret(PASSPHRASE), operator)).toEqual({ ok: true });
    expect(s.audit.events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['vault.init:success', 'vault.lock:success', 'vault.unlock:failure', 'vault.unlock:success']);
    // Real scrypt (~0.5–1.5 s each on a busy machine) plus the back-off after a wrong passphrase.
  }, 30_000);

  it('refuses a short passphrase and a second init', async () => {
    const s = services();
    await expect(s.vault.init(secret('short'), operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await s.vault.init(secret(PASSPHRASE), operator);
    await expect(s.vault.init(secret(PASSPHRASE), operator)).rejects.toMatchObject({ code: 'VAULT_EXISTS' });
  });

  it('creates the vault, its audit key and anchor with their event in one write: a stop before the log has it leaves the event to recovery', async () => {
    const home = tempHome();
    // The process "stops" once vault.json is written: the log never gets the event.
    const stopping = new MemoryAuditTrail();
    stopping.record = () => Promise.reject(new Error('killed'));
    const first = createVaultServices({ dataDir: home, audit: stopping, log: silentLogger });
    open.push(first);
    await expect(first.vault.init(secret(PASSPHRASE), operator)).rejects.toThrow('killed');
    await first.close();

    const s = services(home);
    expect(s.vault.status().initialised).toBe(true);
    const meta = JSON.parse(readFileSync(join(home, 'vault', 'vault.json'), 'utf8')) as Record<string, unknown>;
    expect(meta['auditKey']).toMatchObject({ algorithm: 'ed25519' });
    expect(meta['auditAnchor']).toEqual({ head: null });
    await vi.waitFor(() => expect(s.audit.events.map((e) => `${e.action}:${String(e.recovered)}`)).toEqual(['vault.init:true']));
    expect(await s.vault.unlock(secret(PASSPHRASE), operator)).toEqual({ ok: true });
  }, 30_000);

  it('serves two inits at once one after the other: one vault, the second refused, the first passphrase unlocks', async () => {
    const s = services();
    const results = await Promise.allSettled([s.vault.init(secret(PASSPHRASE), operator), s.vault.init(secret(`${PASSPHRASE} other`), operator)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'VAULT_EXISTS' } });
    expect(s.audit.events.filter((e) => e.action === 'vault.init')).toHaveLength(1);
    await s.vault.lock(operator);
    expect(await s.vault.unlock(secret(PASSPHRASE), operator)).toEqual({ ok: true });
  }, 30_000);

  it('never writes the passphrase or the data key in clear to disk or to the audit trail', async () => {
    const s = services();
    await s.vault.init(secret(PASSPHRASE), operator);
    const key = s.keyring.exportKey();
    const files = readdirSync(join(s.home, 'vault'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const file of files) {
      const content = readFileSync(join(file.parentPath, file.name));
      expect(content.includes(Buffer.from(PASSPHRASE))).toBe(false);
      expect(content.includes(key)).toBe(false);
      expect(content.includes(Buffer.from(key.toString('base64')))).toBe(false);
    }
    expect(JSON.stringify(s.audit.events)).not.toContain(PASSPHRASE);
  });

  it('locks by itself after the idle time chosen in the settings, and says so', async () => {
    vi.useFakeTimers();
    const changes: string[] = [];
    const home = tempHome();
    const s = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger, onVaultChange: () => changes.push('change') });
    open.push(s);
    await s.vault.init(secret(PASSPHRASE), operator);
    await s.vault.updateSettings({ idleLockMinutes: 2 }, operator);
    vi.advanceTimersByTime(60_000);
    s.keyring.seal(Buffer.from('activity'), 'test'); // a use of the secrets restarts the clock
    vi.advanceTimersByTime(90_000);
    expect(s.vault.status().unlocked).toBe(true);
    vi.advanceTimersByTime(31_000);
    expect(s.vault.status().unlocked).toBe(false);
    expect(() => s.keyring.seal(Buffer.from('x'), 'test')).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }));
    expect(changes.length).toBeGreaterThanOrEqual(3);
  });

  it('changes the passphrase without touching sealed secrets', async () => {
    const s = services();
    await s.vault.init(secret(PASSPHRASE), operator);
    const sealed = s.keyring.seal(Buffer.from('management key'), 'card');
    expect(await s.vault.changePassphrase(secret('not the passphrase'), secret('a brand new passphrase'), operator)).toEqual({ ok: false, reason: 'wrongPassphrase' });
    expect(await s.vault.changePassphrase(secret(PASSPHRASE), secret('a brand new passphrase'), operator)).toEqual({ ok: true });
    await s.vault.lock(operator);
    expect((await s.vault.unlock(secret(PASSPHRASE), operator)).ok).toBe(false);
    expect((await s.vault.unlock(secret('a brand new passphrase'), operator)).ok).toBe(true);
    expect(s.keyring.open(sealed, 'card').toString()).toBe('management key');
    // Real scrypt (~0.5–1.5 s each on a busy machine) plus the back-off after a wrong passphrase.
  }, 30_000);

  it('writes an encrypted backup and restores it, refusing the wrong passphrase', async () => {
    const s = services();
    await s.vault.init(secret(PASSPHRASE), operator);
    await s.access.storage().records.commit([{ collection: 'holders', id: 'h', record: { id: 'h', lastName: 'Lovelace-Backup' } as never }]);
    const file = await s.vault.backup(operator);
    expect(readFileSync(file, 'utf8')).not.toContain('Lovelace-Backup');
    await s.access.storage().records.commit([{ collection: 'holders', id: 'h', record: null }]);
    expect(await s.vault.restore(file, secret('wrong wrong wrong'), operator)).toEqual({ ok: false, reason: 'wrongPassphrase' });
    expect(s.access.storage().records.size('holders')).toBe(0);
    expect(await s.vault.restore(file, secret(PASSPHRASE), operator)).toEqual({ ok: true });
    expect(s.access.storage().records.get('holders', 'h')).toMatchObject({ lastName: 'Lovelace-Backup' });
    expect((await s.vault.listBackups()).map((b) => b.fileName)).toHaveLength(1);
    // Real scrypt (~0.5–1.5 s each on a busy machine) plus the back-off after a wrong passphrase.
  }, 30_000);
});
