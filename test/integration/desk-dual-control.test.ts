/**
 * Two-person control at the desk (issue 17 §4, §7) on the real card stack: the real core with pcscd
 * and vpcd, the real operator directory in the vault, operator cards personalised by the real
 * issuance with the desk's CA. Operator A asks for a role change, a second operator approves with
 * their own operator card and PIN, and the change runs once, its event naming both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/dispatch';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { silentLogger } from '../../electron/core/log/logger';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import type { ErrorInfo } from '../../electron/shared/errors';
import type { AuditAction, AuditEntry } from '../../electron/shared/schemas/audit';
import { CardInReader } from '../support/card-in-reader';
import { issueCardFor } from '../support/operator-accounts';
import { Pcscd } from '../support/pcscd';
import { testCore } from '../support/test-core';
import { PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const desk: CallContext = { surface: 'desk', transport: 'ipc' };
let pcscd: Pcscd;
const core = testCore({ loadPcsc: loadPcscLite, virtualReader: false });
/** Ada's card stays in reader 0; Bob's and Carl's take turns in reader 1. */
const cards: Record<'ada' | 'bob' | 'carl', CardInReader | null> = { ada: null, bob: null, carl: null };
const ops = { ada: { id: '', pin: '', serial: '' }, bob: { id: '', pin: '', serial: '' }, carl: { id: '', pin: '', serial: '' } };

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  const result = await dispatch(core.handlers, channel, args, desk, silentLogger);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelResult<C>;
}

async function refused<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<ErrorInfo> {
  const result = await dispatch(core.handlers, channel, args, desk, silentLogger);
  if (result.ok) throw new Error(`${channel} was not refused`);
  return result.error;
}

async function into(card: CardInReader): Promise<void> {
  await card.insert();
  await waitUntil(() => core.readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 10_000, `a card in ${card.readerName}`);
}

async function outOf(card: CardInReader): Promise<void> {
  await card.remove();
  await waitUntil(() => core.readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'absent', 10_000, `${card.readerName} empty`);
}

async function lastEvent(action: AuditAction): Promise<AuditEntry> {
  const { index, reader } = await core.audit.index();
  const page = await queryPage(index, reader, { actions: [action], limit: 1, count: false });
  const last = page.entries[0];
  if (last === undefined) throw new Error(`no ${action} event`);
  return last;
}

async function issueOperatorCard(who: 'ada' | 'bob' | 'carl', n: number, holderId: string): Promise<void> {
  const card = cards[who]!;
  const issued = await issueCardFor(async (channel, args) => (channel === 'holders:create' ? ({ ok: true, holder: { id: holderId } } as never) : call(channel, args)), card.readerName, n, 'operator');
  Object.assign(ops[who], { pin: issued.pin, serial: issued.serial });
}

const READER1 = 'Virtual PCD 00 01';
const approve = (who: 'ada' | 'bob' | 'carl', requestId: string, pin = ops[who].pin) => call('approvals:approveWithCard', { requestId, reader: who === 'ada' ? cards.ada!.readerName : READER1, pin });

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  await core.start();
  cards.ada = await CardInReader.create(0, { serial: 72_000_001 });
  cards.bob = await CardInReader.create(1, { serial: 72_000_002 });
  cards.carl = await CardInReader.create(1, { serial: 72_000_003 });
  // The first run (bootstrap): no operator can sign in yet, so even CA creation needs no approval.
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=Dual Root, O=Example, C=XK', issuingSubject: 'CN=Dual Issuing, O=Example, C=XK' });
  await call('cards:updatePolicy', { activation: 'atIssuance' });
  const holders: Record<string, string> = {};
  const { holderInput } = await import('../support/vault-fixtures');
  for (const [who, n] of [['ada', 41], ['bob', 42], ['carl', 43]] as const) {
    const created = await call('holders:create', holderInput(n));
    if (!created.ok) throw new Error('no holder');
    holders[who] = created.holder.id;
  }
  for (const [who, roles] of [['ada', ['caAdministrator', 'issuer']], ['bob', ['caAdministrator', 'issuer']], ['carl', ['auditor']]] as const) {
    const added = await call('operators:add', { holderId: holders[who]!, roles: [...roles] });
    if (!added.ok) throw new Error(`operator ${who}: ${added.reason}`);
    ops[who].id = added.operator.id;
  }
  // Carl (auditor) first: the bootstrap goes on; Bob's card (an administrator's) ends it.
  await into(cards.carl);
  await issueOperatorCard('carl', 43, holders['carl']!);
  await outOf(cards.carl);
  await into(cards.bob);
  await issueOperatorCard('bob', 42, holders['bob']!);
  expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
  // Bob signs in and issues Ada's card, then Ada signs in.
  expect(await call('session:signIn', { reader: READER1, pin: ops.bob.pin })).toMatchObject({ ok: true });
  await into(cards.ada);
  await issueOperatorCard('ada', 41, holders['ada']!);
  await call('session:signOut', undefined);
  expect(await call('session:signIn', { reader: cards.ada.readerName, pin: ops.ada.pin })).toMatchObject({ ok: true, session: { operatorId: ops.ada.id } });
}, 300_000);

afterAll(async () => {
  await core.dispose();
  for (const card of Object.values(cards)) await card?.remove().catch(() => undefined);
  await pcscd?.stop();
});

describe('two-person control at the desk', () => {
  let requestId = '';

  it('refuses a role change without a second operator, with the request to approve', async () => {
    const error = await refused('operators:setRoles', { id: ops.carl.id, roles: ['auditor', 'helpdesk'] });
    expect(error.code).toBe('APPROVAL_REQUIRED');
    expect(error.approval).toMatchObject({ action: 'operator.roles', summary: expect.stringContaining(ops.carl.id.slice(0, 8)) });
    requestId = error.approval!.requestId;
    expect(await lastEvent('operator.approvalRequested')).toMatchObject({ actor: { id: ops.ada.id }, details: { request: requestId } });
    expect(core.vault.operators.byId(ops.carl.id)?.roles).toEqual(['auditor']);
  });

  it('never lets the requester approve their own request, even with their own card and PIN', async () => {
    expect(await approve('ada', requestId)).toMatchObject({ ok: false, reason: 'ownRequest' });
  });

  it('refuses an operator whose roles do not permit the action', async () => {
    await outOf(cards.bob!);
    await into(cards.carl!);
    expect(await approve('carl', requestId)).toMatchObject({ ok: false, reason: 'notPermitted' });
    expect(await lastEvent('operator.signInRefused')).toMatchObject({ reason: 'notPermitted', actor: { id: ops.carl.id }, cardSerial: ops.carl.serial, details: { purpose: 'approval' } });
    await outOf(cards.carl!);
    await into(cards.bob!);
  });

  it('refuses a wrong PIN with the tries left', async () => {
    const wrong = ops.bob.pin === '99999999' ? '88888888' : '99999999';
    const result = await approve('bob', requestId, wrong);
    expect(result).toMatchObject({ ok: false, reason: 'wrongPin' });
    expect(result.ok ? null : result.triesLeft).toBeGreaterThan(0);
  });

  it('runs the change once approved by a second operator, and its event names both', async () => {
    expect(await approve('bob', requestId)).toEqual({ ok: true, approvedBy: ops.bob.id, approverName: expect.any(String) });
    expect(await lastEvent('operator.approved')).toMatchObject({ actor: { id: ops.bob.id }, details: { request: requestId, approverCard: ops.bob.serial } });
    const changed = await call('operators:setRoles', { id: ops.carl.id, roles: ['auditor', 'helpdesk'] });
    expect(changed).toMatchObject({ ok: true, operator: { roles: ['auditor', 'helpdesk'] } });
    expect(await lastEvent('operator.rolesChanged')).toMatchObject({
      outcome: 'success',
      actor: { kind: 'operator', id: ops.ada.id },
      details: { requestedBy: ops.ada.id, approvedBy: ops.bob.id, approverCard: ops.bob.serial, operatorCard: ops.ada.serial, approval: requestId },
    });
    // Used up: the same change again needs a new approval.
    expect((await refused('operators:setRoles', { id: ops.carl.id, roles: ['auditor', 'helpdesk'] })).code).toBe('APPROVAL_REQUIRED');
  });

  it("refuses a removed operator's card", async () => {
    expect(await call('operators:remove', { id: ops.bob.id })).toMatchObject({ ok: true });
    const error = await refused('operators:setRoles', { id: ops.carl.id, roles: ['auditor'] });
    expect(await approve('bob', error.approval!.requestId)).toMatchObject({ ok: false, reason: 'operatorRemoved' });
    expect(core.vault.operators.byId(ops.carl.id)?.roles).toEqual(['auditor', 'helpdesk']);
  });
});
