/**
 * The vault opens with operator cards (issue 17 §2), on the real card stack: pcscd with vpcd and the
 * virtual PIV card, cards personalised by the real issuance, the real operator directory. The data
 * key is wrapped for each active operator's valid card (its 9D key: RSA-OAEP for the first card, ECDH
 * for the second), a sign-in on a locked vault opens it with the card, a revoked operator's wrapping
 * goes, and the passphrase unlock out of the bootstrap is the recovery unlock (refused without approval).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/dispatch';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { silentLogger } from '../../electron/core/log/logger';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import type { AuditAction, AuditEntry } from '../../electron/shared/schemas/audit';
import { CardInReader } from '../support/card-in-reader';
import { issueCardFor } from '../support/operator-accounts';
import { Pcscd } from '../support/pcscd';
import { testCore } from '../support/test-core';
import { operator as cliOperator, PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const desk: CallContext = { surface: 'desk', transport: 'ipc' };

let pcscd: Pcscd;
const core = testCore({ loadPcsc: loadPcscLite, virtualReader: false });
let adminCard: CardInReader;
let otherCard: CardInReader;
const admin = { serial: '', pin: '', operatorId: '' };
const holder = { serial: '', pin: '' };
const second = { serial: '', pin: '', operatorId: '', nineA: '' };

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  const result = await dispatch(core.handlers, channel, args, desk, silentLogger);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelResult<C>;
}

async function refusedCall<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<{ code: string; message: string }> {
  const result = await dispatch(core.handlers, channel, args, desk, silentLogger);
  if (result.ok) throw new Error(`${channel} was not refused`);
  return result.error;
}

async function inserted(card: CardInReader): Promise<void> {
  await card.insert();
  await waitUntil(() => core.readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 10_000, `a card in ${card.readerName}`);
}

async function removed(card: CardInReader): Promise<void> {
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

const wrappings = async () => {
  await core.vault.cardKeys.settled();
  return core.vault.cardKeys.wrappings();
};

const unlocked = async (): Promise<boolean> => (await call('vault:status', undefined)).unlocked;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  await core.start();
  adminCard = await CardInReader.create(0, { serial: 72_000_001 });
  otherCard = await CardInReader.create(1, { serial: 72_000_002 });
  await inserted(adminCard);
  await inserted(otherCard);
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=Vault Cards Root, O=Example, C=XK', issuingSubject: 'CN=Vault Cards Issuing, O=Example, C=XK' });
  await call('cards:updatePolicy', { activation: 'atIssuance' });
  // A holder's card, in the bootstrap (the OS account issues it).
  const holderCard = await issueCardFor(call, otherCard.readerName, 2, 'holder');
  Object.assign(holder, { serial: holderCard.serial, pin: holderCard.pin });
  // The first CA administrator and their operator card (RSA 9D, the default policy).
  const made = await issueCardFor(call, adminCard.readerName, 1, 'operator');
  const added = await call('operators:add', { holderId: made.holderId, roles: ['caAdministrator', 'issuer', 'helpdesk'] });
  if (!added.ok) throw new Error(added.message);
  Object.assign(admin, { serial: made.serial, pin: made.pin, operatorId: added.operator.id });
}, 300_000);

afterAll(async () => {
  await core.dispose();
  await adminCard?.remove().catch(() => undefined);
  await otherCard?.remove().catch(() => undefined);
  await pcscd?.stop();
});

describe('the vault key wrapped for operator cards', () => {
  it("is wrapped for the active administrator's valid card, for its 9D key", async () => {
    // The bootstrap is over: an active CA administrator holds a valid operator card.
    expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
    const list = await wrappings();
    expect(list).toHaveLength(1);
    const nineD = core.vault.certificates.forCard(admin.serial).find((c) => c.profile === 'encryption');
    expect(list[0]).toMatchObject({ operatorId: admin.operatorId, cardSerial: admin.serial, certificateSerial: nineD?.serial.toUpperCase(), algorithm: 'rsa2048' });
    expect((await lastEvent('vault.cardKeysChange')).details).toMatchObject({ added: `${admin.operatorId}:${admin.serial}` });
  });

  it('refuses the passphrase unlock out of the bootstrap without a second operator, and records it', async () => {
    expect(await call('session:signIn', { reader: adminCard.readerName, pin: admin.pin })).toMatchObject({ ok: true });
    await call('vault:lock', undefined);
    expect(await unlocked()).toBe(false);
    await call('session:signOut', undefined);
    const refusal = await refusedCall('vault:unlock', { passphrase: PASSPHRASE });
    expect(refusal.code).toBe('APPROVAL_REQUIRED');
    expect(refusal.message).toMatch(/operator card.*second operator/s);
    expect(await unlocked()).toBe(false);
    expect(await lastEvent('vault.recoveryUnlock')).toMatchObject({ outcome: 'failure', reason: 'approvalRequired' });
  });

  it('refuses a wrong PIN and leaves the vault locked', async () => {
    const wrong = admin.pin === '99999999' ? '88888888' : '99999999';
    expect(await call('session:signIn', { reader: adminCard.readerName, pin: wrong })).toMatchObject({ ok: false, reason: 'wrongPin' });
    expect(await unlocked()).toBe(false);
  });

  it("refuses a holder's card and leaves the vault locked", async () => {
    expect(await call('session:signIn', { reader: otherCard.readerName, pin: holder.pin })).toMatchObject({ ok: false, reason: 'notOperatorCertificate' });
    expect(await unlocked()).toBe(false);
  });

  it("opens the locked vault with the administrator's card and PIN, in one step", async () => {
    const result = await call('session:signIn', { reader: adminCard.readerName, pin: admin.pin });
    expect(result).toMatchObject({ ok: true, session: { mode: 'signedIn', operatorId: admin.operatorId } });
    expect(await unlocked()).toBe(true);
    expect(await lastEvent('vault.cardUnlock')).toMatchObject({ outcome: 'success', actor: { kind: 'operator', id: admin.operatorId }, cardSerial: admin.serial });
    // The CA is there to work with.
    expect((await call('ca:status', undefined)).ready).toBe(true);
  });

  it("wraps the key for a second operator's EC card, and drops it when their certificate is revoked", async () => {
    await removed(otherCard);
    otherCard = await CardInReader.create(1, { serial: 72_000_003 });
    await inserted(otherCard);
    await call('cards:updatePolicy', { keys: { authentication: 'eccp256', signature: 'eccp256', encryption: 'eccp256' } });
    const made = await issueCardFor(call, otherCard.readerName, 3, 'operator');
    const added = await call('operators:add', { holderId: made.holderId, roles: ['helpdesk'] });
    if (!added.ok) throw new Error(added.message);
    Object.assign(second, { serial: made.serial, pin: made.pin, operatorId: added.operator.id, nineA: made.certificates[0]?.serial ?? '' });
    const list = await wrappings();
    expect(list.map((w) => [w.operatorId, w.algorithm]).sort()).toEqual([[admin.operatorId, 'rsa2048'], [second.operatorId, 'eccp256']].sort());

    // The helpdesk operator's card opens the locked vault too (ECDH on the card).
    await call('vault:lock', undefined);
    await call('session:signOut', undefined);
    expect(await call('session:signIn', { reader: otherCard.readerName, pin: second.pin })).toMatchObject({ ok: true, session: { operatorId: second.operatorId } });
    expect(await unlocked()).toBe(true);
    await call('session:signOut', undefined);

    await core.vault.certificates.revoke(second.nineA, 'keyCompromise', cliOperator);
    expect((await wrappings()).map((w) => w.operatorId)).toEqual([admin.operatorId]);
    expect((await lastEvent('vault.cardKeysChange')).details).toMatchObject({ removed: `${second.operatorId}:${second.serial}` });
    await core.vault.vault.lock(cliOperator);
    expect(await call('session:signIn', { reader: otherCard.readerName, pin: second.pin })).toMatchObject({ ok: false, reason: 'certificateRevoked' });
    expect(await unlocked()).toBe(false);
  });

  it('refuses an operator card without a wrapping (noVaultKey), out of the bootstrap', async () => {
    expect(await call('session:signIn', { reader: adminCard.readerName, pin: admin.pin })).toMatchObject({ ok: true });
    expect(await unlocked()).toBe(true);
    // The wrapping taken away (as if it was never made): the card is refused with its reason.
    const storage = core.vault.access.storage();
    const saved = storage.meta.cardWrappings ?? [];
    await storage.updateMeta((meta) => ({ ...meta, cardWrappings: [] }));
    await call('vault:lock', undefined);
    await call('session:signOut', undefined);
    const refused = await call('session:signIn', { reader: adminCard.readerName, pin: admin.pin });
    expect(refused).toMatchObject({ ok: false, reason: 'noVaultKey' });
    expect(await unlocked()).toBe(false);
    await storage.updateMeta((meta) => ({ ...meta, cardWrappings: saved }));
    expect(await call('session:signIn', { reader: adminCard.readerName, pin: admin.pin })).toMatchObject({ ok: true });
    expect(await unlocked()).toBe(true);
  });
});
