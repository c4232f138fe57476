/**
 * The CA key held non-extractable on a PKCS#11 token (SoftHSM2), used through the worker thread:
 * the certificates, CRLs and OCSP answers it signs are checked by OpenSSL, the key's attributes
 * by the token itself, and the vault holds no private key for it.
 */
import { readFileSync, readdirSync, writeFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import type { CaAlgorithm } from '../../electron/shared/schemas/ca';
import { repoRoot } from '../support/host-process';
import { openssl } from '../support/openssl';
import { createSoftHsm, SOFTHSM2_MODULE as SOFTHSM_MODULE, type SoftHsm } from '../support/softhsm';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

const PIN = '246810';
/** The worker as shipped (npm test builds dist/ first); it loads pkcs11js from node_modules. */
const worker = join(repoRoot, 'dist', 'pkcs11-ca-worker.cjs');

describe.each(['p384', 'rsa3072'] as CaAlgorithm[])('a CA whose keys live on a SoftHSM2 token (%s)', (algorithm) => {
  let home: string;
  let services: VaultServices;
  let hsm: SoftHsm;
  const open = () => createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger, pkcs11WorkerPath: worker });

  beforeAll(async () => {
    hsm = await createSoftHsm({ label: `carddesk-${algorithm}`, userPin: PIN, soPin: `${PIN}so` });
    home = tempHome('carddesk-p11ca-');
    services = open();
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init(
      { algorithm, rootSubject: 'CN=Token Root, O=CardDesk Test', issuingSubject: 'CN=Token Issuing, O=CardDesk Test', rootValidityYears: 10, issuingValidityYears: 5, publicBaseUrl: null },
      operator,
      { module: SOFTHSM_MODULE, tokenLabel: `carddesk-${algorithm}`, pin: Buffer.from(PIN) },
    );
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    hsm?.remove();
  });

  it('generated sensitive, never-extractable keys on the token and keeps only references in the vault', async () => {
    for (const role of ['root', 'issuing'] as const) {
      expect(await services.ca.describeTokenKey(role)).toEqual({ sensitive: true, extractable: false, neverExtractable: true, token: true });
    }
    expect(services.ca.status({ running: false, port: null })).toMatchObject({ ready: true, keyStorage: 'pkcs11' });
    const vault = JSON.parse(readFileSync(join(home, 'vault', 'vault.json'), 'utf8')) as { ca: { issuing: { key: Record<string, unknown> } } };
    // The module is kept by its real path (links resolved): what was checked is what loads.
    expect(vault.ca.issuing.key).toMatchObject({ kind: 'pkcs11', module: realpathSync(SOFTHSM_MODULE), tokenLabel: `carddesk-${algorithm}` });
    expect(vault.ca.issuing.key).not.toHaveProperty('sealed');
    expect(readFileSync(join(home, 'vault', 'vault.json'), 'utf8')).not.toContain(PIN);
  });

  it('signs certificates and CRLs on the token that OpenSSL verifies, also after the app restarts', async () => {
    const dir = tempHome('carddesk-p11req-');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-subj', '/CN=x', '-out', join(dir, 'r.csr'));
    const request = readFileSync(join(dir, 'r.csr'), 'utf8');
    const first = await services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: 'CN=Token Leaf' }, operator);
    await services.close();
    // A new process: the token is opened again with the PIN sealed in the vault, once unlocked.
    services = open();
    await expect(services.certificates.issue({ profile: 'signature', request, holderId: null, cardSerial: null, subject: 'CN=Locked' }, operator)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await services.vault.unlock(Buffer.from(PASSPHRASE), operator);
    const second = await services.certificates.issue({ profile: 'signature', request, holderId: null, cardSerial: null, subject: 'CN=Token Leaf 2' }, operator);
    await services.certificates.revoke(second.serial, 'superseded', operator);
    const publish = services.ca.publishDir;
    for (const [serial, expected] of [
      [first.serial, 0],
      [second.serial, 2],
    ] as const) {
      writeFileSync(join(dir, `${serial}.pem`), services.certificates.detail(serial).pem);
      const result = openssl('verify', '-CAfile', join(publish, 'chain.pem'), '-crl_check_all', '-CRLfile', join(publish, 'ca.crl.pem'), '-CRLfile', join(publish, 'root.crl.pem'), join(dir, `${serial}.pem`));
      expect(result.code, result.stdout + result.stderr).toBe(expected);
    }
    expect(openssl('crl', '-in', join(publish, 'ca.crl.pem'), '-noout', '-CAfile', join(publish, 'chain.pem')).stderr).toMatch(/verify OK/);
    expect(readdirSync(publish)).toContain('root.crl');
  });
});
