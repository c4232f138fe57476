/**
 * Relying parties check revocation from what the certificate says (issue 10, point 3): OpenSSL
 * reads the CRL distribution point and the OCSP address (AIA) from an issued certificate, fetches
 * the CRL from the desk's network listener and verifies it, and asks the listener's OCSP
 * responder, which follows a revocation at once. The file runs itself again in a private network
 * namespace (unshare --net, as root), where the published address 10.203.0.1 is added to the
 * namespace's own loopback interface; the outer run passes only if every inner test passed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { OcspService } from '../../electron/core/ca/ocsp-service';
import { CaPublicationSite } from '../../electron/core/ca/publication-site';
import { silentLogger } from '../../electron/core/log/logger';
import { DeskSettingsStore } from '../../electron/core/settings/desk-settings';
import { NetworkListenerService } from '../../electron/core/settings/network-listener';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import { openssl, toolAsync } from '../support/openssl';
import { addPublishedAddress, inPrivateNetwork, runInPrivateNetwork } from '../support/published-address';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';
import { freePort } from '../support/free-port';

const thisFile = 'test/integration/ca-publication.test.ts';

if (!inPrivateNetwork()) {
  describe('CRL and OCSP addresses in issued certificates (in a private network namespace)', () => {
    it('passes every test of this file run in a network namespace of its own', () => {
      const run = runInPrivateNetwork(thisFile);
      console.log(run.output.split('\n').filter((line) => /✓|×|FAIL|Tests |Test Files /.test(line)).join('\n'));
      expect(run.status, run.output).toBe(0);
      expect(run.output).toMatch(/Tests\s+6 passed \(6\)/);
    }, 240_000);
  });
} else describe('CRL and OCSP addresses in issued certificates, served on the network listener', () => {
  let services: VaultServices;
  let listener: NetworkListenerService;
  let dir: string;
  let base: string;
  let host: string;
  let port: number;
  const files = { leaf: '', other: '', chain: '', issuing: '' };

  const issue = async (name: string): Promise<string> => {
    const key = join(dir, `${name}.key`);
    const request = join(dir, `${name}.csr`);
    const made = openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', request);
    expect(made.code, made.stderr).toBe(0);
    const summary = await services.certificates.issue({ profile: 'authentication', request: readFileSync(request, 'utf8'), holderId: null, cardSerial: null, subject: `CN=${name}, O=CardDesk Test` }, operator);
    const file = join(dir, `${name}.pem`);
    writeFileSync(file, services.certificates.detail(summary.serial).pem);
    return summary.serial;
  };
  const serials = { leaf: '', other: '' };

  const ocsp = (cert: string, url: string) =>
    toolAsync('openssl', ['ocsp', '-issuer', files.issuing, '-cert', cert, '-url', url, '-CAfile', files.chain, '-nonce', '-timeout', '10']);

  beforeAll(async () => {
    host = addPublishedAddress();
    port = await freePort(host);
    base = `http://${host}:${port}/`;
    dir = tempHome('carddesk-publication-');
    services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init(
      { algorithm: 'p384', rootSubject: 'CN=Published Root, O=CardDesk Test', issuingSubject: 'CN=Published Issuing, O=CardDesk Test', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: base },
      operator,
    );
    await services.crl.publish(operator);
    files.chain = join(services.ca.publishDir, 'chain.pem');
    files.issuing = join(services.ca.publishDir, 'issuing.pem');
    serials.leaf = await issue('leaf');
    serials.other = await issue('other');
    files.leaf = join(dir, 'leaf.pem');
    files.other = join(dir, 'other.pem');
    listener = new NetworkListenerService({
      settings: await new DeskSettingsStore(dir).open(),
      vaultUnlocked: () => services.keyring.unlocked,
      audit: services.audit,
      log: silentLogger,
      sites: [new CaPublicationSite(services.ca, services.ocsp)],
    });
  }, 120_000);

  afterAll(async () => {
    await listener?.close();
    await services?.close();
  });

  it('is off until an administrator turns it on, and only with the vault unlocked', async () => {
    expect((await listener.apply()).listening).toBeNull();
    const refused = await fetch(`${base}crl/ca.crl`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
    services.keyring.lock();
    await expect(listener.update({ enabled: true, address: host, port }, operator)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
    const status = await listener.update({ enabled: true, address: host, port }, operator);
    expect(status.listening).toEqual({ address: host, port });
    expect((await new DeskSettingsStore(dir).open()).load().networkListener).toEqual({ enabled: true, address: host, port });
  });

  it('OpenSSL fetches the CRL from the certificate’s distribution point and verifies it', async () => {
    const ext = openssl('x509', '-in', files.leaf, '-noout', '-ext', 'crlDistributionPoints');
    expect(ext.code, ext.stderr).toBe(0);
    const url = /URI:(\S+)/.exec(ext.stdout)?.[1];
    expect(url).toBe(`${base}crl/ca.crl`);
    const response = await fetch(url ?? '');
    expect(response.status).toBe(200);
    const crlFile = join(dir, 'fetched.crl');
    writeFileSync(crlFile, Buffer.from(await response.arrayBuffer()));
    const checked = openssl('crl', '-inform', 'DER', '-in', crlFile, '-CAfile', files.chain, '-verify', '-noout');
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stderr + checked.stdout).toContain('verify OK');
    // The CRL fetched from the certificate's address checks the certificate itself.
    const pemCrl = join(dir, 'fetched.crl.pem');
    expect(openssl('crl', '-inform', 'DER', '-in', crlFile, '-out', pemCrl).code).toBe(0);
    const verified = openssl('verify', '-CAfile', files.chain, '-crl_check', '-CRLfile', pemCrl, files.leaf);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('the caIssuers address serves the issuing CA certificate', async () => {
    const aia = openssl('x509', '-in', files.leaf, '-noout', '-ext', 'authorityInfoAccess');
    const url = /CA Issuers - URI:(\S+)/.exec(aia.stdout)?.[1];
    expect(url).toBe(`${base}ca/issuing.cer`);
    const der = Buffer.from(await (await fetch(url ?? '')).arrayBuffer());
    expect(der.equals(services.ca.certificate('issuing').der)).toBe(true);
  });

  it('openssl ocsp at the certificate’s AIA address says good, then revoked right after a revocation (no restart)', async () => {
    const uri = openssl('x509', '-in', files.leaf, '-noout', '-ocsp_uri');
    const url = uri.stdout.trim();
    expect(url).toBe(`${base}ocsp`);
    const good = await ocsp(files.leaf, url);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain(`${files.leaf}: good`);
    expect(good.stderr + good.stdout).toContain('Response verify OK');

    await services.certificates.revoke(serials.leaf, 'keyCompromise', operator);
    const revoked = await ocsp(files.leaf, url);
    expect(revoked.stdout).toContain(`${files.leaf}: revoked`);
    expect(revoked.stdout).toContain('Reason: keyCompromise');

    await services.certificates.suspend(serials.other, 3, 'release', operator);
    const held = await ocsp(files.other, url);
    expect(held.stdout).toContain(`${files.other}: revoked`);
    expect(held.stdout).toContain('Reason: certificateHold');
    await services.certificates.resume(serials.other, operator);
    expect((await ocsp(files.other, url)).stdout).toContain(`${files.other}: good`);

    // The CRL at the certificate's address follows as well.
    const crlFile = join(dir, 'after.crl');
    writeFileSync(crlFile, Buffer.from(await (await fetch(`${base}crl/ca.crl`)).arrayBuffer()));
    const text = openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text');
    expect(text.stdout).toContain(`Serial Number: ${serials.leaf}`);
  });

  it('answers tryLater (never unsigned or stale) while the OCSP key is still sealed after a start', async () => {
    // A desk just started with the vault locked: the listener's responder has no key yet.
    services.keyring.lock();
    const restarted = new OcspService(services.access, services.ca, services.audit, silentLogger);
    const site = new NetworkListenerService({
      settings: await new DeskSettingsStore(tempHome('carddesk-publication-locked-')).open(),
      vaultUnlocked: () => true,
      audit: services.audit,
      log: silentLogger,
      sites: [new CaPublicationSite(services.ca, restarted)],
    });
    const lockedPort = await freePort(host);
    await site.update({ enabled: true, address: host, port: lockedPort }, operator);
    try {
      const answer = await ocsp(files.other, `http://${host}:${lockedPort}/ocsp`);
      expect(answer.stdout + answer.stderr).toMatch(/trylater/i);
      await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
      restarted.prepare();
      expect((await ocsp(files.other, `http://${host}:${lockedPort}/ocsp`)).stdout).toContain(`${files.other}: good`);
    } finally {
      await site.close();
    }
  });

  it('turning it off stops it at once', async () => {
    const status = await listener.update({ enabled: false, address: host, port }, operator);
    expect(status.listening).toBeNull();
    const after = await fetch(`${base}crl/ca.crl`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(after).toBe('refused');
  });
});
