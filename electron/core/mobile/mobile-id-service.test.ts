import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/schemas/holders';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { createRequest } from '../ca/certification-request';
import { sha256Fingerprint } from '../ca/certificate-reader';
import { silentLogger } from '../log/logger';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { parseEnrollmentUri } from './enrollment-uri';
import { MOBILE_IDS } from './mobile-id-records';
import { MobileIdService } from './mobile-id-service';

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
  mobile = new MobileIdService({ access: services.access, audit, directory: services.directory, ca: services.ca, certificates: services.certificates, estUrl: () => EST, clock: () => now });
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
});
