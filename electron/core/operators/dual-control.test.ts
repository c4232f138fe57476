/**
 * Two-person control (issue 17 §4) on a real vault: a second operator with a role that permits the
 * action approves; the requester runs it once, for what was approved; nobody approves their own
 * request; stale, reused and mismatched approvals are refused; the code is never stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { DualControl } from './dual-control';
import type { OperatorSession } from './permission-check';

let services: VaultServices;
const audit = new MemoryAuditTrail();
let now = new Date('2026-12-01T10:00:00Z');
let dual: DualControl;
const ada: OperatorSession = { operatorId: 'op-ada', roles: ['caAdministrator'] };
const bob: OperatorSession = { operatorId: 'op-bob', roles: ['caAdministrator', 'auditor'] };
const eve: OperatorSession = { operatorId: 'op-eve', roles: ['helpdesk', 'auditor'] };
const restore = { action: 'vault.restore', permission: 'ca.admin', summary: 'vault restore backup-1.cdvault' } as const;

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  dual = new DualControl(services.access, audit, () => now);
});
afterAll(() => services.close());

describe('two-person control', () => {
  it('needs a second operator whose roles permit the action, then runs once and names both', async () => {
    const asked = await dual.request(restore, ada, operator);
    expect(asked.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(JSON.stringify(services.access.storage().records.dump())).not.toContain(asked.code.replace('-', ''));
    expect(dual.describe(asked.code)).toMatchObject({ action: 'vault.restore', summary: restore.summary, requestedBy: 'op-ada' });

    expect(await dual.use(asked.code, restore, ada, operator)).toEqual({ ok: false, reason: 'notApproved' });
    expect(await dual.approve(asked.code, ada, operator)).toEqual({ ok: false, reason: 'ownRequest' });
    expect(await dual.approve(asked.code, eve, operator)).toEqual({ ok: false, reason: 'notPermitted' });
    // Typed in lower case and without the dash, as people do.
    expect(await dual.approve(asked.code.toLowerCase().replace('-', ''), bob, operator)).toMatchObject({ ok: true });
    expect(await dual.approve(asked.code, bob, operator)).toEqual({ ok: false, reason: 'alreadyApproved' });

    expect(await dual.use(asked.code, { ...restore, summary: 'vault restore other.cdvault' }, ada, operator)).toEqual({ ok: false, reason: 'otherRequest' });
    expect(await dual.use(asked.code, restore, bob, operator)).toEqual({ ok: false, reason: 'otherRequest' });
    expect(await dual.use(asked.code, restore, ada, operator)).toEqual({ ok: true, approvedBy: 'op-bob' });
    expect(await dual.use(asked.code, restore, ada, operator)).toEqual({ ok: false, reason: 'used' });
    expect(audit.events.map((event) => event.action).filter((action) => action.startsWith('operator.appro'))).toEqual(['operator.approvalRequested', 'operator.approved', 'operator.approvalUsed']);
    expect(audit.events.at(-1)).toMatchObject({ details: { requestedBy: 'op-ada', approvedBy: 'op-bob', approvalOf: 'vault.restore' } });
  });

  it('lets a request lapse after 10 minutes, approved or not', async () => {
    const unapproved = await dual.request(restore, ada, operator);
    const approved = await dual.request(restore, ada, operator);
    expect((await dual.approve(approved.code, bob, operator)).ok).toBe(true);
    now = new Date(now.getTime() + 10 * 60_000);
    expect(await dual.approve(unapproved.code, bob, operator)).toEqual({ ok: false, reason: 'expired' });
    expect(await dual.use(approved.code, restore, ada, operator)).toEqual({ ok: false, reason: 'expired' });
  });

  it('knows no code it did not give', async () => {
    expect(await dual.approve('ABCDE-FGHJK', bob, operator)).toEqual({ ok: false, reason: 'unknown' });
    expect(dual.describe('nonsense')).toBeNull();
  });
});
