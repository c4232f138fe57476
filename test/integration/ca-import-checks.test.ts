/**
 * CA import checks what it imports (issue 11, point 5), with files made by OpenSSL: an expired or
 * not-yet-valid CA, a key weaker than the policy, a chain whose next certificate is not the
 * issuer, and a key that does not match are each refused with the reason; and nothing is ever
 * issued outside its issuer's validity (clamped to it, refused once the issuer has expired).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import { openssl } from '../support/openssl';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

const DAY = 86_400_000;
const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
let dir: string;

function ok(result: { code: number | null; stderr: string }): void {
  expect(result.code, result.stderr).toBe(0);
}

/** A self-signed CA certificate and its key. */
function root(name: string, options: { key?: string[]; days?: number; subject?: string } = {}): string {
  ok(openssl('req', '-x509', ...(options.key ?? P256), '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', String(options.days ?? 3650), '-subj', options.subject ?? `/CN=${name}/O=Elsewhere`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'));
  return name;
}

/** A CA certificate issued by `issuer`. */
function intermediate(name: string, issuer: string, days = 1825): string {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  ok(openssl('req', '-new', ...P256, '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name}/O=Elsewhere`));
  ok(openssl('x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${issuer}.pem`), '-CAkey', join(dir, `${issuer}.key`), '-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', join(dir, `${name}.pem`)));
  return name;
}

/** A PKCS#12 file with `key`'s key, `cert` (unless null) and the other certificates. */
function p12(key: string, cert: string | null, others: string[] = []): Buffer {
  const out = join(dir, `${key}-${cert ?? 'none'}-${others.join('-')}.p12`);
  const chain = `${out}.chain.pem`;
  writeFileSync(chain, others.map((o) => readFileSync(join(dir, `${o}.pem`), 'utf8')).join(''));
  const certArgs = cert === null ? ['-nocerts'] : ['-in', join(dir, `${cert}.pem`)];
  ok(openssl('pkcs12', '-export', '-inkey', join(dir, `${key}.key`), ...certArgs, ...(others.length > 0 ? ['-certfile', chain] : []), '-out', out, '-passout', 'pass:p12 secret'));
  return readFileSync(out);
}

async function withServices<T>(clock: () => Date, use: (services: VaultServices) => Promise<T>): Promise<T> {
  const services = createVaultServices({ dataDir: tempHome('carddesk-import-'), audit: new MemoryAuditTrail(), log: silentLogger, clock });
  try {
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    return await use(services);
  } finally {
    await services.close();
  }
}

async function refused(file: Buffer, reason: RegExp, clock: () => Date = () => new Date()): Promise<void> {
  await withServices(clock, async (services) => {
    const attempt = services.ca.import(file, 'p12 secret', { publicBaseUrl: null }, operator);
    await expect(attempt).rejects.toMatchObject({ code: 'CA_IMPORT_REFUSED', message: expect.stringMatching(reason) as string });
    expect(services.ca.ready).toBe(false);
  });
}

beforeAll(() => {
  dir = tempHome('carddesk-import-inputs-');
  root('Root One');
  intermediate('Issuing One', 'Root One');
  root('Root Two');
  // Same name as Root One, another key: names the issuer but did not sign.
  root('Impostor', { subject: '/CN=Root One/O=Elsewhere' });
  root('Weak RSA', { key: ['-newkey', 'rsa:1024'] });
  root('Koblitz', { key: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'] });
  root('Short Lived', { days: 2 });
}, 60_000);

describe('CA import checks what it imports', () => {
  it('imports a sound issuing CA with its chain', async () => {
    await withServices(
      () => new Date(),
      async (services) => {
        await services.ca.import(p12('Issuing One', 'Issuing One', ['Root One']), 'p12 secret', { publicBaseUrl: null }, operator);
        expect(services.ca.status({ running: false, port: null })).toMatchObject({ ready: true, source: 'imported' });
        expect(services.ca.chain().length).toBe(2);
      },
    );
  });

  it('refuses an expired CA and one not valid yet', async () => {
    const file = p12('Short Lived', 'Short Lived');
    await refused(file, /"O=Elsewhere, CN=Short Lived" expired on/, () => new Date(Date.now() + 3 * DAY));
    await refused(file, /is not valid before/, () => new Date(Date.now() - 2 * DAY));
  });

  it('refuses keys weaker than the policy: RSA under 2048 bits, curves other than P-256/P-384/P-521', async () => {
    await refused(p12('Weak RSA', 'Weak RSA'), /RSA with 1024 bits; the policy asks for at least 2048/);
    await refused(p12('Koblitz', 'Koblitz'), /curve secp256k1; the policy allows P-256, P-384 and P-521/);
  });

  it('refuses a chain whose next certificate is not the issuer', async () => {
    await refused(p12('Issuing One', 'Issuing One', ['Root Two']), /next certificate in the chain \("O=Elsewhere, CN=Root Two"\) is not the issuer/);
    await refused(p12('Issuing One', 'Issuing One', ['Impostor']), /did not sign "O=Elsewhere, CN=Issuing One"/);
    await refused(p12('Issuing One', 'Issuing One', ['Root One', 'Root Two']), /"O=Elsewhere, CN=Root Two" is in the file but is not part of the chain/);
  });

  it('refuses a key that does not match the certificate', async () => {
    await refused(p12('Root Two', null, ['Root One']), /the private key does not belong to the certificate in the file .*the key does not match/);
  });

  it('never issues outside the issuer’s validity: clamped to its notAfter, refused once it has expired', async () => {
    let now = new Date();
    await withServices(
      () => now,
      async (services) => {
        await services.ca.import(p12('Short Lived', 'Short Lived'), 'p12 secret', { publicBaseUrl: null }, operator);
        ok(openssl('req', '-new', ...P256, '-nodes', '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr'), '-subj', '/CN=Leaf'));
        const request = readFileSync(join(dir, 'leaf.csr'), 'utf8');
        const leaf = await services.certificates.issue({ profile: 'signature', request, holderId: null, cardSerial: null, subject: 'CN=Leaf', validityDays: 365 }, operator);
        writeFileSync(join(dir, 'leaf.pem'), services.certificates.detail(leaf.serial).pem);
        const enddate = (file: string) => openssl('x509', '-in', file, '-noout', '-enddate').stdout.trim();
        expect(enddate(join(dir, 'leaf.pem'))).toBe(enddate(join(dir, 'Short Lived.pem')));
        ok(openssl('verify', '-CAfile', join(dir, 'Short Lived.pem'), join(dir, 'leaf.pem')));

        now = new Date(Date.now() + 3 * DAY);
        await expect(services.certificates.issue({ profile: 'signature', request, holderId: null, cardSerial: null, subject: 'CN=Late Leaf' }, operator)).rejects.toMatchObject({
          code: 'INVALID_STATE',
          message: expect.stringMatching(/expired on .*nothing can be issued under it/) as string,
        });
      },
    );
  });
});
