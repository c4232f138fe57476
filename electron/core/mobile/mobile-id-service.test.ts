import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/schemas/holders';
import type { MobileIdRecord } from '../../shared/schemas/mobile-id';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { sha256Fingerprint } from '../ca/certificate-reader';
import { silentLogger } from '../log/logger';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { parseEnrollmentUri } from './enrollment-uri';
import { MOBILE_IDS } from './mobile-id-records';
import { MobileIdService } from './mobile-id-service';
import { KeyEscrow } from '../lifecycle/key-escrow';
import { readPkcs12Certificates } from './client-store';

let services: VaultServices;
let mobile: MobileIdService;
const audit = new MemoryAuditTrail();
let holder: Holder;
let inactive: Holder;
let now = new Date('2026-03-01T10:00:00Z');
const EST = 'https://desk.example:8443/.well-known/est';

const ec = (curve = 'prime256v1'): KeyObject => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
const csr = (key: KeyObject = ec(), subject = 'CN=Mallory, O=Evil') => createRequest(subject, key);

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger, clock: () => now });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Mobile Root, C=XK', issuingSubject: 'CN=Mobile Issuing, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  const saved = await services.directory.create(holderInput(1, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' }), operator);
  const other = await services.directory.create(holderInput(2, { state: 'suspended' }), operator);
  if (!saved.ok || !other.ok) throw new Error('holder not saved');
  holder = saved.holder;
  inactive = other.holder;
  mobile = new MobileIdService({
    access: services.access,
    audit,
    directory: services.directory,
    ca: services.ca,
    certificates: services.certificates,
    estUrl: () => EST,
    clock: () => now,
    escrow: new KeyEscrow(services.access, services.keyring, audit, () => now),
  });
});

afterAll(() => services.close());

async function issue(labels: ('auth' | 'sign' | 'enc')[] = ['auth', 'sign']) {
  const issued = await mobile.issue(holder.id, { labels }, operator);
  return { ...issued, invitation: parseEnrollmentUri(issued.enrollmentUri) };
}

const statusOf = (serial: string) => services.certificates.revocationStatus(Buffer.from(services.certificates.record(serial).der, 'base64')).state;

describe('MobileIdService', () => {
  it('issues a pending mobile ID with a 192-bit code stored only as its hash, and the URI pins the root', async () => {
    const before = audit.events.length;
    const { mobileId, invitation, enrollmentUri } = await issue(['auth', 'sign', 'enc']);
    expect(mobileId).toMatchObject({ holderId: holder.id, state: 'pending', codePending: true, enrolled: [], options: { labels: ['auth', 'sign', 'enc'], validityDays: 365, delivery: 'screen', recoverKey: false, notify: true } });
    expect(invitation.estUrl).toBe(EST);
    expect(invitation.code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const chain = services.ca.chain();
    expect(invitation.caSha256).toBe(sha256Fingerprint(chain[chain.length - 1]!).replace(/:/g, '').toLowerCase());
    const stored = JSON.stringify(services.access.storage().records.get(MOBILE_IDS, mobileId.id));
    expect(stored).not.toContain(invitation.code);
    expect(JSON.stringify(audit.events.slice(before))).not.toContain(invitation.code);
    expect(audit.events.slice(before).map((e) => e.action)).toEqual(['mobile.issue']);
    expect(enrollmentUri).toContain(mobileId.id);
  });

  it('refuses a holder who is not active, and options out of bounds', async () => {
    await expect(mobile.issue(inactive.id, {}, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(mobile.issue(holder.id, { validityDays: 0 }, operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
  });

  it('enrols each label once with the code, takes the subject from the directory, and turns active when all are in', async () => {
    const { mobileId, invitation } = await issue();
    const auth = await mobile.enroll('auth', mobileId.id, invitation.code, csr(), '10.0.0.1');
    if (!auth.ok) throw new Error(auth.message);
    const cert = new X509Certificate(auth.certificate);
    expect(cert.subject).toContain('CN=Ada Lovelace');
    expect(cert.subject).not.toContain('Mallory');
    expect(cert.verify(new X509Certificate(services.ca.certificate('issuing').der).publicKey)).toBe(true);
    expect(mobile.show(mobileId.id)).toMatchObject({ state: 'pending', enrolled: ['auth'] });
    // The same label again with the same code: spent.
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, csr(), '10.0.0.1')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    // A label the mobile ID does not have.
    expect(await mobile.enroll('enc', mobileId.id, invitation.code, csr(), '10.0.0.1')).toMatchObject({ ok: false, refusal: 'notFound' });
    const sign = await mobile.enroll('sign', mobileId.id, invitation.code, csr(ec('secp384r1')), '10.0.0.1');
    expect(sign.ok).toBe(true);
    expect(mobile.show(mobileId.id)).toMatchObject({ state: 'active', codePending: false, enrolled: ['auth', 'sign'] });
    expect(services.access.storage().records.get<{ id: string; codeHash: string | null }>(MOBILE_IDS, mobileId.id)?.codeHash).toBeNull();
    expect(await mobile.enroll('sign', mobileId.id, invitation.code, csr(), '10.0.0.1')).toMatchObject({ ok: false, refusal: 'unauthorized' });
  });

  it('enrols exactly once when two posts of one label arrive together', async () => {
    const { mobileId, invitation } = await issue(['auth']);
    const results = await Promise.all([mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'a'), mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'b')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.refusal === 'unauthorized')).toHaveLength(1);
    expect(services.certificates.list({ query: '', holderId: holder.id, offset: 0, limit: 1000 }).items.filter((c) => c.serial === (mobile.show(mobileId.id).certificates.auth ?? ''))).toHaveLength(1);
  });

  it('refuses a wrong code and an expired one (with an audit event that never holds the code)', async () => {
    const { mobileId, invitation } = await issue(['auth']);
    const wrong = `${invitation.code.slice(0, -1)}${invitation.code.endsWith('A') ? 'B' : 'A'}`;
    expect(await mobile.enroll('auth', mobileId.id, wrong, csr(), '10.0.0.2')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'mobile.enroll', outcome: 'failure', reason: 'wrongCode' });
    const start = now;
    now = new Date(start.getTime() + 16 * 60_000);
    try {
      expect(mobile.show(mobileId.id).state).toBe('expired');
      expect(await mobile.enroll('auth', mobileId.id, invitation.code, csr(), '10.0.0.2')).toMatchObject({ ok: false, refusal: 'unauthorized' });
      expect(audit.events.at(-1)).toMatchObject({ action: 'mobile.enroll', outcome: 'failure', reason: 'expired' });
    } finally {
      now = start;
    }
    expect(JSON.stringify(audit.events)).not.toContain(invitation.code);
    // Just inside the 15 minutes it still works.
    now = new Date(start.getTime() + 14 * 60_000);
    try {
      expect((await mobile.enroll('auth', mobileId.id, invitation.code, csr(), '10.0.0.2')).ok).toBe(true);
    } finally {
      now = start;
    }
  });

  it('refuses keys outside the profile and requests whose signature does not verify', async () => {
    const { mobileId, invitation } = await issue(['auth']);
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, csr(ec('secp521r1')), 'x')).toMatchObject({ ok: false, refusal: 'forbidden' });
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, csr(ec('secp256k1')), 'x')).toMatchObject({ ok: false, refusal: 'forbidden' });
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, csr(rsa1024), 'x')).toMatchObject({ ok: false, refusal: 'forbidden' });
    const tampered = Buffer.from(csr());
    tampered[tampered.length - 5]! ^= 0xff;
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, tampered, 'x')).toMatchObject({ ok: false, refusal: 'malformed' });
    expect(await mobile.enroll('auth', mobileId.id, invitation.code, Buffer.from('not a request at all'), 'x')).toMatchObject({ ok: false, refusal: 'malformed' });
    // None of these spent the code.
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await mobile.enroll('auth', mobileId.id, invitation.code, csr(rsa2048), 'x')).ok).toBe(true);
  });

  it('cancel leaves nothing behind: the record goes and enrolled certificates are revoked', async () => {
    const { mobileId, invitation } = await issue();
    const auth = await mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'x');
    if (!auth.ok) throw new Error(auth.message);
    await mobile.cancel(mobileId.id, operator);
    expect(mobile.record(mobileId.id)).toBeUndefined();
    expect(mobile.list(holder.id).some((m) => m.id === mobileId.id)).toBe(false);
    expect(statusOf(auth.serial)).toBe('revoked');
    expect(await mobile.enroll('sign', mobileId.id, invitation.code, csr(), 'x')).toMatchObject({ ok: false, refusal: 'unauthorized' });
  });

  it('lock puts the certificates on hold, unlock releases them, revoke revokes them (the CA says so at once)', async () => {
    const { mobileId, invitation } = await issue();
    const serials: string[] = [];
    for (const label of ['auth', 'sign'] as const) {
      const result = await mobile.enroll(label, mobileId.id, invitation.code, csr(), 'x');
      if (!result.ok) throw new Error(result.message);
      serials.push(result.serial);
    }
    expect(serials.map(statusOf)).toEqual(['good', 'good']);
    expect((await mobile.lock(mobileId.id, 30, operator)).state).toBe('locked');
    expect(serials.map(statusOf)).toEqual(['onHold', 'onHold']);
    await expect(mobile.lock(mobileId.id, 30, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await mobile.unlock(mobileId.id, operator)).state).toBe('active');
    expect(serials.map(statusOf)).toEqual(['good', 'good']);
    expect((await mobile.revoke(mobileId.id, 'cessationOfOperation', operator)).state).toBe('revoked');
    expect(serials.map(statusOf)).toEqual(['revoked', 'revoked']);
    await expect(mobile.cancel(mobileId.id, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const actions = audit.events.filter((e) => e.details?.mobileId === mobileId.id).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['mobile.issue:success', 'mobile.enroll:success', 'mobile.lock:success', 'mobile.lock:failure', 'mobile.unlock:success', 'mobile.revoke:success', 'mobile.cancel:failure']));
  });

  it('re-enrols with the current certificate of the label and revokes the old one as superseded', async () => {
    const { mobileId, invitation } = await issue(['auth']);
    const first = await mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'x');
    if (!first.ok) throw new Error(first.message);
    expect(await mobile.reenroll('sign', first.certificate, csr(), 'x')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    expect(await mobile.reenroll('auth', null, csr(), 'x')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    const second = await mobile.reenroll('auth', first.certificate, csr(), 'x');
    if (!second.ok) throw new Error(second.message);
    expect(second.serial).not.toBe(first.serial);
    expect(statusOf(first.serial)).toBe('revoked');
    expect(services.certificates.record(first.serial).reason).toBe('superseded');
    expect(mobile.show(mobileId.id).certificates.auth).toBe(second.serial);
    // The old certificate no longer authenticates.
    expect(await mobile.reenroll('auth', first.certificate, csr(), 'x')).toMatchObject({ ok: false, refusal: 'unauthorized' });
  });

  it('with the vault locked an enrollment fails as not ready and leaves the code unspent', async () => {
    const { mobileId, invitation } = await issue(['auth']);
    services.keyring.lock();
    try {
      await expect(mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'x')).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    } finally {
      await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
    }
    expect(mobile.show(mobileId.id)).toMatchObject({ state: 'pending', enrolled: [], codePending: true });
    expect((await mobile.enroll('auth', mobileId.id, invitation.code, csr(), 'x')).ok).toBe(true);
  });
});

describe('MobileIdService.migrate (move to a new phone)', () => {
  async function enrolled(labels: ('auth' | 'sign' | 'enc')[] = ['auth', 'sign']) {
    const { mobileId, invitation } = await issue(labels);
    const serials: string[] = [];
    for (const label of labels) {
      const result = await mobile.enroll(label, mobileId.id, invitation.code, csr(), 'old-phone');
      if (!result.ok) throw new Error(result.message);
      serials.push(result.serial);
    }
    return { id: mobileId.id, serials };
  }

  async function enrolNew(enrollmentUri: string, labels: readonly ('auth' | 'sign' | 'enc')[]) {
    const invitation = parseEnrollmentUri(enrollmentUri);
    const serials: string[] = [];
    for (const label of labels) {
      const result = await mobile.enroll(label, invitation.mobileId, invitation.code, csr(), 'new-phone');
      if (!result.ok) throw new Error(result.message);
      serials.push(result.serial);
    }
    return serials;
  }

  it('keeps the old phone working while the new one is pending, and revokes it (superseded) once the new one is active', async () => {
    const old = await enrolled();
    const before = audit.events.length;
    const moved = await mobile.migrate(old.id, {}, operator);
    expect(moved.mobileId).toMatchObject({ holderId: holder.id, state: 'pending', supersedes: old.id, options: { labels: ['auth', 'sign'] } });
    expect(audit.events.slice(before).map((e) => `${e.action}:${e.outcome}`)).toEqual(['mobile.migrate:success']);
    expect(audit.events.at(-1)?.details).toMatchObject({ mobileId: moved.mobileId.id, supersedes: old.id });
    expect(JSON.stringify(audit.events.slice(before))).not.toContain(parseEnrollmentUri(moved.enrollmentUri).code);
    expect(mobile.show(old.id).state).toBe('active');
    expect(old.serials.map(statusOf)).toEqual(['good', 'good']);

    // One label of two on the new phone: still nothing changes on the old one.
    const invitation = parseEnrollmentUri(moved.enrollmentUri);
    const first = await mobile.enroll('auth', invitation.mobileId, invitation.code, csr(), 'new-phone');
    expect(first.ok).toBe(true);
    expect(mobile.show(old.id).state).toBe('active');
    expect(old.serials.map(statusOf)).toEqual(['good', 'good']);

    const second = await mobile.enroll('sign', invitation.mobileId, invitation.code, csr(), 'new-phone');
    if (!second.ok || !first.ok) throw new Error('the new phone was refused');
    expect(mobile.show(moved.mobileId.id)).toMatchObject({ state: 'active', supersedes: old.id });
    expect(mobile.show(old.id)).toMatchObject({ state: 'revoked', supersededBy: moved.mobileId.id, codePending: false });
    expect(old.serials.map(statusOf)).toEqual(['revoked', 'revoked']);
    expect(old.serials.map((serial) => services.certificates.record(serial).reason)).toEqual(['superseded', 'superseded']);
    expect([first.serial, second.serial].map(statusOf)).toEqual(['good', 'good']);
    const enroll = audit.events.filter((e) => e.action === 'mobile.enroll' && e.certificateSerial === second.serial);
    expect(enroll[0]?.details).toMatchObject({ replaces: old.id, state: 'active' });
    // A revoked (replaced) mobile ID cannot be moved again.
    await expect(mobile.migrate(old.id, {}, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'mobile.migrate', outcome: 'failure', reason: 'revoked' });
  });

  it('leaves the old phone working when the move expires or is cancelled', async () => {
    const old = await enrolled(['auth']);
    const moved = await mobile.migrate(old.id, {}, operator);
    const invitation = parseEnrollmentUri(moved.enrollmentUri);
    const start = now;
    now = new Date(start.getTime() + 16 * 60_000);
    try {
      expect(mobile.show(moved.mobileId.id).state).toBe('expired');
      expect(await mobile.enroll('auth', invitation.mobileId, invitation.code, csr(), 'new-phone')).toMatchObject({ ok: false, refusal: 'unauthorized' });
      expect(mobile.show(old.id).state).toBe('active');
      expect(old.serials.map(statusOf)).toEqual(['good']);
      // A second move is possible (the expired one is withdrawn with it), and cancelling it changes nothing either.
      const again = await mobile.migrate(old.id, {}, operator);
      expect(mobile.record(moved.mobileId.id)).toBeUndefined();
      await mobile.cancel(again.mobileId.id, operator);
      expect(mobile.show(old.id).state).toBe('active');
      expect(old.serials.map(statusOf)).toEqual(['good']);
    } finally {
      now = start;
    }
  });

  it('one unfinished move per mobile ID: a second cancels the first, whose code then no longer works', async () => {
    const old = await enrolled(['auth', 'sign']);
    const first = await mobile.migrate(old.id, {}, operator);
    const firstCode = parseEnrollmentUri(first.enrollmentUri);
    // The first new phone got one certificate before the move was started again.
    const partial = await mobile.enroll('auth', firstCode.mobileId, firstCode.code, csr(), 'phone-a');
    if (!partial.ok) throw new Error(partial.message);
    const second = await mobile.migrate(old.id, { labels: ['auth'] }, operator);
    expect(mobile.record(first.mobileId.id)).toBeUndefined();
    expect(statusOf(partial.serial)).toBe('revoked');
    expect(await mobile.enroll('sign', firstCode.mobileId, firstCode.code, csr(), 'phone-a')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    expect(second.mobileId.options.labels).toEqual(['auth']);
    await enrolNew(second.enrollmentUri, ['auth']);
    expect(mobile.show(old.id).state).toBe('revoked');
    expect(old.serials.map(statusOf)).toEqual(['revoked', 'revoked']);
  });

  it('moves a locked mobile ID too: its held certificates are revoked superseded once the new phone enrols', async () => {
    const old = await enrolled(['auth']);
    await mobile.lock(old.id, 30, operator);
    expect(old.serials.map(statusOf)).toEqual(['onHold']);
    const moved = await mobile.migrate(old.id, { validityDays: 30 }, operator);
    expect(moved.mobileId.options).toMatchObject({ labels: ['auth'], validityDays: 30 });
    expect(mobile.show(old.id).state).toBe('locked');
    await enrolNew(moved.enrollmentUri, ['auth']);
    expect(mobile.show(old.id)).toMatchObject({ state: 'revoked', supersededBy: moved.mobileId.id });
    expect(old.serials.map(statusOf)).toEqual(['revoked']);
    expect(services.certificates.record(old.serials[0]!).reason).toBe('superseded');
  });

  it('refuses a pending, cancelled or unknown mobile ID, with a failure event for a known one', async () => {
    const { mobileId } = await issue(['auth']);
    await expect(mobile.migrate(mobileId.id, {}, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'mobile.migrate', outcome: 'failure', reason: 'pending' });
    await expect(mobile.migrate('no-such-mobile-id', {}, operator)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('finishes revoking a replaced mobile ID whose certificates a stop left valid', async () => {
    const old = await enrolled(['auth']);
    // The state a stop right after the new phone's enrollment line leaves: the old record revoked, its certificate not yet.
    const record = mobile.record(old.id)!;
    const stopped: MobileIdRecord = { ...record, state: 'revoked', supersededBy: 'the-new-one' };
    await services.access.storage().records.commit([{ collection: MOBILE_IDS, id: old.id, record: stopped }]);
    expect(old.serials.map(statusOf)).toEqual(['good']);
    // The next enrollment (of any mobile ID) finishes it.
    const other = await issue(['auth']);
    expect((await mobile.enroll('auth', other.mobileId.id, other.invitation.code, csr(), 'x')).ok).toBe(true);
    expect(old.serials.map(statusOf)).toEqual(['revoked']);
    expect(services.certificates.record(old.serials[0]!).reason).toBe('superseded');
    expect(await mobile.completeSupersessions(operator)).toBe(0);
  });
});

describe('MobileIdService.recoverKey (the escrowed encryption key onto the phone)', () => {
  const pass = (text = 'a phone passphrase') => Buffer.from(text);

  it('gives the holder\'s escrowed keys once, only after every label is enrolled, and only with recoverKey', async () => {
    // No key escrowed yet: 404 even with recoverKey.
    const early = await mobile.issue(holder.id, { labels: ['auth'], recoverKey: true }, operator);
    const earlyCode = parseEnrollmentUri(early.enrollmentUri);
    expect(earlyCode.recoverKey).toBe(true);
    expect((await mobile.enroll('auth', early.mobileId.id, earlyCode.code, csr(), 'p')).ok).toBe(true);
    expect(await mobile.recoverKey(early.mobileId.id, earlyCode.code, pass(), 'p')).toMatchObject({ ok: false, refusal: 'notFound' });

    // The holder's key, escrowed as the card issuer does, with its certificate from the CA.
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const escrow = new KeyEscrow(services.access, services.keyring, audit, () => now);
    const escrowId = await escrow.escrow(pair.privateKey, { cardSerial: 'UNIT-CARD', holderId: holder.id, algorithm: 'eccp256' }, operator);
    const cert = await services.certificates.issue({ profile: 'encryption', request: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    await escrow.attachCertificate(escrowId, cert.serial);

    const issued = await mobile.issue(holder.id, { labels: ['auth', 'sign'], recoverKey: true }, operator);
    const invitation = parseEnrollmentUri(issued.enrollmentUri);
    expect(await mobile.recoverKey(issued.mobileId.id, invitation.code, pass(), 'p')).toMatchObject({ ok: false, refusal: 'forbidden' });
    for (const label of ['auth', 'sign'] as const) expect((await mobile.enroll(label, issued.mobileId.id, invitation.code, csr(), 'p')).ok).toBe(true);
    expect(mobile.show(issued.mobileId.id)).toMatchObject({ state: 'active', codePending: false });
    // The code does not enrol again, a wrong one and a short passphrase are refused without spending it.
    expect((await mobile.enroll('auth', issued.mobileId.id, invitation.code, csr(), 'p')).ok).toBe(false);
    expect(await mobile.recoverKey(issued.mobileId.id, `${invitation.code.slice(0, -1)}${invitation.code.endsWith('A') ? 'B' : 'A'}`, pass(), 'p')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    expect(await mobile.recoverKey(issued.mobileId.id, invitation.code, pass('short'), 'p')).toMatchObject({ ok: false, refusal: 'malformed' });

    const before = audit.events.length;
    const [first, second] = await Promise.all([mobile.recoverKey(issued.mobileId.id, invitation.code, pass(), 'p'), mobile.recoverKey(issued.mobileId.id, invitation.code, pass(), 'q')]);
    const delivered = [first, second].filter((r) => r.ok);
    expect(delivered).toHaveLength(1);
    const result = delivered[0]!;
    if (!result.ok) throw new Error('no key');
    expect(result.keys).toBe(1);
    const certificates = await readPkcs12Certificates(result.p12, pass());
    expect(certificates[0]!.equals(Buffer.from(services.certificates.record(cert.serial).der, 'base64'))).toBe(true);
    expect(await mobile.recoverKey(issued.mobileId.id, invitation.code, pass(), 'p')).toMatchObject({ ok: false, refusal: 'unauthorized' });
    const events = audit.events.slice(before);
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining(['escrow.keyRecover:success', 'mobile.recoverKey:success', 'mobile.recoverKey:failure']));
    expect(JSON.stringify(events)).not.toContain(invitation.code);
    expect(JSON.stringify(events)).not.toContain('a phone passphrase');
    expect(mobile.show(issued.mobileId.id).keyDeliveredAt).toBe(now.toISOString());

    // Without recoverKey: 404 while the code is good.
    const plain = await mobile.issue(holder.id, { labels: ['auth'] }, operator);
    const plainCode = parseEnrollmentUri(plain.enrollmentUri);
    expect(plainCode.recoverKey).toBeUndefined();
    expect(await mobile.recoverKey(plain.mobileId.id, plainCode.code, pass(), 'p')).toMatchObject({ ok: false, refusal: 'notFound' });
  });

  it('the code for the key lasts a code\'s life from the last enrollment, then it is refused', async () => {
    const issued = await mobile.issue(holder.id, { labels: ['auth'], recoverKey: true }, operator);
    const invitation = parseEnrollmentUri(issued.enrollmentUri);
    const start = now;
    try {
      now = new Date(start.getTime() + 10 * 60_000);
      expect((await mobile.enroll('auth', issued.mobileId.id, invitation.code, csr(), 'p')).ok).toBe(true);
      now = new Date(start.getTime() + 26 * 60_000);
      expect(await mobile.recoverKey(issued.mobileId.id, invitation.code, pass(), 'p')).toMatchObject({ ok: false, refusal: 'unauthorized' });
      expect(audit.events.at(-1)).toMatchObject({ action: 'mobile.recoverKey', outcome: 'failure', reason: 'expired' });
    } finally {
      now = start;
    }
  });
});
