/**
 * Operator sign-in with an operator card on the real card stack (issue 17 §2, §5, §7): the real
 * core with pcscd and vpcd, virtual PIV cards personalised by the real issuance, certificates from
 * the desk's CA checked with OpenSSL. Only the operator accounts are a small in-memory lookup here
 * (the operator directory is built elsewhere): everything about the card, the CA and the
 * certificates' status is real.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../electron/core/api/context';
import { dispatch } from '../../electron/core/api/dispatch';
import { silentLogger } from '../../electron/core/log/logger';
import { ApduTransport } from '../../electron/core/piv/apdu-transport';
import { PivClient } from '../../electron/core/piv/piv-client';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import type { OperatorRecord } from '../../electron/shared/schemas/operators';
import { FACTORY } from '../../electron/smartcard/piv';
import { queryPage } from '../../electron/core/audit/audit-queries';
import type { AuditAction, AuditEntry } from '../../electron/shared/schemas/audit';
import { CardInReader } from '../support/card-in-reader';
import { issueCardFor, memoryOperatorAccounts } from '../support/operator-accounts';
import { openssl } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { createTestCa, provisionSlot, toPem } from '../support/provision';
import { testCore } from '../support/test-core';
import { holderInput, operator as cliOperator, PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const desk: CallContext = { surface: 'desk', transport: 'ipc' };

const { accounts, lookup } = memoryOperatorAccounts();

let pcscd: Pcscd;
const core = testCore({ loadPcsc: loadPcscLite, virtualReader: false, operatorLookup: lookup });
let operatorCard: CardInReader;
let holderCard: CardInReader;
let work: string;
/** The operator card as issued: its serial, PIN and 9A certificate. */
const issued = { serial: '', pin: '', nineA: '', holderSerial: '', holderPin: '' };

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

const issue = (reader: string, n: number, purpose: 'holder' | 'operator') => issueCardFor(call, reader, n, purpose);

/** The certificate in `slot` of the card in `reader`, read with CardDesk's PIV client (DER). */
async function certificateOnCard(reader: string, slot: string): Promise<Buffer> {
  const connection = await core.readers.connect(reader);
  try {
    const client = new PivClient(new ApduTransport(connection));
    await client.select();
    const der = await client.readCertificate(slot);
    if (der === null) throw new Error(`no certificate in ${slot}`);
    return Buffer.from(der);
  } finally {
    await connection.close('leave');
  }
}

function account(id: string, fields: Partial<OperatorRecord> = {}): OperatorRecord {
  const now = new Date().toISOString();
  return {
    id,
    holderId: 'h',
    name: 'Ada Operator',
    roles: ['helpdesk'],
    state: 'active',
    cards: [{ cardSerial: issued.serial, certificateSerial: issued.nineA.toLowerCase(), addedAt: now }],
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

async function signIn(reader: string, pin: string) {
  return call('session:signIn', { reader, pin });
}

async function lastEvent(action: AuditAction): Promise<AuditEntry> {
  const { index, reader } = await core.audit.index();
  const page = await queryPage(index, reader, { actions: [action], limit: 1, count: false });
  const last = page.entries[0];
  if (last === undefined) throw new Error(`no ${action} event`);
  return last;
}

async function eventually(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every file of the audit log (segments, index, head) as text: no PIN may be in any. */
function logText(): string {
  const dir = join(core.dataDir, 'audit');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(dir, entry.name), 'latin1'))
    .join('\n');
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'carddesk-opsign-'));
  pcscd = await Pcscd.ensure();
  await core.start();
  operatorCard = await CardInReader.create(0, { serial: 71_000_001 });
  holderCard = await CardInReader.create(1, { serial: 71_000_002 });
  await inserted(operatorCard);
  await inserted(holderCard);
  // The desk's first run: no operator account yet (bootstrap), so the setup calls pass as the OS account.
  expect(await call('session:current', undefined)).toMatchObject({ mode: 'bootstrap' });
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=Sign-in Root, O=Example, C=XK', issuingSubject: 'CN=Sign-in Issuing, O=Example, C=XK' });
  // Active at issuance: no contract to sign before the certificates are good.
  await call('cards:updatePolicy', { activation: 'atIssuance' });
  const op = await issue(operatorCard.readerName, 1, 'operator');
  const holder = await issue(holderCard.readerName, 2, 'holder');
  Object.assign(issued, { serial: op.serial, pin: op.pin, nineA: op.certificates[0]?.serial ?? '', holderSerial: holder.serial, holderPin: holder.pin });
}, 240_000);

afterAll(async () => {
  await core.dispose();
  await operatorCard?.remove().catch(() => undefined);
  await holderCard?.remove().catch(() => undefined);
  await pcscd?.stop();
});

describe('an operator card', () => {
  it('carries an operator-profile certificate (clientAuth) from the desk CA in slot 9A, the rest as a holder card', async () => {
    const der = await certificateOnCard(operatorCard.readerName, '9A');
    const pem = join(work, 'operator-9a.der');
    writeFileSync(pem, der);
    // The operator profile: client authentication only (the holder's authentication certificate adds smart card logon).
    const usage = (file: string): string => openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-ext', 'extendedKeyUsage').stdout.split('\n').slice(1).join(' ').trim();
    expect(usage(pem)).toBe('TLS Web Client Authentication');
    expect(core.vault.certificates.record(issued.nineA).profile).toBe('operator');
    // OpenSSL checks it chains to the desk's CA.
    const chain = join(work, 'chain.pem');
    writeFileSync(chain, core.vault.ca.chain().map((b) => toPem(b, 'CERTIFICATE')).join(''));
    openssl('x509', '-inform', 'DER', '-in', pem, '-out', join(work, 'operator-9a.pem'));
    const verified = openssl('verify', '-partial_chain', '-CAfile', chain, join(work, 'operator-9a.pem'));
    expect(verified.stdout.trim(), verified.stderr).toMatch(/: OK$/);
    // The other slots as on a holder's card.
    const profiles = core.vault.certificates.forCard(issued.serial).map((c) => c.profile).sort();
    expect(profiles).toEqual(['cardAuthentication', 'encryption', 'operator', 'signature']);
    const holderProfiles = core.vault.certificates.forCard(issued.holderSerial).map((c) => c.profile).sort();
    expect(holderProfiles).toEqual(['authentication', 'cardAuthentication', 'encryption', 'signature']);
    expect(usage(writeTemp('holder-9a.der', await certificateOnCard(holderCard.readerName, '9A')))).toMatch(/TLS Web Client Authentication, Microsoft Smartcard Login/);
  });
});

function writeTemp(name: string, data: Buffer): string {
  const path = join(work, name);
  writeFileSync(path, data);
  return path;
}

describe('card sign-in', () => {
  it('is needed once operator accounts exist: desk channels are refused until then', async () => {
    accounts.set('op-ada', account('op-ada'));
    expect(await call('session:current', undefined)).toEqual({ mode: 'signedOut', operatorId: null, name: null, roles: [], cardSerial: null });
    const refusal = await refusedCall('holders:search', { query: '' });
    expect(refusal).toMatchObject({ code: 'NOT_PERMITTED' });
    expect(refusal.message).toMatch(/sign in first/);
  });

  it('refuses a wrong PIN with the tries left, and never records the PIN', async () => {
    const wrong = issued.pin === '99999999' ? '88888888' : '99999999';
    const result = await signIn(operatorCard.readerName, wrong);
    expect(result).toMatchObject({ ok: false, reason: 'wrongPin' });
    if (result.ok) return;
    expect(result.triesLeft).toBeGreaterThan(0);
    expect(result.message).toMatch(new RegExp(`${result.triesLeft} tr(y|ies) left`));
    expect(await lastEvent('operator.signInRefused')).toMatchObject({ outcome: 'failure', reason: 'wrongPin', cardSerial: issued.serial });
    expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
  });

  it('signs the operator in with the right PIN: name, roles and card; the audit log names them', async () => {
    const result = await signIn(operatorCard.readerName, issued.pin);
    expect(result).toEqual({ ok: true, session: { mode: 'signedIn', operatorId: 'op-ada', name: 'Ada Operator', roles: ['helpdesk'], cardSerial: issued.serial } });
    expect(await lastEvent('operator.signedIn')).toMatchObject({ outcome: 'success', actor: { kind: 'operator', id: 'op-ada' }, cardSerial: issued.serial, certificateSerial: issued.nineA });
    // A helpdesk channel works, and its event names the operator, their card and the OS account.
    await call('holders:update', { ...(await holderToUpdate()) });
    const event = await lastEvent('holder.update');
    expect(event).toMatchObject({ actor: { kind: 'operator', id: 'op-ada' }, details: { operatorCard: issued.serial } });
    expect(event.details.osUser).toEqual(expect.any(String));
    // No PIN anywhere in the log.
    expect(logText()).not.toContain(issued.pin);
  });

  it('refuses a channel that needs a role the operator lacks (NOT_PERMITTED, recorded)', async () => {
    const refusal = await refusedCall('cards:issue', { reader: holderCard.readerName, holderId: 'nobody', purpose: 'holder' });
    expect(refusal).toEqual({ code: 'NOT_PERMITTED', message: 'cards:issue needs the issuer role.' });
    expect(await lastEvent('operator.denied')).toMatchObject({ actor: { kind: 'operator', id: 'op-ada' }, details: { channel: 'cards:issue', roles: 'helpdesk', operatorCard: issued.serial } });
    // A role given in the accounts applies at the next call.
    accounts.set('op-ada', account('op-ada', { roles: ['helpdesk', 'auditor'] }));
    expect((await call('session:current', undefined)).roles).toEqual(['helpdesk', 'auditor']);
    accounts.set('op-ada', account('op-ada'));
  });

  it('ends when the operator card leaves its reader', async () => {
    await removed(operatorCard);
    await waitUntil(() => core.operatorSessions.summary().mode === 'signedOut', 10_000, 'the session to end');
    expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
    // The end is recorded as it happens (not awaited by the reader event): wait for its record.
    await eventually(() => lastEvent('operator.signedOut').then((event) => event.reason === 'cardRemoved'));
    expect(await lastEvent('operator.signedOut')).toMatchObject({ reason: 'cardRemoved', actor: { id: 'op-ada' }, cardSerial: issued.serial });
    expect((await refusedCall('holders:search', { query: '' })).code).toBe('NOT_PERMITTED');
    await inserted(operatorCard);
  });

  it('locks instead when Settings say so: nobody acts until the same operator is back with card and PIN, then the session goes on', async () => {
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: true });
    accounts.set('op-ada', account('op-ada', { roles: ['helpdesk', 'caAdministrator'] }));
    expect(await call('settings:setOperatorSession', { idleMinutes: 15, cardRemoval: 'lock' })).toEqual({ idleMinutes: 15, cardRemoval: 'lock' });
    expect(await lastEvent('settings.change')).toMatchObject({ actor: { id: 'op-ada' }, details: { setting: 'operatorSession', cardRemoval: 'lock', cardRemovalFrom: 'signOut' } });
    await removed(operatorCard);
    await waitUntil(() => core.operatorSessions.summary().mode === 'locked', 10_000, 'the desk to lock');
    expect(await call('session:current', undefined)).toEqual({ mode: 'locked', operatorId: 'op-ada', name: 'Ada Operator', roles: [], cardSerial: null });
    expect((await refusedCall('holders:search', { query: '' })).code).toBe('NOT_PERMITTED');
    await eventually(() => lastEvent('operator.signedOut').then((event) => event.reason === 'locked'));
    await inserted(operatorCard);
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: true, session: { mode: 'signedIn', operatorId: 'op-ada' } });
    expect((await lastEvent('operator.signedOut')).reason).toBe('locked');
    expect(await call('settings:setOperatorSession', { idleMinutes: 15, cardRemoval: 'signOut' })).toEqual({ idleMinutes: 15, cardRemoval: 'signOut' });
    accounts.set('op-ada', account('op-ada'));
    await call('session:signOut', undefined);
  });

  it('refuses a suspended, a removed and an unknown operator', async () => {
    accounts.set('op-ada', account('op-ada', { state: 'suspended' }));
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: false, reason: 'operatorSuspended' });
    expect(await lastEvent('operator.signInRefused')).toMatchObject({ reason: 'operatorSuspended', actor: { kind: 'operator', id: 'op-ada' } });
    accounts.set('op-ada', account('op-ada', { state: 'removed' }));
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: false, reason: 'operatorRemoved' });
    accounts.set('op-ada', account('op-ada', { cards: [] }));
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: false, reason: 'unknownOperator' });
    accounts.set('op-ada', account('op-ada'));
    expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
  });

  it("refuses a holder's card: its 9A certificate is not of the operator profile", async () => {
    const result = await signIn(holderCard.readerName, issued.holderPin);
    expect(result).toMatchObject({ ok: false, reason: 'notOperatorCertificate' });
    expect(await lastEvent('operator.signInRefused')).toMatchObject({ reason: 'notOperatorCertificate', cardSerial: issued.holderSerial });
  });

  it("refuses a card with a forged operator certificate: the desk CA's names and the real certificate's serial, another CA's key", async () => {
    await removed(holderCard);
    const forged = await CardInReader.create(1, { serial: 71_000_003 });
    try {
      await inserted(forged);
      // A factory-fresh card has nothing in 9A.
      expect(await signIn(forged.readerName, FACTORY.PIN)).toMatchObject({ ok: false, reason: 'noCertificate' });
      const ca = await createTestCa(mkdtempSync(join(work, 'forger-')));
      // The forger's CA takes the desk's issuing CA's name; the leaf copies the operator certificate's serial and clientAuth.
      const issuing = core.vault.ca.certificate('issuing').subject;
      const forgerCa = join(ca.dir, 'named-ca.pem');
      const subject = `/${issuing.split(/,\s*/).reverse().join('/')}`;
      const made = openssl('req', '-x509', '-key', ca.key, '-out', forgerCa, '-subj', subject, '-days', '30');
      expect(made.code, made.stderr).toBe(0);
      writeFileSync(join(ca.dir, 'leaf.cnf'), '[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
      const certificate = await provisionSlot(core.readers, forged.readerName, { ...ca, certificate: forgerCa }, '9A', 'eccp256', { serial: issued.nineA });
      expect(openssl('x509', '-inform', 'DER', '-in', certificate, '-noout', '-serial').stdout.trim().toUpperCase()).toBe(`SERIAL=${issued.nineA}`);
      const result = await signIn(forged.readerName, FACTORY.PIN);
      expect(result).toMatchObject({ ok: false, reason: 'foreignCertificate' });
      expect(await lastEvent('operator.signInRefused')).toMatchObject({ reason: 'foreignCertificate' });
    } finally {
      await removed(forged);
    }
  }, 60_000);

  it('refuses an operator certificate on hold, and signs in again once it is resumed', async () => {
    await core.vault.certificates.suspend(issued.nineA, 1, 'release', cliOperator);
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: false, reason: 'certificateOnHold' });
    await core.vault.certificates.resume(issued.nineA, cliOperator);
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: true });
    expect((await call('session:signOut', undefined)).mode).toBe('signedOut');
    expect(await lastEvent('operator.signedOut')).toMatchObject({ outcome: 'success', reason: 'signOut', actor: { id: 'op-ada' } });
  });

  it('works with the vault locked (the CA records are read without the vault key)', async () => {
    await call('vault:lock', undefined);
    expect((await call('vault:status', undefined)).unlocked).toBe(false);
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: true });
    await call('session:signOut', undefined);
    expect((await call('vault:unlock', { passphrase: PASSPHRASE })).ok).toBe(true);
  });

  it('refuses a revoked operator certificate (the CA records say so)', async () => {
    await core.vault.certificates.revoke(issued.nineA, 'keyCompromise', cliOperator);
    expect(await signIn(operatorCard.readerName, issued.pin)).toMatchObject({ ok: false, reason: 'certificateRevoked' });
    expect(await lastEvent('operator.signInRefused')).toMatchObject({ reason: 'certificateRevoked', certificateSerial: issued.nineA });
    expect(await call('session:current', undefined)).toMatchObject({ mode: 'signedOut' });
  });
});

/** A helpdesk change: the second holder's mobile number. */
async function holderToUpdate(): Promise<ChannelArgs<'holders:update'>> {
  const found = await call('holders:search', { query: '' });
  const holder = found.items.find((h) => h.personalNumber === holderInput(2).personalNumber);
  if (holder === undefined) throw new Error('no second holder');
  return { id: holder.id, version: holder.version, holder: holderInput(2, { mobile: '+38344777777' }) };
}
