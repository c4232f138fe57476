/** Issue 11 §7: a personal-number pattern cannot hang the desk, and changes only with the vault unlocked. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { checkPersonalNumber } from './personal-number';

const open: VaultServices[] = [];
function setup() {
  const services = createVaultServices({ dataDir: tempHome(), audit: new MemoryAuditTrail(), log: silentLogger });
  open.push(services);
  return services;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('personal-number pattern', () => {
  it.each(['(a+)+$', '([0-9]|[0-9])*X', '(\\d*)*Z', '\\d*\\d*\\d*\\d*\\d*\\d*\\d*\\d*\\d*\\d*!', '(x+x+)+y', '(\\w|\\d)+$'])(
    'refuses %s quickly (catastrophic backtracking) and keeps the old rule',
    async (pattern) => {
      const s = setup();
      await s.vault.init(Buffer.from(PASSPHRASE), operator);
      const started = performance.now();
      await expect(s.vault.updateSettings({ personalNumberRule: { kind: 'pattern', pattern } }, operator)).rejects.toThrow(/could take too long|cannot be used/);
      const ms = performance.now() - started;
      process.stdout.write(`pattern ${pattern} refused in ${ms.toFixed(0)} ms\n`);
      expect(ms).toBeLessThan(3000);
      expect(s.vault.status().settings.personalNumberRule).toEqual({ kind: 'digits', length: 10, checkDigit: 'mod11-10' });
    },
    10_000,
  );

  it('accepts ordinary patterns', async () => {
    const s = setup();
    await s.vault.init(Buffer.from(PASSPHRASE), operator);
    for (const pattern of ['[A-Z]{2}\\d{7}', '\\d{6}-?\\d{4}', '(19|20)\\d{2}[01]\\d[0-3]\\d\\d{4}', 'P\\d+']) {
      const status = await s.vault.updateSettings({ personalNumberRule: { kind: 'pattern', pattern } }, operator);
      expect(status.settings.personalNumberRule).toEqual({ kind: 'pattern', pattern });
    }
    // A worker per pattern, plus the vault's scrypt, on a busy machine.
  }, 30_000);

  it('refuses a pattern that does not compile, with a sentence', async () => {
    const s = setup();
    await s.vault.init(Buffer.from(PASSPHRASE), operator);
    await expect(s.vault.updateSettings({ personalNumberRule: { kind: 'pattern', pattern: '[0-9' } }, operator)).rejects.toThrow('The personal-number pattern cannot be used: it is not a valid regular expression.');
  });

  it('is changed only with the vault unlocked (enforced by the service)', async () => {
    const s = setup();
    await s.vault.init(Buffer.from(PASSPHRASE), operator);
    await s.vault.lock(operator);
    await expect(s.vault.updateSettings({ personalNumberRule: { kind: 'digits', length: 8, checkDigit: 'none' } }, operator)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    expect(s.vault.status().settings.personalNumberRule).toEqual({ kind: 'digits', length: 10, checkDigit: 'mod11-10' });
    // Other settings still change while locked.
    expect((await s.vault.updateSettings({ idleLockMinutes: 7 }, operator)).settings.idleLockMinutes).toBe(7);
  });

  it('a dangerous pattern already in a vault file is never run against a number', () => {
    const started = performance.now();
    expect(checkPersonalNumber('a'.repeat(40) + '!', { kind: 'pattern', pattern: '(a+)+$' })).toEqual({ ok: false, code: 'invalid' });
    expect(performance.now() - started).toBeLessThan(100);
  });
});
