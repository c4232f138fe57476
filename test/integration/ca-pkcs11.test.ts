/**
 * The CA key held non-extractable on a PKCS#11 token (SoftHSM2), used through the desk's PKCS#11
 * worker (the same one the tokens screen uses): the certificates, CRLs and OCSP answers it signs
 * are checked by OpenSSL, the key's attributes by the token itself, the vault holds no private
 * key for it, and a worker that hangs while the CA signs is restarted.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import type { Pkcs11WorkerHandle, Pkcs11WorkerSpawner } from '../../electron/core/pkcs11/worker-spawner';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import type { CaAlgorithm } from '../../electron/shared/schemas/ca';
import { repoRoot } from '../support/host-process';
import { openssl } from '../support/openssl';
import { filePkcs11Workers } from '../support/pkcs11-worker';
import { createSoftHsm, SOFTHSM2_MODULE as SOFTHSM_MODULE, type SoftHsm } from '../support/softhsm';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

const PIN = '246810';
/** The worker as shipped (npm test builds dist/ first); it loads pkcs11js from node_modules. */
const worker = join(repoRoot, 'dist', 'pkcs11-worker.cjs');

describe.each(['p384', 'rsa3072'] as CaAlgorithm[])('a CA whose keys live on a SoftHSM2 token (%s)', (algorithm) => {
  let home: string;
  let services: VaultServices;
  let hsm: SoftHsm;
  const open = () => createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger, pkcs11Worker: filePkcs11Workers(worker).spawn });

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

/**
 * Spawns real workers, but the first `sign` request after `hang()` is swallowed: the worker never
 * answers it, as a token stuck in C_Sign would not.
 */
function hangingWorkers(): { spawn: Pkcs11WorkerSpawner; spawned: Pkcs11WorkerHandle[]; exited: Pkcs11WorkerHandle[]; hang(): void } {
  const real = filePkcs11Workers(worker);
  const spawned: Pkcs11WorkerHandle[] = [];
  const exited: Pkcs11WorkerHandle[] = [];
  let hangNext = false;
  const spawn: Pkcs11WorkerSpawner = (moduleId) => {
    const inner = real.spawn(moduleId);
    const handle: Pkcs11WorkerHandle = {
      postMessage(value, transfer) {
        if (hangNext && (value as { kind?: string }).kind === 'sign') {
          hangNext = false;
          return;
        }
        inner.postMessage(value, transfer);
      },
      on: inner.on.bind(inner),
      terminate: () => inner.terminate(),
      ref: () => inner.ref(),
      unref: () => inner.unref(),
    };
    inner.on('exit', () => exited.push(handle));
    spawned.push(handle);
    return handle;
  };
  return { spawn, spawned, exited, hang: () => (hangNext = true) };
}

describe('a CA token whose worker hangs while it signs', () => {
  let home: string;
  let services: VaultServices;
  let hsm: SoftHsm;
  const workers = hangingWorkers();
  const label = 'carddesk-hang';

  beforeAll(async () => {
    hsm = await createSoftHsm({ label, userPin: PIN, soPin: `${PIN}so` });
    home = tempHome('carddesk-p11hang-');
    services = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger, pkcs11Worker: workers.spawn, pkcs11Timeouts: { sign: 2_000 } });
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init(
      { algorithm: 'p384', rootSubject: 'CN=Hang Root, O=CardDesk Test', issuingSubject: 'CN=Hang Issuing, O=CardDesk Test', rootValidityYears: 10, issuingValidityYears: 5, publicBaseUrl: null },
      operator,
      { module: SOFTHSM_MODULE, tokenLabel: label, pin: Buffer.from(PIN) },
    );
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    hsm?.remove();
  });

  it('fails the signing with a clear timeout, restarts the worker, and the next signing works on the same key', async () => {
    const dir = tempHome('carddesk-p11hangreq-');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-subj', '/CN=x', '-out', join(dir, 'r.csr'));
    const request = readFileSync(join(dir, 'r.csr'), 'utf8');
    expect(workers.spawned).toHaveLength(1);

    workers.hang();
    const started = Date.now();
    await expect(services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: 'CN=Hung' }, operator)).rejects.toMatchObject({
      code: 'PKCS11_TIMEOUT',
      message: 'The PKCS#11 module "ca-token" did not answer sign within 2000 ms.',
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    // The hung worker was ended, not left holding the token.
    await expect.poll(() => workers.exited.includes(workers.spawned[0]!), { timeout: 10_000 }).toBe(true);

    // A fresh worker logs in again (the PIN from the vault) and signs with the same key.
    const issued = await services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: 'CN=After Hang' }, operator);
    expect(workers.spawned).toHaveLength(2);
    writeFileSync(join(dir, 'leaf.pem'), services.certificates.detail(issued.serial).pem);
    writeFileSync(join(dir, 'chain.pem'), services.ca.chain().map((der) => new X509Certificate(der).toString()).join(''));
    const verified = openssl('verify', '-CAfile', join(dir, 'chain.pem'), join(dir, 'leaf.pem'));
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(await services.ca.describeTokenKey('issuing')).toEqual({ sensitive: true, extractable: false, neverExtractable: true, token: true });
  }, 60_000);
});
