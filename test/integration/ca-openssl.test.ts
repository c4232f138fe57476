/**
 * The CA checked by tools CardDesk did not write: OpenSSL (verify with CRLs, crl -text, ocsp,
 * pkcs7, pkcs12) and GnuTLS (certtool --verify-chain). No PC/SC involved.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import type { CaAlgorithm } from '../../electron/shared/schemas/ca';
import { openssl, tool, toolAsync } from '../support/openssl';
import { holderInput, operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

function csr(dir: string, name: string): string {
  const key = join(dir, `${name}.key`);
  const request = join(dir, `${name}.csr`);
  const made = openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', request);
  expect(made.code, made.stderr).toBe(0);
  return request;
}

describe.each(['p384', 'rsa3072'] as CaAlgorithm[])('a CardDesk CA (%s) checked by OpenSSL and GnuTLS', (algorithm) => {
  let services: VaultServices;
  let dir: string;
  let publish: string;
  let ocspPort: number;
  const serials: Record<'valid' | 'revoked' | 'held', string> = { valid: '', revoked: '', held: '' };
  const pem = (serial: string): string => {
    const file = join(dir, `${serial}.pem`);
    writeFileSync(file, services.certificates.detail(serial).pem);
    return file;
  };
  const verify = (serial: string, crl = 'ca.crl.pem') => openssl('verify', '-CAfile', join(publish, 'chain.pem'), '-crl_check', '-CRLfile', join(publish, crl), pem(serial));

  beforeAll(async () => {
    dir = tempHome('carddesk-openssl-');
    services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init(
      { algorithm, rootSubject: 'CN=Checked Root, O=CardDesk Test, C=XK', issuingSubject: 'CN=Checked Issuing, O=CardDesk Test, C=XK', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null },
      operator,
    );
    publish = services.ca.publishDir;
    const saved = await services.directory.create(holderInput(7, { firstName: 'Ada', lastName: 'Lovelace' }), operator);
    if (!saved.ok) throw new Error('holder not saved');
    for (const key of Object.keys(serials) as (keyof typeof serials)[]) {
      const request = (await import('node:fs')).readFileSync(csr(dir, key), 'utf8');
      serials[key] = (await services.certificates.issue({ profile: 'authentication', request, holderId: saved.holder.id, cardSerial: null, subject: '' }, operator)).serial;
    }
    await services.certificates.revoke(serials.revoked, 'keyCompromise', operator);
    ocspPort = (await services.ocsp.start(0, operator)).port ?? 0;
  }, 120_000);

  afterAll(() => services?.close());

  it('openssl verify -crl_check passes for a valid certificate and fails for a revoked one', () => {
    const valid = verify(serials.valid);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain(': OK');
    const revoked = verify(serials.revoked);
    expect(revoked.code).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toMatch(/certificate revoked/);
  });

  it('openssl verify -crl_check_all passes with the root’s CRL too', () => {
    const result = openssl('verify', '-CAfile', join(publish, 'chain.pem'), '-crl_check_all', '-CRLfile', join(publish, 'ca.crl.pem'), '-CRLfile', join(publish, 'root.crl.pem'), pem(serials.valid));
    expect(result.code, result.stderr).toBe(0);
  });

  it('a suspended certificate shows certificateHold in the CRL and disappears after resume', async () => {
    await services.certificates.suspend(serials.held, 14, 'release', operator);
    const held = openssl('crl', '-in', join(publish, 'ca.crl.pem'), '-noout', '-text');
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(new RegExp(`Serial Number: ${serials.held}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Certificate Hold`));
    expect(verify(serials.held).stderr + verify(serials.held).stdout).toMatch(/certificate revoked/);
    await services.certificates.resume(serials.held, operator);
    const full = openssl('crl', '-in', join(publish, 'ca.crl.pem'), '-noout', '-text');
    expect(full.stdout).not.toContain(serials.held);
    expect(verify(serials.held).code).toBe(0);
    // The delta against the previous full CRL says the hold was lifted.
    const delta = openssl('crl', '-in', join(publish, 'ca-delta.crl.pem'), '-noout', '-text');
    expect(delta.stdout).toMatch(new RegExp(`Serial Number: ${serials.held}[\\s\\S]*?Remove From CRL`));
  });

  it('openssl crl -text parses the full and the delta CRL, with numbers and the delta indicator', () => {
    const full = openssl('crl', '-in', join(publish, 'ca.crl.pem'), '-noout', '-text');
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/X509v3 CRL Number:\s+\d+/);
    expect(full.stdout).toMatch(new RegExp(`Serial Number: ${serials.revoked}[\\s\\S]*?Key Compromise`));
    const delta = openssl('crl', '-in', join(publish, 'ca-delta.crl.pem'), '-noout', '-text');
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/X509v3 Delta CRL Indicator: critical\s+\d+/);
    const signature = openssl('crl', '-in', join(publish, 'ca.crl.pem'), '-noout', '-CAfile', join(publish, 'chain.pem'));
    expect(signature.stderr).toMatch(/verify OK/);
    const deltaSignature = openssl('crl', '-in', join(publish, 'ca-delta.crl.pem'), '-noout', '-CAfile', join(publish, 'chain.pem'));
    expect(deltaSignature.stderr).toMatch(/verify OK/);
  });

  it('openssl ocsp gets good, revoked and unknown from the responder, signed by the delegated OCSP certificate', async () => {
    const ask = (...args: string[]) =>
      toolAsync('openssl', ['ocsp', '-issuer', join(publish, 'issuing.pem'), ...args, '-url', `http://127.0.0.1:${ocspPort}/`, '-CAfile', join(publish, 'chain.pem'), '-nonce']);
    const good = await ask('-cert', pem(serials.valid));
    expect(good.stderr).toContain('Response verify OK');
    expect(good.stdout).toMatch(/: good/);
    const revoked = await ask('-cert', pem(serials.revoked));
    expect(revoked.stderr).toContain('Response verify OK');
    expect(revoked.stdout).toMatch(/: revoked[\s\S]*Reason: keyCompromise/);
    const unknown = await ask('-serial', '0x0123456789ABCDEF');
    expect(unknown.stderr).toContain('Response verify OK');
    expect(unknown.stdout).toMatch(/0x0123456789ABCDEF: unknown/);
  });

  it('certtool --verify-chain accepts the chain', () => {
    const chain = join(dir, 'full-chain.pem');
    writeFileSync(chain, services.certificates.detail(serials.valid).pem + services.ca.chain().map((d) => `-----BEGIN CERTIFICATE-----\n${d.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`).join(''));
    const result = tool('certtool', ['--verify-chain', '--infile', chain]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Chain verification output: Verified/);
  });

  it('exports PEM, DER and PKCS#7 that OpenSSL reads', async () => {
    const der = await services.certificates.download(serials.valid, 'der', operator);
    writeFileSync(join(dir, 'x.cer'), der.data);
    expect(openssl('x509', '-inform', 'DER', '-in', join(dir, 'x.cer'), '-noout', '-serial').stdout.trim()).toBe(`serial=${serials.valid}`);
    const p7b = await services.certificates.download(serials.valid, 'p7b', operator);
    writeFileSync(join(dir, 'x.p7b'), p7b.data);
    const printed = openssl('pkcs7', '-inform', 'DER', '-in', join(dir, 'x.p7b'), '-print_certs', '-noout');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.match(/subject=/g)).toHaveLength(3);
  });
});

describe('importing an existing CA from PKCS#12', () => {
  it.each([
    ['ECC P-384, AES (OpenSSL 3 default)', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], []],
    ['RSA 3072, legacy 3DES/RC2', ['-newkey', 'rsa:3072'], ['-legacy']],
  ])('imports %s and issues certificates that verify against it', async (_name, keyArgs, p12Args) => {
    const dir = tempHome('carddesk-p12-');
    const made = openssl('req', '-x509', ...keyArgs, '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '3650', '-subj', '/CN=Imported CA/O=Elsewhere', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    expect(made.code, made.stderr).toBe(0);
    const exported = openssl('pkcs12', '-export', ...p12Args, '-inkey', join(dir, 'ca.key'), '-in', join(dir, 'ca.pem'), '-out', join(dir, 'ca.p12'), '-passout', 'pass:p12 secret');
    if (exported.code !== 0 && p12Args.includes('-legacy')) {
      console.warn(`SKIPPED legacy PKCS#12: this OpenSSL has no legacy provider (${exported.stderr.trim()})`);
      return;
    }
    expect(exported.code, exported.stderr).toBe(0);
    const services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
    try {
      await services.vault.init(Buffer.from(PASSPHRASE), operator);
      const { readFileSync } = await import('node:fs');
      const p12 = readFileSync(join(dir, 'ca.p12'));
      await expect(services.ca.import(p12, 'wrong password', { publicBaseUrl: null }, operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
      await services.ca.import(p12, 'p12 secret', { publicBaseUrl: null }, operator);
      expect(services.ca.certificate('issuing').subject).toBe('O=Elsewhere, CN=Imported CA');
      const cert = await services.certificates.issue({ profile: 'signature', request: readFileSync(csr(dir, 'leaf'), 'utf8'), holderId: null, cardSerial: null, subject: 'CN=Leaf' }, operator);
      await services.crl.publish(operator);
      writeFileSync(join(dir, 'leaf.pem'), services.certificates.detail(cert.serial).pem);
      const result = openssl('verify', '-CAfile', join(dir, 'ca.pem'), '-crl_check', '-CRLfile', join(services.ca.publishDir, 'ca.crl.pem'), join(dir, 'leaf.pem'));
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await services.close();
    }
  });

  it('refuses a file that is not PKCS#12', async () => {
    const dir = tempHome('carddesk-p12-');
    const services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
    try {
      await services.vault.init(Buffer.from(PASSPHRASE), operator);
      await expect(services.ca.import(Buffer.from('not a pkcs12 file at all'), '', { publicBaseUrl: null }, operator)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    } finally {
      await services.close();
    }
  });
});
