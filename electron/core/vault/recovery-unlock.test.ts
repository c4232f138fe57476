import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from './vault-services';

const open: VaultServices[] = [];
function services() {
  const audit = new MemoryAuditTrail();
  const created = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  open.push(created);
  return { ...created, audit };
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const secret = (text: string) => Buffer.from(text, 'utf8');

describe('the recovery unlock (issue 17 §2)', () => {
  it('out of the bootstrap, refuses the desk passphrase unlock without approval, and names the approver when approved', async () => {
    const s = services();
    await s.vault.init(secret(PASSPHRASE), operator);
    await s.vault.lock(operator);
    s.vault.recoveryRequired = () => true;
    await expect(s.vault.unlock(secret(PASSPHRASE), operator)).rejects.toMatchObject({ code: 'APPROVAL_REQUIRED' });
    expect(s.vault.status().unlocked).toBe(false);
    expect(s.audit.events.at(-1)).toMatchObject({ action: 'vault.recoveryUnlock', outcome: 'failure', reason: 'approvalRequired' });
    expect(await s.vault.unlock(secret(PASSPHRASE), operator, 'desk-2', { kind: 'approved', approvedBy: 'op-2' })).toEqual({ ok: true });
    expect(s.audit.events.at(-1)).toMatchObject({ action: 'vault.recoveryUnlock', outcome: 'success', actor: operator.actor, details: { approvedBy: 'op-2' } });
    // A CLI command (held to its credential's roles before it asks) still unlocks with the passphrase.
    await s.vault.lock(operator);
    await s.vault.unlockOrThrow(secret(PASSPHRASE), operator, 'cli');
    expect(s.vault.status().unlocked).toBe(true);
  }, 60_000);

  it('opens with the passphrase and the one-time recovery code, uses the code up and gives a new one', async () => {
    const s = services();
    await s.vault.init(secret(PASSPHRASE), operator);
    expect(await s.vault.recover(secret(PASSPHRASE), 'AAAAA-AAAAA-AAAAA-AAAAA', operator, 'a')).toEqual({ ok: false, reason: 'noRecoveryCode' });
    const code = await s.vault.issueRecoveryCode(operator);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    expect(JSON.stringify(s.access.storage().meta)).not.toContain(code);
    await s.vault.lock(operator);
    expect(await s.vault.recover(secret(PASSPHRASE), 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', operator, 'b')).toEqual({ ok: false, reason: 'wrongRecoveryCode' });
    expect(await s.vault.recover(secret('not the passphrase'), code, operator, 'c')).toEqual({ ok: false, reason: 'wrongPassphrase' });
    expect(s.vault.status().unlocked).toBe(false);
    const recovered = await s.vault.recover(secret(PASSPHRASE), code.toLowerCase(), operator, 'd');
    expect(recovered).toMatchObject({ ok: true });
    expect(s.vault.status().unlocked).toBe(true);
    if (!recovered.ok) return;
    expect(recovered.newCode).not.toBe(code);
    expect(s.audit.events.filter((e) => e.action === 'vault.recoveryUnlock').map((e) => `${e.outcome}:${e.reason ?? ''}`)).toEqual([
      'failure:no recovery code',
      'failure:wrong recovery code',
      'failure:wrong passphrase',
      'success:',
    ]);
    // The code is used up: only the new one opens.
    await s.vault.lock(operator);
    expect(await s.vault.recover(secret(PASSPHRASE), code, operator, 'e')).toEqual({ ok: false, reason: 'wrongRecoveryCode' });
    expect(await s.vault.recover(secret(PASSPHRASE), recovered.newCode, operator, 'f')).toMatchObject({ ok: true });
  }, 120_000);
});
