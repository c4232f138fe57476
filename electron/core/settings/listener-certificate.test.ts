import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { LISTENER_CERTIFICATES, ListenerCertificates } from './listener-certificate';

let services: VaultServices;
let certificates: ListenerCertificates;
const audit = new MemoryAuditTrail();
let now = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  services = createVaultServices({ dataDir: tempHome(), audit, log: silentLogger, clock: () => now });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  await services.ca.init({ algorithm: 'p384', rootSubject: 'CN=TLS Root', issuingSubject: 'CN=TLS Issuing', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null }, operator);
  certificates = new ListenerCertificates({ access: services.access, keyring: services.keyring, ca: services.ca, audit, clock: () => now });
});

afterAll(() => services.close());

const leafOf = (pem: string) => new X509Certificate(pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + 25));

describe('ListenerCertificates', () => {
  it('issues a serverAuth certificate for the host from the issuing CA, keeps it, and sends the chain', async () => {
    const first = await certificates.credentials('desk.example', operator);
    const leaf = leafOf(first.cert);
    expect(leaf.subjectAltName).toBe('DNS:desk.example');
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(leaf.verify(new X509Certificate(services.ca.certificate('issuing').der).publicKey)).toBe(true);
    expect(first.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(first.key).toContain('BEGIN PRIVATE KEY');
    // The key is sealed in the record, not stored in clear.
    expect(JSON.stringify(services.access.storage().records.get(LISTENER_CERTIFICATES, 'tls'))).not.toContain(first.key.split('\n')[1]!);
    expect((await certificates.credentials('desk.example', operator)).serial).toBe(first.serial);
    expect(audit.events.filter((e) => e.action === 'ca.certificateIssue' && e.details?.['profile'] === 'tlsServer')).toHaveLength(1);
  });

  it('issues again for another host (an IP address: an IP SAN), and 30 days before the end', async () => {
    const ip = await certificates.credentials('192.0.2.7', operator);
    expect(leafOf(ip.cert).subjectAltName).toBe('IP Address:192.0.2.7');
    const end = Date.parse(ip.notAfter);
    now = new Date(end - 31 * 86_400_000);
    expect((await certificates.credentials('192.0.2.7', operator)).serial).toBe(ip.serial);
    now = new Date(end - 29 * 86_400_000);
    const renewed = await certificates.credentials('192.0.2.7', operator);
    expect(renewed.serial).not.toBe(ip.serial);
    expect(Date.parse(renewed.notAfter)).toBeGreaterThan(end);
  });
});
