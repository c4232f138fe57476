/**
 * Every write channel of the vault, CA and directory records at least one audit event (success or
 * failure), and no passphrase or PIN reaches an event; each channel is called once, in an order
 * that gives it something to act on.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { channels, type ChannelArgs, type ChannelName } from '../../shared/contract';
import { holderInput, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { toPem } from '../ca/der';
import { silentLogger } from '../log/logger';
import { createVaultServices } from '../vault/vault-services';
import type { CallContext } from './context';
import { dispatch } from './dispatch';
import { vaultHandlers } from './vault-handlers';
import { stubHandlers } from '../../../test/support/stub-handlers';

const audit = new MemoryAuditTrail();
const services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
const handlers = stubHandlers(vaultHandlers(services, 'tester'));
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
afterAll(() => services.close());

const csr = toPem(createRequest('CN=Audit Test', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');
const covered = new Set<ChannelName>();
const recoveryCodes: string[] = [];

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<unknown> {
  const before = audit.events.length;
  const result = await dispatch(handlers, channel, args, desk, silentLogger);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  if (channels[channel].effect === 'write') {
    expect(audit.events.length, `${channel} recorded nothing`).toBeGreaterThan(before);
    covered.add(channel);
  }
  return result.value;
}

describe('the vault, CA and directory channels', () => {
  it('record an audit event for every write, and never a secret', async () => {
    await call('vault:init', { passphrase: PASSPHRASE });
    await call('vault:lock', undefined);
    expect(await call('vault:unlock', { passphrase: 'Xyzzy-not-the-one' })).toEqual({ ok: false, reason: 'wrongPassphrase' });
    await call('vault:unlock', { passphrase: PASSPHRASE });
    await call('vault:updateSettings', { idleLockMinutes: 30 });
    // The recovery code: issued once, then the passphrase plus the code open a locked vault (and the code is used up).
    const { code } = (await call('vault:issueRecoveryCode', undefined)) as { code: string };
    await call('vault:lock', undefined);
    const recovered = (await call('vault:recover', { passphrase: PASSPHRASE, code })) as { ok: true; newCode: string };
    expect(recovered).toMatchObject({ ok: true });
    recoveryCodes.push(code, recovered.newCode);
    await call('ca:init', { rootSubject: 'CN=Audit Root', issuingSubject: 'CN=Audit Issuing' });
    const created = (await call('holders:create', holderInput(1))) as { ok: true; holder: { id: string; version: number } };
    expect(await call('holders:create', holderInput(2, { email: 'broken' }))).toMatchObject({ ok: false });
    await call('holders:update', { id: created.holder.id, version: created.holder.version, holder: holderInput(1, { lastName: 'Changed' }) });
    await call('holders:importCsv', { csv: 'personalNumber,firstName,lastName\n123,Bad,Row\n' });
    await call('holders:exportCsv', {});
    await call('directory:registerCard', { serial: 'AUDIT-0001', holderId: created.holder.id });
    const issued = (await call('certificates:issue', { profile: 'authentication', request: csr, holderId: created.holder.id })) as { serial: string };
    const renewed = (await call('certificates:renew', { serial: issued.serial })) as { serial: string };
    await call('certificates:suspend', { serial: renewed.serial, days: 3, afterHold: 'release' });
    await call('certificates:resume', { serial: renewed.serial });
    await call('certificates:revoke', { serial: renewed.serial, reason: 'superseded' });
    await call('certificates:revoke', { serial: renewed.serial, reason: 'superseded' }); // refused, recorded as a failure
    await call('certificates:download', { serial: issued.serial, format: 'p7b' });
    await call('ca:publishCrl', undefined);
    await call('ca:startOcsp', { port: 20_000 + Math.floor(Math.random() * 20_000) });
    await call('ca:stopOcsp', undefined);
    await call('ca:setPublicBaseUrl', { publicBaseUrl: 'http://pki.audit.example/' });
    await expect(call('ca:setPublicBaseUrl', { publicBaseUrl: 'http://127.0.0.1:8080/' })).rejects.toThrow(/PUBLIC_URL_REFUSED/);
    const backup = (await call('vault:backup', undefined)) as { fileName: string };
    await call('vault:restore', { fileName: backup.fileName, passphrase: PASSPHRASE });
    await call('ca:import', { pkcs12: 'bm90IGEgcGtjczEy', password: 'x' }).catch((error: Error) => expect(error.message).toMatch(/CA_EXISTS/));

    const writes = (Object.keys(channels) as ChannelName[]).filter((c) => channels[c].effect === 'write' && /^(vault|ca|certificates|holders|directory):/.test(c));
    // ca:import needs an empty vault; it is recorded by CaService.import (tested with real PKCS#12 files in integration).
    expect(writes.filter((c) => !covered.has(c))).toEqual(['ca:import']);
    const text = JSON.stringify(audit.events);
    expect(text).not.toContain(PASSPHRASE);
    for (const code of recoveryCodes) expect(text).not.toContain(code);
    expect(text).not.toContain('Xyzzy-not-the-one');
  }, 60_000);
});
