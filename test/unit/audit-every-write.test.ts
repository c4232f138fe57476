/**
 * "Everything writes": walks the contract and calls every channel that changes state through
 * `dispatch` on a real core (embedded virtual card, real audit log in a temporary data folder).
 * Each must leave at least one new event with its channel's action, and no PIN, PUK or key used
 * here may appear in any event. A write channel without a fixture below fails the test (and the
 * type check), so no future channel can slip through.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ChannelArgs, type ChannelName } from '../../electron/shared/contract';
import { dispatch } from '../../electron/core/api/dispatch';
import type { CallContext } from '../../electron/core/api/context';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { writeChannelActions, type WriteChannel } from '../../electron/core/audit/write-audit';
import { createRequest } from '../../electron/core/ca/certification-request';
import { parseEnrollmentUri } from '../../electron/core/mobile/enrollment-uri';
import { silentLogger } from '../../electron/core/log/logger';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import { FACTORY } from '../../electron/smartcard/piv';
import { allLines } from '../support/audit';
import { secretsIn } from '../support/lifecycle-rig';
import { testCore } from '../support/test-core';
import { holderInput, PASSPHRASE, personalNumber } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';
import { oathtool } from '../support/oathtool';
import { freePort } from '../support/free-port';

const reader = VIRTUAL_READER_NAME;
const managementKeyHex = Buffer.from(FACTORY.MANAGEMENT_KEY).toString('hex');
/** Every secret a fixture hands over; none may reach the log. The PINs and PUKs the letters hold are added at the end. */
const secrets = [FACTORY.PIN, FACTORY.PUK, '80421357', '64209753', '31415926', '24681357', 'S3cretTokenPin', managementKeyHex, PASSPHRASE, '00112233445566778899aabbccddeeff', '5c3bd2a7e0f94c1a8b6d7e2f3a4b5c6d7e8f9a0b'];

interface State {
  moduleId: string | null;
  backup: string | null;
  recoveryCode?: string;
  holderId: string | null;
  holderVersion: number;
  certificate: string | null;
  card: string | null;
  attempt: string | null;
  challenge: string | null;
  response: string | null;
  /** The first issuance's contract. */
  contract: string | null;
  /** The first issuance's letters (file names). */
  pinLetter: string | null;
  numberLetter: string | null;
  /** The PIN and PUK of the card issued for the kiosk fixtures (from its PIN letter). */
  kioskPin: string | null;
  kioskPuk: string | null;
  /** The stolen-card report begun at the kiosk. */
  stolenFlow: string | null;
  /** The authenticator app's secret from kiosk:totpBegin (then checked absent from the log). */
  totpSecret: string | null;
  mobileId: string | null;
  /** The mobile ID the kiosk's holder got or locks, migrates and revokes at the kiosk. */
  kioskMobileId: string | null;
  /** The operator account the operators:* fixtures change. */
  operatorId: string | null;
}

/** The mailing house's drop folder the PIN letter goes to. */
const dropFolder = mkdtempSync(join(tmpdir(), 'carddesk-drop-'));

const desk: CallContext = { surface: 'desk', transport: 'ipc' };
/** The kiosk channels are called from a kiosk window (its session is bound to this source). */
const kiosk: CallContext = { surface: 'kiosk', transport: 'ipc', source: 'window:walker-kiosk' };
const contextOf = (channel: string): CallContext => (channel.startsWith('kiosk:') ? kiosk : desk);
const core = testCore({ virtualReader: true });

/** A setup call a fixture needs first (its events are not counted for the channel under test). */
async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<unknown> {
  const result = await dispatch(core.handlers, channel, args, contextOf(channel), silentLogger);
  if (!result.ok) throw new Error(`${channel} failed in a fixture: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** Wrong PINs until the card's PIN is blocked: the offline unblock is only for a blocked card. */
async function blockPin(): Promise<void> {
  for (let i = 0; i < 16; i += 1) {
    const result = (await call('cards:verifyPin', { reader, pin: '00000000' })) as { ok: boolean; reason?: string; triesLeft?: number | null };
    if (result.reason === 'pinBlocked' || result.triesLeft === 0) return;
  }
  throw new Error('the PIN did not block');
}

const publicKeyPem = (): string => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

/**
 * Valid arguments for each write channel, in the order they run (each prepares the next): the
 * vault, the CA, holders and certificates, then the card life cycle on the embedded virtual card,
 * then the PIN actions on the card wiped back to its factory state, tokens, the audit log itself,
 * and the vault restored from its backup.
 */
const fixtures: { readonly [C in WriteChannel]: (state: State) => ChannelArgs<C> | Promise<ChannelArgs<C>> } = {
  'vault:init': () => ({ passphrase: PASSPHRASE }),
  'vault:lock': () => undefined,
  'vault:unlock': () => ({ passphrase: PASSPHRASE }),
  'vault:issueRecoveryCode': () => undefined,
  'vault:recover': (state) => ({ passphrase: PASSPHRASE, code: state.recoveryCode ?? 'missing-code-missing-code' }),
  'vault:updateSettings': () => ({ idleLockMinutes: 30 }),
  'vault:backup': () => undefined,
  'ca:init': () => ({ algorithm: 'p384', rootSubject: 'CN=Walker Root, O=Example, C=XK', issuingSubject: 'CN=Walker Issuing, O=Example, C=XK' }),
  // The vault has its CA: the import is refused, and the refusal is what gets recorded.
  'ca:import': () => ({ pkcs12: Buffer.from('not a PKCS#12 file').toString('base64'), password: 'S3cretTokenPin' }),
  'ca:publishCrl': () => undefined,
  'ca:startOcsp': async () => ({ port: await freePort() }),
  'ca:stopOcsp': () => undefined,
  'ca:setPublicBaseUrl': () => ({ publicBaseUrl: 'http://pki.walker.example:8080/' }),
  // Off, but with the HTTPS port and public host the mobile IDs' enrollment URL is made of.
  'settings:setNetworkListener': () => ({ enabled: false, address: '0.0.0.0', port: 8080, tlsPort: 8443, publicHost: 'desk.walker.example' }),
  'settings:setKiosk': () => ({ idleSeconds: 900, shufflePinPad: true, filesAllowed: true }),
  'settings:setOperatorSession': () => ({ idleMinutes: 20, cardRemoval: 'lock' }),
  'settings:rememberWelcome': () => ({ skipped: ['holder'], policyDone: true }),
  'holders:create': () => ({ ...holderInput(1) }),
  'holders:update': (state) => ({ id: state.holderId ?? 'missing', version: state.holderVersion, holder: holderInput(1, { mobile: '+38344999999' }) }),
  'holders:importCsv': () => ({ csv: `personalNumber,firstName,lastName,email,mobile,documentNumber,documentExpiry,language\n${personalNumber(2)},Ana,Imported,ana@example.org,+38344000002,,,sq\n` }),
  'holders:exportCsv': () => ({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 50 }),
  'certificates:issue': (state) => ({ profile: 'authentication', request: publicKeyPem(), holderId: state.holderId }),
  'certificates:download': (state) => ({ serial: state.certificate ?? 'missing', format: 'pem' }),
  'certificates:suspend': (state) => ({ serial: state.certificate ?? 'missing', days: 3, afterHold: 'release' }),
  'certificates:resume': (state) => ({ serial: state.certificate ?? 'missing' }),
  'certificates:renew': (state) => ({ serial: state.certificate ?? 'missing', request: null }),
  'certificates:revoke': (state) => ({ serial: state.certificate ?? 'missing', reason: 'keyCompromise' }),
  // Mobile IDs (issue 16): one issued and cancelled while pending; another enrolled by a phone
  // (through the service, as the EST site does) to be locked, unlocked and revoked.
  'mobile:issue': (state) => ({ holderId: state.holderId ?? 'missing', options: { labels: ['auth'] } }),
  'mobile:cancel': (state) => ({ id: state.mobileId ?? 'missing' }),
  'mobile:lock': async (state) => {
    const issued = await core.mobile.issue(state.holderId ?? 'missing', { labels: ['auth'] }, { actor: { kind: 'operator', id: 'walker' }, channel: 'desk' });
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    secrets.push(code);
    const enrolled = await core.mobile.enroll('auth', issued.mobileId.id, code, createRequest('CN=phone', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), '192.0.2.1');
    if (!enrolled.ok) throw new Error(`the phone's enrollment was refused: ${enrolled.message}`);
    state.mobileId = issued.mobileId.id;
    return { id: state.mobileId, days: 3 };
  },
  'mobile:unlock': (state) => ({ id: state.mobileId ?? 'missing' }),
  // A move to a new phone of the enrolled (active) one; it is then revoked below, the move left pending.
  'mobile:migrate': (state) => ({ id: state.mobileId ?? 'missing', options: { labels: ['auth'] } }),
  'mobile:revoke': (state) => ({ id: state.mobileId ?? 'missing', reason: 'keyCompromise' }),
  // Operator accounts (issue 17 §1): the first is a CA administrator; a helpdesk operator is then suspended, resumed and removed.
  'operators:add': (state) => ({ holderId: state.holderId ?? 'missing', roles: ['caAdministrator', 'helpdesk'] }),
  'operators:setRoles': (state) => ({ id: state.operatorId ?? 'missing', roles: ['caAdministrator', 'auditor'] }),
  'operators:suspend': async (state) => {
    const created = (await call('holders:create', holderInput(8))) as { holder: { id: string } };
    const added = (await call('operators:add', { holderId: created.holder.id, roles: ['helpdesk'] })) as { ok: boolean; operator?: { id: string } };
    state.operatorId = added.operator?.id ?? 'missing';
    return { id: state.operatorId };
  },
  'operators:resume': (state) => ({ id: state.operatorId ?? 'missing' }),
  'operators:remove': (state) => ({ id: state.operatorId ?? 'missing' }),
  'directory:registerCard': () => ({ serial: 'WALKER-BLANK-1', holderId: null }),
  'cards:updatePolicy': () => ({ keys: { authentication: 'eccp256', signature: 'eccp256', encryption: 'eccp256' }, escrowEncryptionKeys: false }),
  'cards:issue': (state) => ({ reader, holderId: state.holderId ?? 'missing' }),
  // The holder activates the new card with the PIN from the PIN letter: the card signs the contract.
  'cards:activate': (state) => ({ reader, pin: letterPin(state.pinLetter) }),
  'contracts:open': (state) => ({ id: state.contract ?? 'missing' }),
  'contracts:download': (state) => ({ id: state.contract ?? 'missing' }),
  'contracts:setTemplate': () => ({ language: 'it', text: readFileSync(join('resources', 'contracts', 'templates', 'contract.it.txt'), 'utf8') }),
  'contracts:resetTemplate': () => ({ language: 'it' }),
  'letters:updateSettings': () => ({ folder: dropFolder, printer: null }),
  'letters:deliver': (state) => ({ fileName: state.pinLetter ?? 'missing.pdf', route: 'folder' }),
  'letters:markSent': (state) => ({ fileName: state.numberLetter ?? 'missing.pdf' }),
  // The card's personalisation is complete: there is nothing to resume, and the refusal is recorded.
  'cards:resumeIssue': (state) => ({ reader, serial: state.card ?? 'missing' }),
  'cards:resetPin': () => ({ reader }),
  'cards:offlineUnblockBegin': async () => {
    await blockPin();
    return { reader };
  },
  'cards:unblockResponse': (state) => ({ serial: state.card ?? 'missing', challenge: state.challenge ?? 'missing' }),
  'cards:offlineUnblockComplete': (state) => ({ attempt: state.attempt ?? crypto.randomUUID(), response: state.response ?? 'missing', newPin: '24681357' }),
  'cards:offlineUnblockCancel': async () => {
    await blockPin();
    const begun = (await call('cards:offlineUnblockBegin', { reader })) as { ok: boolean; attempt?: string };
    return { attempt: begun.attempt ?? crypto.randomUUID() };
  },
  'cards:renew': () => ({ reader }),
  'cards:suspend': (state) => ({ serial: state.card ?? 'missing', days: 2, afterHold: 'release' }),
  'cards:resume': (state) => ({ serial: state.card ?? 'missing' }),
  'cards:reportLost': (state) => ({ serial: state.card ?? 'missing', stolen: true }),
  // The card in the reader is the lost card itself: refused, and recorded.
  'cards:replace': (state) => ({ reader, lostSerial: state.card ?? 'missing' }),
  'cards:retire': () => ({ reader }),
  'cards:revoke': async (state) => {
    await call('cards:issue', { reader, holderId: state.holderId ?? 'missing' });
    return { serial: state.card ?? 'missing', reason: 'cessationOfOperation' };
  },
  'readers:removeVirtualCard': () => undefined,
  'readers:insertVirtualCard': () => undefined,
  // The holder's kiosk, on a card issued for it (awaiting activation): begin, activate with the
  // letter's PIN, the PIN and PUK actions, files, suspend, revoke, sign out — and a sign-in after
  // the session ended, refused.
  'kiosk:begin': async (state) => {
    await call('cards:retire', { reader });
    const issued = (await call('cards:issue', { reader, holderId: state.holderId ?? 'missing' })) as { letters: { kind: string; fileName: string }[] };
    const letter = issued.letters.find((l) => l.kind === 'pin')?.fileName ?? 'missing.pdf';
    const { pin, puk } = secretsIn(execFileSync('pdftotext', ['-layout', join(core.dataDir, 'outbox', letter), '-'], { encoding: 'utf8' }));
    state.kioskPin = pin;
    state.kioskPuk = puk;
    return { reader };
  },
  'kiosk:offlineUnblockBegin': () => undefined,
  'kiosk:activate': (state) => ({ pin: state.kioskPin ?? '000000' }),
  'kiosk:changePin': (state) => ({ currentPin: state.kioskPin ?? '000000', newPin: '80421357' }),
  'kiosk:changePuk': (state) => ({ currentPuk: state.kioskPuk ?? '00000000', newPuk: '64209753' }),
  'kiosk:unblockPin': () => ({ puk: '64209753', newPin: '31415926' }),
  // A well-formed recovery code that is not the holder's, then a completion with none under way.
  'kiosk:recoveryBegin': () => ({ code: '0000-0000-0000-0000-0000-0000' }),
  'kiosk:recoveryComplete': () => ({ code: '123456', newPin: '31415926' }),
  'account:resetRecoveryCode': (state) => ({ holderId: state.holderId ?? 'missing' }),
  'kiosk:certificate': async () => {
    const home = (await call('kiosk:home', undefined)) as { certificates: { serial: string }[] };
    return { serial: home.certificates[0]?.serial ?? 'missing', format: 'pem' };
  },
  'kiosk:contract': () => undefined,
  // The second factor (issue 15): a token from a PSKC file under a pre-shared key, assigned and
  // removed at the desk; then the signed-in holder enrols an app at the kiosk, confirms it with
  // oathtool's code and removes it with the next step's code.
  'account:importOtpTokens': () => ({ pskc: pskcOf('WALKER-TOKEN-1'), key: otpPreSharedKey }),
  'account:assignOtpToken': (state) => ({ serial: 'WALKER-TOKEN-1', holderId: state.holderId ?? 'missing' }),
  'account:removeSecondFactor': (state) => ({ holderId: state.holderId ?? 'missing', reason: 'token returned to the desk' }),
  'kiosk:totpBegin': () => undefined,
  'kiosk:totpConfirm': (state) => ({ code: totpCode(state.totpSecret, 0) }),
  'kiosk:totpRemove': (state) => ({ code: totpCode(state.totpSecret, 30) }),
  // The signed-in holder's mobile IDs at the kiosk (issue 16): one got and cancelled while pending;
  // another, enrolled by a phone (through the service, as the EST site does), locked, moved to a new phone and revoked.
  'kiosk:mobileIssue': () => ({ labels: ['auth'] }),
  'kiosk:mobileCancel': (state) => ({ id: state.kioskMobileId ?? 'missing' }),
  'kiosk:mobileLock': async (state) => {
    const issued = await core.mobile.issue(state.holderId ?? 'missing', { labels: ['auth'] }, { actor: { kind: 'operator', id: 'walker' }, channel: 'desk' });
    const { code } = parseEnrollmentUri(issued.enrollmentUri);
    secrets.push(code);
    const enrolled = await core.mobile.enroll('auth', issued.mobileId.id, code, createRequest('CN=phone', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), '192.0.2.2');
    if (!enrolled.ok) throw new Error(`the phone's enrollment was refused: ${enrolled.message}`);
    state.kioskMobileId = issued.mobileId.id;
    return { id: state.kioskMobileId, days: 3 };
  },
  'kiosk:mobileMigrate': (state) => ({ id: state.kioskMobileId ?? 'missing' }),
  'kiosk:mobileRevoke': (state) => ({ id: state.kioskMobileId ?? 'missing', reason: 'keyCompromise', pin: '31415926' }),
  'kiosk:suspend': () => ({ days: 1 }),
  'kiosk:revoke': () => ({ reason: 'keyCompromise', pin: '31415926' }),
  'kiosk:signOut': () => undefined,
  'kiosk:signIn': () => ({ pin: '31415926' }),
  // A personal number nobody has: the same answer as for a holder, and only "wrong code" after it.
  'kiosk:stolenCardBegin': () => ({ personalNumber: personalNumber(97) }),
  'kiosk:stolenCardComplete': (state) => ({ flowId: state.stolenFlow ?? 'missing', code: '123456', days: 1 }),
  'kiosk:stolenCardCancel': (state) => ({ flowId: state.stolenFlow ?? 'missing' }),
  // Wiped back to its factory state first: the PIN actions below use the factory PIN and PUK.
  'cards:verifyPin': async () => {
    await call('cards:retire', { reader });
    return { reader, pin: FACTORY.PIN };
  },
  'cards:changePin': () => ({ reader, currentPin: FACTORY.PIN, newPin: '80421357' }),
  'cards:changePuk': () => ({ reader, currentPuk: FACTORY.PUK, newPuk: '64209753' }),
  'cards:unblockPin': () => ({ reader, puk: '64209753', newPin: '31415926' }),
  'cards:setRetryCounters': () => ({ reader, pinTries: 5, pukTries: 4, pin: '31415926', puk: '64209753', managementKey: { kind: 'custom', algorithm: 'tdes', hex: managementKeyHex } }),
  'tokens:addModule': () => ({ name: 'Walker module', path: '/nonexistent/walker-pkcs11.so' }),
  'tokens:addLibraryFolder': () => ({ path: '/usr/lib' }),
  'tokens:removeLibraryFolder': () => ({ path: '/usr/lib' }),
  'tokens:removeModule': (state) => ({ id: state.moduleId ?? 'missing' }),
  // No such module: the call fails, and the failed attempt is what gets recorded.
  'tokens:login': () => ({ moduleId: 'no-such-module', slotId: 0, pin: 'S3cretTokenPin' }),
  'audit:verify': () => undefined,
  'audit:exportCsv': () => ({ outcome: 'success' }),
  'audit:acknowledgeLoss': () => undefined,
  // Holder notifications: a server that is not there (the test is refused, and recorded); no such message to retry.
  'notify:setSettings': () => ({ smtp: { host: '127.0.0.1', port: 1, security: 'none', user: 'walker', password: 'S3cretTokenPin', fromAddress: 'desk@walker.example', fromName: 'Walker' } }),
  'notify:test': () => ({ channel: 'email', to: 'ops@walker.example' }),
  'notify:retry': () => ({ id: 'no-such-message' }),
  'vault:restore': (state) => ({ fileName: state.backup ?? 'missing', passphrase: PASSPHRASE }),
  // The holder account's contact data, lost info and document (after the restore: a holder of its own).
  'account:changeContact': async () => {
    const created = (await call('holders:create', holderInput(7))) as { holder: { id: string } };
    accountHolder = created.holder.id;
    return { id: accountHolder, field: 'email', value: 'changed7@example.org', reason: 'walker: holder asked at the desk' };
  },
  'account:lostInfoBegin': () => ({ personalNumber: personalNumber(99), email: 'nobody@example.org' }),
  'account:lostInfoComplete': () => ({ flow: 'no-such-flow', code: '123456', choice: 'userNumber' }),
  'account:submitDocument': () => ({ id: accountHolder, documentNumber: 'AB1234567', documentExpiry: '2031-01-31', scan: scanPdf }),
  'account:documentScan': async () => ({ submission: await pendingSubmission() }),
  'account:approveDocument': async () => ({ submission: await pendingSubmission() }),
  'account:rejectDocument': async () => {
    await call('account:submitDocument', { id: accountHolder, documentNumber: 'AB7654321', documentExpiry: '2032-01-31', scan: scanPdf });
    return { submission: await pendingSubmission(), reason: 'walker: unreadable scan' };
  },
  // After sign-out: refused for want of a session (recorded); lost info needs none.
  'kiosk:contactChangeBegin': () => ({ field: 'email', value: 'kiosk@example.org' }),
  'kiosk:contactChangeConfirm': () => ({ field: 'email', oldCode: '123456', newCode: '654321', secondFactorCode: '' }),
  'kiosk:contactVerifyBegin': () => ({ field: 'mobile' }),
  'kiosk:contactVerifyConfirm': () => ({ field: 'mobile', code: '123456' }),
  'kiosk:lostInfoBegin': () => ({ personalNumber: personalNumber(98), email: 'nobody@example.org' }),
  'kiosk:lostInfoComplete': () => ({ flow: 'no-such-flow', code: '123456', choice: 'recoveryCode' }),
  'kiosk:submitDocument': () => ({ documentNumber: 'AB1234567', documentExpiry: '2031-01-31', scan: scanPdf }),
  // The desk's operator session (issue 17): no operator account exists here, so the sign-in is refused (recorded, never the PIN).
  'session:signIn': () => ({ reader, pin: '31415926' }),
  'session:signOut': () => undefined,
  // Two-person control (issue 17 §4): no operator account here, so the approving card is refused (recorded, never the PIN).
  'approvals:approveWithCard': () => ({ requestId: '00000000-0000-4000-8000-000000000000', reader, pin: '31415926' }),
};

/** The holder the account fixtures use, and a small PDF as a document scan. */
let accountHolder = 'missing';
const scanPdf = Buffer.from('%PDF-1.4\n% walker scan\n').toString('base64');
async function pendingSubmission(): Promise<string> {
  const view = (await call('account:document', { id: accountHolder })) as { pending: { id: string } | null };
  return view.pending?.id ?? 'missing';
}

/** What each call's result tells the next fixtures. */
function learn(state: State, channel: WriteChannel, value: unknown): void {
  const v = value as Record<string, unknown>;
  if (channel === 'tokens:addModule') state.moduleId = v.id as string;
  if (channel === 'vault:backup') state.backup = v.fileName as string;
  if (channel === 'vault:issueRecoveryCode') state.recoveryCode = v.code as string;
  if (channel === 'holders:create' || channel === 'holders:update') {
    const holder = v.holder as { id: string; version: number };
    state.holderId = holder.id;
    state.holderVersion = holder.version;
  }
  if (channel === 'certificates:issue' || channel === 'certificates:renew') state.certificate = v.serial as string;
  if (channel === 'cards:issue') {
    state.card = v.serial as string;
    state.contract = v.contractId as string;
    const letters = v.letters as { kind: string; fileName: string }[];
    state.pinLetter = letters.find((l) => l.kind === 'pin')?.fileName ?? null;
    state.numberLetter = letters.find((l) => l.kind === 'userNumber')?.fileName ?? null;
  }
  if (channel === 'cards:offlineUnblockBegin') {
    state.attempt = v.attempt as string;
    state.challenge = v.challengeCode as string;
  }
  if (channel === 'cards:unblockResponse') state.response = v.response as string;
  if (channel === 'kiosk:stolenCardBegin') state.stolenFlow = v.flowId as string;
  if (channel === 'operators:add') state.operatorId = (v.operator as { id: string }).id;
  if (channel === 'mobile:issue') state.mobileId = (v.mobileId as { id: string }).id;
  if (channel === 'kiosk:mobileIssue') state.kioskMobileId = (v.mobileId as { id: string }).id;
  if (channel === 'kiosk:totpBegin') {
    state.totpSecret = v.secret as string;
    secrets.push(state.totpSecret);
  }
}

/** A PSKC file made by csv2pskc (python-pskc) with one TOTP token, its seed encrypted under the pre-shared key. */
const otpPreSharedKey = '00112233445566778899aabbccddeeff';
const otpSeed = '5c3bd2a7e0f94c1a8b6d7e2f3a4b5c6d7e8f9a0b';
function pskcOf(serial: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'carddesk-pskc-'));
  const csv = join(folder, 'tokens.csv');
  writeFileSync(csv, `serial,secret,algorithm,response_length,time_interval\n${serial},${otpSeed},urn:ietf:params:xml:ns:keyprov:pskc:totp,6,30\n`);
  return execFileSync('csv2pskc', ['--secret', otpPreSharedKey, csv], { encoding: 'utf8' });
}

/** oathtool's TOTP code for the enrolled app's secret, `ahead` seconds from now. */
function totpCode(secret: string | null, ahead: number): string {
  return oathtool(secret ?? 'AAAAAAAAAAAAAAAA', Date.now() + ahead * 1000);
}

/** Calls that must be refused here (each refusal is itself recorded), and why. */
const refusals: Readonly<Partial<Record<WriteChannel, string>>> = {
  'ca:import': 'the vault already has its CA',
  'cards:resumeIssue': 'the personalisation is complete',
  'cards:replace': 'the card in the reader is the lost card itself',
  'tokens:login': 'no such module',
  'audit:acknowledgeLoss': 'the log holds the vault’s anchor: there is no loss to acknowledge',
  'tokens:addModule': 'the library file does not exist (checked before any load)',
  'tokens:removeModule': 'no module was added',
  'kiosk:offlineUnblockBegin': 'neither the PIN nor the PUK is blocked',
  'kiosk:signIn': 'the session ended at sign-out',
  'kiosk:stolenCardComplete': 'nobody has that personal number: its flow only ever answers "wrong code"',
  'account:lostInfoComplete': 'no such lost-info flow',
  'kiosk:lostInfoComplete': 'no such lost-info flow',
  'kiosk:contactChangeBegin': 'the session ended at sign-out',
  'kiosk:contactChangeConfirm': 'the session ended at sign-out',
  'kiosk:contactVerifyBegin': 'the session ended at sign-out',
  'kiosk:contactVerifyConfirm': 'the session ended at sign-out',
  'kiosk:submitDocument': 'the session ended at sign-out',
  'notify:test': 'no SMTP server listens on port 1',
  'notify:retry': 'there is no such message in the outbox',
  'kiosk:recoveryBegin': 'not the holder’s recovery code',
  'kiosk:recoveryComplete': 'no recovery under way in this window',
  'session:signIn': 'the card in the reader is no operator card (the desk has no operator accounts at all)',
  'approvals:approveWithCard': 'the card in the reader is no operator card (the desk has no operator accounts at all)',
};

beforeAll(async () => {
  await core.start();
  await waitUntil(() => core.readers.list().readers.some((r) => r.name === reader), 5000, 'the embedded virtual reader');
});

afterAll(() => core.dispose());

async function events() {
  const { index, reader: entries } = await core.audit.index();
  return queryPage(index, entries, { limit: 200, count: true });
}

/** The PIN in a PIN letter still in the outbox. */
function letterPin(fileName: string | null): string {
  return secretsIn(execFileSync('pdftotext', ['-layout', join(core.dataDir, 'outbox', fileName ?? 'missing.pdf'), '-'], { encoding: 'utf8' })).pin;
}

/** The PINs and PUKs printed in the PIN letters the life cycle wrote, in the outbox or sent to the drop folder (poppler's pdftotext reads them; user-number letters hold none). */
function letterSecrets(): string[] {
  return [join(core.dataDir, 'outbox'), dropFolder]
    .flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.pdf')).map((name) => join(folder, name)))
    .map((file) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }))
    .filter((text) => !text.includes('User number'))
    .flatMap((text) => {
      // A recovery-code letter (issue 15) holds that code, a secret as well.
      const recovery = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(text);
      if (text.includes('Your emergency recovery code') && recovery !== null) return [recovery[1]!.replace(/-/g, '')];
      const { pin, puk } = secretsIn(text);
      return puk === null ? [pin] : [pin, puk];
    });
}

describe('every state-changing channel', () => {
  it('has a fixture here', () => {
    const writes = (Object.keys(channels) as ChannelName[]).filter((name) => channels[name].effect === 'write');
    expect(writes.filter((name) => !(name in fixtures))).toEqual([]);
    expect(Object.keys(fixtures).sort()).toEqual([...writes].sort());
  });

  it('records an event with its action, and never a secret', async () => {
    const state: State = { moduleId: null, backup: null, holderId: null, holderVersion: 0, certificate: null, card: null, attempt: null, challenge: null, response: null, contract: null, pinLetter: null, numberLetter: null, kioskPin: null, kioskPuk: null, stolenFlow: null, totpSecret: null, mobileId: null, kioskMobileId: null, operatorId: null };
    const outcomes: Record<string, string> = {};
    for (const [channel, fixture] of Object.entries(fixtures) as [WriteChannel, (s: State) => unknown][]) {
      const args = await fixture(state);
      const before = (await events()).total ?? 0;
      const result = await dispatch(core.handlers, channel, args, contextOf(channel), silentLogger);
      const refused = result.ok && typeof result.value === 'object' && result.value !== null && (result.value as { ok?: unknown }).ok === false;
      outcomes[channel] = !result.ok ? result.error.code : refused ? `refused: ${String((result.value as { reason?: unknown }).reason)}` : 'ok';
      if (result.ok && !refused) learn(state, channel, result.value);
      const after = await events();
      const added = after.entries.slice(0, (after.total ?? 0) - before);
      expect(added.length, `${channel} recorded nothing (${outcomes[channel]})`).toBeGreaterThan(0);
      expect(added.map((e) => e.action), channel).toContain(writeChannelActions[channel]);
    }
    // Every call worked except the ones that must be refused here.
    expect(Object.keys(Object.fromEntries(Object.entries(outcomes).filter(([, outcome]) => outcome !== 'ok'))).sort(), JSON.stringify(outcomes, null, 1)).toEqual(Object.keys(refusals).sort());
    const { entries } = await events();
    expect(entries.find((e) => e.action === 'card.pinChange')).toMatchObject({ outcome: 'success', actor: { kind: 'operator' }, channel: 'desk', details: { reader } });

    // Every field of every record as written (hashes and signatures left out: they are not
    // fields anyone wrote, and hex digits could match a PIN by chance).
    const written = allLines(join(core.dataDir, 'audit'))
      .map((line) => {
        const { prev: _prev, hash: _hash, signature: _signature, publicKey: _publicKey, keyId: _keyId, ...fields } = JSON.parse(line.text) as Record<string, unknown>;
        return JSON.stringify(fields);
      })
      .join('\n');
    const fromLetters = letterSecrets();
    expect(fromLetters.length, 'the PIN letters hold PINs and PUKs').toBeGreaterThanOrEqual(4);
    for (const secret of [...secrets, ...fromLetters]) expect(written, `a secret reached the audit log`).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`));
    expect(readFileSync(join(core.dataDir, 'audit', 'head.json'), 'utf8')).not.toMatch(/80421357|31415926/);
  }, 180_000);
});
