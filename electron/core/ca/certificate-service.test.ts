import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import type { Holder } from '../../shared/schemas/holders';
import { createRequest } from './certification-request';
import { children, readTlv, toPem } from './der';
import { parseCertificate } from './certificate-reader';

let services: VaultServices;
const audit = new MemoryAuditTrail();
let holder: Holder;
let now = new Date('2026-03-01T10:00:00Z');

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const csrPem = (subject = 'CN=ignored') => toPem(createRequest(subject, ecKey()), 'CERTIFICATE REQUEST');

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger, clock: () => now });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Test Root, O=Desk, C=XK', issuingSubject: 'CN=Test Issuing, O=Desk, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: 'http://pki.desk.example/' },
    operator,
  );
  const saved = await services.directory.create(holderInput(1, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org' }), operator);
  if (!saved.ok) throw new Error('holder not saved');
  holder = saved.holder;
});

afterAll(() => services.close());

/** The reason codes in a DER CRL, keyed by serial. */
function crlEntries(der: Buffer): Map<string, number | null> {
  const [tbs] = children(readTlv(der));
  const list = children(tbs!).find((part, i) => part.tag === 0x30 && i > 1 && children(part)[0]?.tag === 0x30 && children(children(part)[0]!)[0]?.tag === 0x02);
  const out = new Map<string, number | null>();
  for (const entry of list === undefined ? [] : children(list)) {
    const [serial, , extensions] = children(entry);
    const reason = extensions === undefined ? null : (children(children(children(extensions)[0]!)[1]!)[0]?.content[0] ?? null);
    out.set(serial!.content.toString('hex').toUpperCase().replace(/^00/, ''), reason);
  }
  return out;
}

describe('CertificateService', () => {
  it('issues an authentication certificate for a holder with UPN and email names, signed by the issuing CA', async () => {
    const issued = await services.certificates.issue({ profile: 'authentication', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    expect(issued.serial).toMatch(/^[0-9A-F]{32}$/);
    const detail = services.certificates.detail(issued.serial);
    expect(detail).toMatchObject({
      subject: `CN=Ada Lovelace, SERIALNUMBER=${holder.personalNumber}, O=Example Org`,
      issuer: 'CN=Test Issuing, O=Desk, C=XK',
      holderName: 'Ada Lovelace',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['clientAuth', 'msSmartcardLogon'],
      subjectAltNames: [
        { type: 'upn', value: 'ada@example.org' },
        { type: 'email', value: 'ada@example.org' },
      ],
      basicConstraints: 'end entity',
      signatureAlgorithm: 'ecdsa-with-SHA384',
      status: 'valid',
    });
    const x509 = new X509Certificate(detail.pem);
    expect(x509.verify(new X509Certificate(services.ca.certificate('issuing').der).publicKey)).toBe(true);
    expect(x509.infoAccess).toContain('OCSP - URI:http://pki.desk.example/ocsp');
    expect(x509.infoAccess).toContain('CA Issuers - URI:http://pki.desk.example/ca/issuing.cer');
    expect(detail.chain.map((c) => c.subject)).toEqual(['CN=Test Issuing, O=Desk, C=XK', 'CN=Test Root, O=Desk, C=XK']);
  });

  it('gives each profile its key usage, and never outlives the issuing CA', async () => {
    const signature = await services.certificates.issue({ profile: 'signature', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '', validityDays: 3650 }, operator);
    const detail = services.certificates.detail(signature.serial);
    expect(detail.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(Date.parse(detail.notAfter)).toBeLessThanOrEqual(services.ca.certificate('issuing').notAfter.getTime());
    const encryption = await services.certificates.issue({ profile: 'encryption', request: csrPem(), holderId: null, cardSerial: null, subject: 'CN=Mailbox, O=Desk' }, operator);
    expect(services.certificates.detail(encryption.serial)).toMatchObject({ keyUsage: ['keyAgreement'], subject: 'CN=Mailbox, O=Desk', subjectAltNames: [] });
  });

  it('takes a CSR’s subject when there is no holder and no subject given, and refuses a tampered CSR', async () => {
    const issued = await services.certificates.issue({ profile: 'operator', request: csrPem('CN=Operator One, O=Desk'), holderId: null, cardSerial: null, subject: '' }, operator);
    expect(issued.subject).toBe('CN=Operator One, O=Desk');
    const der = createRequest('CN=Operator Two', ecKey());
    der[der.length - 5]! ^= 0xff;
    await expect(services.certificates.issue({ profile: 'operator', request: toPem(der, 'CERTIFICATE REQUEST'), holderId: null, cardSerial: null, subject: '' }, operator)).rejects.toMatchObject({
      code: 'MALFORMED_INPUT',
    });
  });

  it('suspends (certificateHold), resumes (removeFromCRL in the delta) and revokes, publishing CRLs each time', async () => {
    const cert = await services.certificates.issue({ profile: 'authentication', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    const crlFile = () => parseCrlFile('ca.crl');
    expect((await services.certificates.suspend(cert.serial, 10, 'release', operator)).ok).toBe(true);
    expect(crlEntries(crlFile()).get(cert.serial)).toBe(6);
    expect(await services.certificates.suspend(cert.serial, 10, 'release', operator)).toEqual({ ok: false, reason: 'alreadySuspended' });
    now = new Date(now.getTime() + 1000);
    expect((await services.certificates.resume(cert.serial, operator)).ok).toBe(true);
    expect(crlEntries(crlFile()).has(cert.serial)).toBe(false);
    expect(crlEntries(parseCrlFile('ca-delta.crl')).get(cert.serial)).toBe(8);
    now = new Date(now.getTime() + 1000);
    expect(await services.certificates.revoke(cert.serial, 'keyCompromise', operator)).toMatchObject({ ok: true, certificate: { status: 'revoked', reason: 'keyCompromise' } });
    expect(crlEntries(crlFile()).get(cert.serial)).toBe(1);
    expect(await services.certificates.resume(cert.serial, operator)).toEqual({ ok: false, reason: 'alreadyRevoked' });
    expect(audit.events.filter((e) => e.certificateSerial === cert.serial).map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'ca.certificateIssue:success',
      'ca.certificateSuspend:success',
      'ca.certificateSuspend:failure',
      'ca.certificateResume:success',
      'ca.certificateRevoke:success',
      'ca.certificateResume:failure',
    ]);
  });

  it('ends holds when their time is up: released or revoked as chosen', async () => {
    const release = await services.certificates.issue({ profile: 'signature', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    const revoke = await services.certificates.issue({ profile: 'signature', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    await services.certificates.suspend(release.serial, 3, 'release', operator);
    await services.certificates.suspend(revoke.serial, 30, 'revoke', operator);
    await expect(services.certificates.suspend(release.serial, 31, 'release', operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    now = new Date(now.getTime() + 4 * 86_400_000);
    expect(await services.certificates.applyExpiredHolds(operator)).toBe(1);
    expect(services.certificates.record(release.serial).status).toBe('valid');
    now = new Date(now.getTime() + 27 * 86_400_000);
    expect(await services.certificates.applyExpiredHolds(operator)).toBe(1);
    expect(services.certificates.record(revoke.serial)).toMatchObject({ status: 'revoked', reason: 'cessationOfOperation' });
  });

  it('renews with the same key, subject and names, and links old and new', async () => {
    const old = await services.certificates.issue({ profile: 'authentication', request: csrPem(), holderId: holder.id, cardSerial: null, subject: '' }, operator);
    const renewed = await services.certificates.renew(old.serial, null, undefined, operator);
    const oldCert = parseCertificate(Buffer.from(services.certificates.record(old.serial).der, 'base64'));
    const newCert = parseCertificate(Buffer.from(services.certificates.record(renewed.serial).der, 'base64'));
    expect(newCert.publicKeyInfo.equals(oldCert.publicKeyInfo)).toBe(true);
    expect(newCert.subject).toBe(oldCert.subject);
    expect(services.certificates.detail(renewed.serial)).toMatchObject({ renewedFrom: old.serial, subjectAltNames: services.certificates.detail(old.serial).subjectAltNames });
    expect(services.certificates.record(old.serial).renewedBy).toBe(renewed.serial);
    await expect(services.certificates.renew(old.serial, null, undefined, operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('needs the unlocked vault to sign', async () => {
    await services.vault.lock(operator);
    await expect(services.certificates.issue({ profile: 'signature', request: csrPem(), holderId: null, cardSerial: null, subject: 'CN=x' }, operator)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
  });

  it('lists by status, profile and holder, soonest expiry first', () => {
    const revoked = services.certificates.list({ query: '', status: 'revoked', offset: 0, limit: 50 });
    expect(revoked.items.every((c) => c.status === 'revoked')).toBe(true);
    expect(revoked.total).toBeGreaterThanOrEqual(2);
    const ofHolder = services.certificates.list({ query: 'lovelace', holderId: holder.id, profile: 'authentication', offset: 0, limit: 50 });
    expect(ofHolder.items.length).toBeGreaterThanOrEqual(3);
    expect(ofHolder.items.map((c) => c.notAfter)).toEqual([...ofHolder.items.map((c) => c.notAfter)].sort());
  });
});

function parseCrlFile(name: string): Buffer {
  return readFileSync(join(services.ca.publishDir, name));
}
