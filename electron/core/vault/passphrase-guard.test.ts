/**
 * Issue 11 §4: the passphrase check cannot stall or exhaust the desk. Real scrypt, real vault
 * files; the "other session" is a simple request (vault status) made every 20 ms meanwhile.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { backoffMs, MAX_CONCURRENT_KDF } from './passphrase-guard';
import { createVaultServices, type VaultServices } from './vault-services';

const open: VaultServices[] = [];
async function unlockedVault() {
  const audit = new MemoryAuditTrail();
  const services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  open.push(services);
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  return { ...services, audit };
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** Runs `simple` every 20 ms while `work` runs; returns how late the latest answer came (ms). */
async function worstDelayDuring(work: Promise<unknown>, simple: () => unknown): Promise<{ worst: number; samples: number }> {
  let worst = 0;
  let samples = 0;
  let done = false;
  void work.finally(() => (done = true));
  while (!done) {
    const asked = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    simple();
    worst = Math.max(worst, performance.now() - asked - 20);
    samples += 1;
  }
  await work;
  return { worst, samples };
}

describe('passphrase checks', () => {
  it('ten parallel wrong unlocks (ten sessions) do not hold up another session, and run at most two scrypts at once', async () => {
    const { vault, audit } = await unlockedVault();
    await vault.lock(operator);
    const started = performance.now();
    const guesses = Promise.all(Array.from({ length: 10 }, (_, i) => vault.unlock(Buffer.from(`wrong guess ${i}!!`), operator, `browser-session:${i}`)));
    const { worst, samples } = await worstDelayDuring(guesses, () => vault.status());
    const results = await guesses;
    const total = performance.now() - started;
    process.stdout.write(`10 parallel wrong unlocks took ${total.toFixed(0)} ms; another session's request was at most ${worst.toFixed(0)} ms late over ${samples} requests\n`);
    expect(results.every((result) => !result.ok)).toBe(true);
    expect(worst).toBeLessThan(200);
    expect(vault.passphraseGuard.peakConcurrency).toBe(MAX_CONCURRENT_KDF);
    expect(MAX_CONCURRENT_KDF).toBe(2);
    expect(audit.events.filter((e) => e.action === 'vault.unlock' && e.outcome === 'failure')).toHaveLength(10);
  }, 60_000);

  it('wrong passphrases from one source back off, more each time, and are audited; another source is not held back', async () => {
    const { vault, audit } = await unlockedVault();
    await vault.lock(operator);
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const asked = performance.now();
      expect((await vault.unlock(Buffer.from('not the passphrase'), operator, 'browser-session:attacker')).ok).toBe(false);
      times.push(performance.now() - asked);
    }
    const other = performance.now();
    expect((await vault.unlock(Buffer.from(PASSPHRASE), operator, 'browser-session:operator')).ok).toBe(true);
    const otherMs = performance.now() - other;
    process.stdout.write(`attempts by the guessing session took ${times.map((t) => t.toFixed(0)).join(', ')} ms; the operator's unlock ${otherMs.toFixed(0)} ms\n`);
    // The second and third attempts waited out 0.5 s and 1 s before their scrypt even started.
    expect(times[1]).toBeGreaterThan(backoffMs(1));
    expect(times[2]).toBeGreaterThan(backoffMs(2));
    // The operator's own session does not wait out the guessing session's 2 s.
    expect(otherMs).toBeLessThan(backoffMs(3));
    const failures = audit.events.filter((e) => e.action === 'vault.unlock' && e.outcome === 'failure');
    expect(failures.map((e) => e.details)).toEqual([
      { source: 'browser-session:attacker', failures: 1, nextDelayMs: 500 },
      { source: 'browser-session:attacker', failures: 2, nextDelayMs: 1000 },
      { source: 'browser-session:attacker', failures: 3, nextDelayMs: 2000 },
    ]);
  }, 60_000);

  it('parallel guesses from one source are taken one at a time, with the back-off between them', async () => {
    const { vault } = await unlockedVault();
    await vault.lock(operator);
    const started = performance.now();
    await Promise.all(Array.from({ length: 3 }, () => vault.unlock(Buffer.from('not the passphrase'), operator, 'browser-session:burst')));
    expect(performance.now() - started).toBeGreaterThan(backoffMs(1) + backoffMs(2));
  }, 60_000);

  it('a crafted backup with a huge scrypt N is refused at once with a clear message, before scrypt runs', async () => {
    const { vault, access } = await unlockedVault();
    const file = await vault.backup(operator);
    const crafted = JSON.parse(readFileSync(file, 'utf8')) as { kdf: { N: number } };
    crafted.kdf.N = 2 ** 30;
    const craftedFile = join(vault.backupDir, 'crafted.cdbackup');
    writeFileSync(craftedFile, JSON.stringify(crafted));
    const before = readFileSync(join(access.storage().dir, 'vault.json'), 'utf8');
    const started = performance.now();
    await expect(vault.restore(craftedFile, Buffer.from(PASSPHRASE), operator)).rejects.toMatchObject({
      code: 'MALFORMED_INPUT',
      message: 'crafted.cdbackup cannot be restored: scrypt N = 1073741824 is outside 2^14 to 2^20 (a power of two). It was not written by CardDesk or was changed; nothing was changed.',
    });
    const ms = performance.now() - started;
    process.stdout.write(`crafted backup (N = 2^30) refused in ${ms.toFixed(1)} ms\n`);
    expect(ms).toBeLessThan(100);
    expect(readFileSync(join(access.storage().dir, 'vault.json'), 'utf8')).toBe(before);
  });

  it.each([
    ['r', 1 << 20, /scrypt r = 1048576 is outside 1 to 32/],
    ['p', 1 << 20, /scrypt p = 1048576 is outside 1 to 16/],
    ['N', 3, /scrypt N = 3 is outside/],
  ])('a vault file with scrypt %s = %d is refused before scrypt runs', async (key, value, message) => {
    const { vault, access } = await unlockedVault();
    await vault.lock(operator);
    const path = join(access.storage().dir, 'vault.json');
    const document = JSON.parse(readFileSync(path, 'utf8')) as { keystore: { kdf: Record<string, number> } };
    document.keystore.kdf[key] = value;
    writeFileSync(path, JSON.stringify(document));
    await access.reopen();
    const started = performance.now();
    await expect(vault.unlock(Buffer.from(PASSPHRASE), operator)).rejects.toMatchObject({ code: 'VAULT_CORRUPT', message: expect.stringMatching(message) });
    expect(performance.now() - started).toBeLessThan(100);
  });
});
