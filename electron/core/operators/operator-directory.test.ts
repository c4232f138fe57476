import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { toPem } from '../ca/der';
import { silentLogger } from '../log/logger';
import type { Holder } from '../../shared/schemas/holders';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { OPERATORS } from './operator-directory';

let services: VaultServices;
const audit = new MemoryAuditTrail();
const holders: Holder[] = [];
const home = tempHome();

const csrPem = () => toPem(createRequest('CN=ignored', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');

beforeAll(async () => {
  services = createVaultServices({ dataDir: home, audit, log: silentLogger });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Test Root, O=Desk, C=XK', issuingSubject: 'CN=Test Issuing, O=Desk, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  for (const [n, first, last, state] of [[1, 'Ada', 'Lovelace', 'active'], [2, 'Grace', 'Hopper', 'active'], [3, 'Alan', 'Turing', 'active'], [4, 'Kurt', 'Gödel', 'suspended']] as const) {
    const saved = await services.directory.create(holderInput(n, { firstName: first, lastName: last, state }), operator);
    if (!saved.ok) throw new Error('holder not saved');
    holders.push(saved.holder);
  }
});

afterAll(() => services.close());

const ada = () => holders[0]!;
const grace = () => holders[1]!;
const alan = () => holders[2]!;
const kurt = () => holders[3]!;
const lastEvent = () => audit.events.at(-1);

describe('OperatorDirectory', () => {
  it('is empty at first: the desk is in its bootstrap', () => {
    expect(services.operators.bootstrapOver()).toBe(false);
    expect(services.operators.list()).toEqual([]);
  });

  it('makes the first account only for a CA administrator, so the desk is never without one', async () => {
    const refused = await services.operators.add(ada().id, ['helpdesk'], operator);
    expect(refused).toMatchObject({ ok: false, reason: 'lastAdministrator' });
    expect(lastEvent()).toMatchObject({ action: 'operator.added', outcome: 'failure', reason: 'lastAdministrator', holderId: ada().id });
    expect(services.operators.bootstrapOver()).toBe(false);
  });

  it('adds an account for an active holder, named as the holder, and records it in the same commit', async () => {
    const added = await services.operators.add(ada().id, ['caAdministrator', 'auditor'], operator);
    if (!added.ok) throw new Error(added.message);
    expect(added.operator).toMatchObject({ holderId: ada().id, name: 'Ada Lovelace', roles: ['caAdministrator', 'auditor'], state: 'active', cards: [] });
    expect(lastEvent()).toMatchObject({ action: 'operator.added', outcome: 'success', holderId: ada().id, details: { operatorId: added.operator.id, roles: 'caAdministrator,auditor' } });
    expect(lastEvent()?.changeId).toEqual(expect.any(String));
    // Nobody can sign in yet (no operator card): the bootstrap goes on, the desk is not locked out.
    expect(services.operators.bootstrapOver()).toBe(false);
    expect(services.operators.byId(added.operator.id)).toEqual(added.operator);
  });

  it('refuses a second account for a holder, an unknown holder and a holder who is not active', async () => {
    expect(await services.operators.add(ada().id, ['issuer'], operator)).toMatchObject({ ok: false, reason: 'alreadyOperator' });
    expect(await services.operators.add('no-such-holder', ['issuer'], operator)).toMatchObject({ ok: false, reason: 'holderNotFound' });
    expect(await services.operators.add(kurt().id, ['issuer'], operator)).toMatchObject({ ok: false, reason: 'holderNotFound' });
    expect(services.operators.list().map((o) => o.name)).toEqual(['Ada Lovelace']);
    // No role, or one that does not exist: refused by the service itself, whoever calls it.
    await expect(services.operators.add(grace().id, [], operator)).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    await expect(services.operators.add(grace().id, ['wizard' as never], operator)).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    await expect(services.operators.setRoles(services.operators.list()[0]!.id, [], operator)).rejects.toMatchObject({ code: 'INVALID_ARGUMENTS' });
    expect(services.operators.list().map((o) => o.roles)).toEqual([['caAdministrator', 'auditor']]);
  });

  it('never suspends, removes or takes the role from the last active CA administrator', async () => {
    const admin = services.operators.list()[0]!;
    expect(await services.operators.suspend(admin.id, operator)).toMatchObject({ ok: false, reason: 'lastAdministrator' });
    expect(await services.operators.remove(admin.id, operator)).toMatchObject({ ok: false, reason: 'lastAdministrator' });
    expect(await services.operators.setRoles(admin.id, ['auditor'], operator)).toMatchObject({ ok: false, reason: 'lastAdministrator' });
    expect(lastEvent()).toMatchObject({ action: 'operator.rolesChanged', outcome: 'failure', reason: 'lastAdministrator' });
    expect(services.operators.byId(admin.id)).toMatchObject({ state: 'active', roles: ['caAdministrator', 'auditor'] });
    // Another active administrator: now the first may lose the role.
    const second = await services.operators.add(grace().id, ['caAdministrator'], operator);
    if (!second.ok) throw new Error(second.message);
    expect(await services.operators.setRoles(admin.id, ['auditor'], operator)).toMatchObject({ ok: true, operator: { roles: ['auditor'] } });
    expect(lastEvent()).toMatchObject({ action: 'operator.rolesChanged', outcome: 'success', details: { roles: 'auditor', previousRoles: 'caAdministrator,auditor' } });
    // Grace is the last one again; a suspended administrator does not count.
    expect(await services.operators.suspend(second.operator.id, operator)).toMatchObject({ ok: false, reason: 'lastAdministrator' });
    expect(await services.operators.setRoles(admin.id, ['caAdministrator'], operator)).toMatchObject({ ok: true });
    expect(await services.operators.suspend(second.operator.id, operator)).toMatchObject({ ok: true, operator: { state: 'suspended' } });
    expect(await services.operators.suspend(admin.id, operator)).toMatchObject({ ok: false, reason: 'lastAdministrator' });
  });

  it('suspends, resumes and removes; a removed account stays and changes no more', async () => {
    const added = await services.operators.add(alan().id, ['helpdesk', 'issuer'], operator);
    if (!added.ok) throw new Error(added.message);
    const id = added.operator.id;
    expect(await services.operators.suspend(id, operator)).toMatchObject({ ok: true, operator: { state: 'suspended' } });
    expect(lastEvent()).toMatchObject({ action: 'operator.suspended', outcome: 'success', details: { operatorId: id, previousState: 'active' } });
    const count = audit.events.length;
    // Already suspended: nothing changes, nothing is recorded.
    expect(await services.operators.suspend(id, operator)).toMatchObject({ ok: true, operator: { state: 'suspended' } });
    expect(audit.events.length).toBe(count);
    expect(await services.operators.resume(id, operator)).toMatchObject({ ok: true, operator: { state: 'active' } });
    expect(lastEvent()).toMatchObject({ action: 'operator.resumed', outcome: 'success' });
    expect(await services.operators.remove(id, operator)).toMatchObject({ ok: true, operator: { state: 'removed' } });
    expect(lastEvent()).toMatchObject({ action: 'operator.removed', outcome: 'success' });
    for (const change of [() => services.operators.resume(id, operator), () => services.operators.setRoles(id, ['auditor'], operator), () => services.operators.suspend(id, operator)]) {
      expect(await change()).toMatchObject({ ok: false, reason: 'removed' });
    }
    expect(await services.operators.add(alan().id, ['helpdesk'], operator)).toMatchObject({ ok: false, reason: 'alreadyOperator' });
    expect(await services.operators.resume('nobody', operator)).toMatchObject({ ok: false, reason: 'operatorNotFound' });
    expect(lastEvent()).toMatchObject({ action: 'operator.resumed', outcome: 'failure', reason: 'operatorNotFound' });
    expect(services.operators.byId(id)).toMatchObject({ state: 'removed', roles: ['helpdesk', 'issuer'] });
    expect(services.operators.list().map((o) => o.name)).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
  });

  it('finds an account by its operator certificate, and derives its cards from the certificate store', async () => {
    const ops = services.operators;
    const adaOperator = ops.list().find((o) => o.holderId === ada().id)!;
    await services.directory.registerCard('CARD-ADA-1', ada().id, operator);
    await services.directory.registerCard('CARD-ADA-2', ada().id, operator);
    await services.directory.registerCard('CARD-ALAN', alan().id, operator);
    expect(ops.bootstrapOver()).toBe(false);
    const onCard = await services.certificates.issue({ profile: 'operator', request: csrPem(), holderId: ada().id, cardSerial: 'CARD-ADA-1', subject: '' }, operator);
    // The CA administrator holds an operator card: from now on operators sign in.
    expect(ops.bootstrapOver()).toBe(true);
    // A card awaiting activation (its certificates on hold) signs nobody in: the bootstrap goes on.
    expect((await services.certificates.suspend(onCard.serial, 10, 'release', operator)).ok).toBe(true);
    expect(ops.bootstrapOver()).toBe(false);
    expect((await services.certificates.resume(onCard.serial, operator)).ok).toBe(true);
    expect(ops.bootstrapOver()).toBe(true);
    const holderCert = await services.certificates.issue({ profile: 'authentication', request: csrPem(), holderId: ada().id, cardSerial: 'CARD-ADA-2', subject: '' }, operator);
    const notOnCard = await services.certificates.issue({ profile: 'operator', request: csrPem(), holderId: ada().id, cardSerial: null, subject: '' }, operator);
    expect(ops.byCertificate(onCard.serial)).toMatchObject({ id: adaOperator.id, cards: [{ cardSerial: 'CARD-ADA-1', certificateSerial: onCard.serial.toLowerCase() }] });
    // Serials as a reader prints them: lower case, with colons.
    expect(ops.byCertificate(onCard.serial.toLowerCase().match(/../g)!.join(':'))?.id).toBe(adaOperator.id);
    expect(ops.byCertificate(holderCert.serial)).toBeNull();
    expect(ops.byCertificate('0123456789ABCDEF')).toBeNull();
    expect(ops.byId(adaOperator.id)?.cards.map((c) => c.cardSerial)).toEqual(['CARD-ADA-1']);
    expect(ops.byCertificate(notOnCard.serial)?.id).toBe(adaOperator.id);
    // A removed operator is still found (sign-in refuses it), a revoked certificate leaves the cards.
    const alanCert = await services.certificates.issue({ profile: 'operator', request: csrPem(), holderId: alan().id, cardSerial: 'CARD-ALAN', subject: '' }, operator);
    expect(ops.byCertificate(alanCert.serial)).toMatchObject({ name: 'Alan Turing', state: 'removed' });
    await services.certificates.revoke(onCard.serial, 'keyCompromise', operator);
    expect(ops.byId(adaOperator.id)?.cards).toEqual([]);
    expect(ops.bootstrapOver()).toBe(false);
  });

  it('keeps the accounts in the vault across a reopen, without their derived cards', async () => {
    const before = services.operators.list();
    const stored = [...services.access.storage().records.values<{ id: string }>(OPERATORS)];
    expect(stored).toHaveLength(3);
    for (const record of stored) expect(record).not.toHaveProperty('cards');
    await services.close();
    services = createVaultServices({ dataDir: home, audit, log: silentLogger });
    expect(services.operators.list()).toEqual(before);
  });
});
