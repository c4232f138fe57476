/**
 * CLI credentials (issue 17 §3) on a real vault: automation credentials act as themselves with the
 * roles they were given; CLI sessions act with the signed-in operator's roles as they are now, only
 * on the machine and account that signed in; revoked, expired, forged and unknown secrets are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { silentLogger } from '../log/logger';
import type { OperatorRecord } from '../../shared/schemas/operators';
import { CliCredentials } from './cli-credentials';
import type { OperatorLookup } from './operator-lookup';

let services: VaultServices;
const audit = new MemoryAuditTrail();
let now = new Date('2026-12-01T10:00:00Z');
const ada: OperatorRecord = { id: 'op-ada', holderId: 'h-1', name: 'Ada', roles: ['helpdesk'], state: 'active', cards: [], createdAt: '', updatedAt: '' };
const records = new Map<string, OperatorRecord>([[ada.id, ada]]);
const lookup: OperatorLookup = { byCertificate: () => null, byId: (id) => records.get(id) ?? null, bootstrapOver: () => records.size > 0 };
const here = { host: 'desk-1', user: '1000' };
let credentials: CliCredentials;

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger, clock: () => now });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  credentials = new CliCredentials(services.access, audit, lookup, () => now);
});
afterAll(() => services.close());

describe('automation credentials', () => {
  it('act as themselves with their roles until revoked, and the vault keeps no secret', async () => {
    const { credential, secret } = await credentials.issueAutomation({ name: 'nightly-crl', roles: ['caAdministrator'], validityDays: 30 }, operator);
    expect(credential).toMatchObject({ kind: 'automation', name: 'nightly-crl', roles: ['caAdministrator'], state: 'valid', boundTo: null });
    expect(credentials.check(secret, { host: 'elsewhere', user: '0' })).toMatchObject({ ok: true, session: { operatorId: 'automation:nightly-crl', roles: ['caAdministrator'] } });
    expect(JSON.stringify(services.access.storage().records.dump())).not.toContain(secret.split('.')[2]);
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.credentialIssued', details: { kind: 'automation', name: 'nightly-crl' } });
    expect(JSON.stringify(audit.events)).not.toContain(secret);

    expect(await credentials.revoke(credential.id, operator)).toBe(true);
    expect(await credentials.revoke(credential.id, operator)).toBe(false);
    expect(credentials.check(secret, here)).toEqual({ ok: false, reason: 'revoked' });
    expect(credentials.list().find((c) => c.id === credential.id)?.state).toBe('revoked');
  });

  it('expire after their days', async () => {
    const { secret } = await credentials.issueAutomation({ name: 'short', roles: ['auditor'], validityDays: 1 }, operator);
    now = new Date(now.getTime() + 86_400_000 + 1);
    expect(credentials.check(secret, here)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse forged, altered and unknown secrets', async () => {
    const { secret } = await credentials.issueAutomation({ name: 'x', roles: ['auditor'], validityDays: 5 }, operator);
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    expect(credentials.check(`${secret.slice(0, -1)}${last}`, here)).toEqual({ ok: false, reason: 'unknown' });
    expect(credentials.check(secret.replace(/\.[0-9a-f-]{36}\./, '.00000000-0000-4000-8000-000000000000.'), here)).toEqual({ ok: false, reason: 'unknown' });
    expect(credentials.check('not a credential', here)).toEqual({ ok: false, reason: 'malformed' });
    expect(credentials.check(` ${secret}\n`, here).ok).toBe(true);
  });
});

describe('CLI sessions', () => {
  it("act with the operator's roles as they are now, only where they were opened", async () => {
    const { secret, credential } = await credentials.openSession({ operatorId: ada.id, name: ada.name, cardSerial: 'CD-1', boundTo: here }, operator);
    expect(credential).toMatchObject({ kind: 'session', cardSerial: 'CD-1', roles: [] });
    expect(credentials.check(secret, here)).toMatchObject({ ok: true, session: { operatorId: 'op-ada', roles: ['helpdesk'] } });
    expect(credentials.check(secret, { ...here, user: '1001' })).toEqual({ ok: false, reason: 'otherMachine' });
    expect(credentials.check(secret, { ...here, host: 'desk-2' })).toEqual({ ok: false, reason: 'otherMachine' });

    records.set(ada.id, { ...ada, roles: ['helpdesk', 'issuer'] });
    expect(credentials.check(secret, here)).toMatchObject({ ok: true, session: { roles: ['helpdesk', 'issuer'] } });
    records.set(ada.id, { ...ada, state: 'suspended' });
    expect(credentials.check(secret, here)).toEqual({ ok: false, reason: 'operatorNotActive' });
    records.set(ada.id, ada);

    now = new Date(now.getTime() + 8 * 3_600_000 + 1);
    expect(credentials.check(secret, here)).toEqual({ ok: false, reason: 'expired' });
  });
});
