import { execFile } from 'node:child_process';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, type TestCa } from '../../../test/support/est-test-server';
import { buildPkcs12, readPkcs12Certificates, type KeyType } from './client-store';
import { buildCsr, generateKey, placeholderSubject } from './est-client';

const run = promisify(execFile);
const PASSPHRASE = 'a long passphrase ü';

let work: string;
let ca: TestCa;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'client-store-'));
  ca = await makeTestCa(mkdtempSync(join(work, 'ca-')));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A certificate for `key`, issued by the test CA with openssl. */
async function issue(key: KeyObject, dir: string): Promise<Buffer> {
  writeFileSync(join(dir, 'req.der'), buildCsr(placeholderSubject('m-1'), key));
  await run('openssl', ['x509', '-req', '-inform', 'DER', '-in', join(dir, 'req.der'), '-CA', 'issuing.pem', '-CAkey', 'issuing.key', '-set_serial', '0x4242', '-days', '5', '-out', join(dir, 'leaf.pem')], { cwd: ca.dir });
  const { stdout } = await run('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-outform', 'DER'], { encoding: 'buffer' });
  return stdout;
}

describe('PKCS#12 written by the client', () => {
  it.each(['ec-p256', 'rsa-2048'] as const)('openssl pkcs12 reads a %s file without -legacy; its key matches its certificate', async (type: KeyType) => {
    const dir = mkdtempSync(join(work, `p12-${type}-`));
    const key = await generateKey(type);
    const certificate = await issue(key, dir);
    const p12 = await buildPkcs12({ privateKey: key, certificate, chain: [ca.issuingDer, ca.rootDer], friendlyName: 'CardDesk mobile ID m-1 auth', passphrase: Buffer.from(PASSPHRASE) });
    writeFileSync(join(dir, 'id.p12'), p12);
    writeFileSync(join(dir, 'pass'), `${PASSPHRASE}\n`);

    const certs = await run('openssl', ['pkcs12', '-in', 'id.p12', '-passin', 'file:pass', '-nokeys'], { cwd: dir });
    const pems = certs.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([certificate, ca.issuingDer, ca.rootDer].map((der) => new X509Certificate(der).fingerprint256));
    expect(certs.stdout).toContain('friendlyName: CardDesk mobile ID m-1 auth');

    const keyOut = await run('openssl', ['pkcs12', '-in', 'id.p12', '-passin', 'file:pass', '-nocerts', '-nodes', '-out', 'key.pem'], { cwd: dir });
    expect(keyOut.stderr).not.toMatch(/error/i);
    await run('openssl', ['pkcs12', '-in', 'id.p12', '-passin', 'file:pass', '-clcerts', '-nokeys', '-out', 'cert.pem'], { cwd: dir });
    const fromCert = await run('openssl', ['x509', '-in', 'cert.pem', '-noout', '-pubkey'], { cwd: dir });
    const fromKey = await run('openssl', ['pkey', '-in', 'key.pem', '-pubout'], { cwd: dir });
    expect(fromCert.stdout).toMatch(/BEGIN PUBLIC KEY/);
    expect(fromKey.stdout).toBe(fromCert.stdout);

    // What protects it: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, MAC with SHA-256.
    const info = await run('openssl', ['pkcs12', '-in', 'id.p12', '-passin', 'file:pass', '-info', '-noout'], { cwd: dir });
    const described = `${info.stdout}${info.stderr}`;
    expect(described).toMatch(/MAC: sha256/);
    expect(described).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
    expect(described).not.toMatch(/RC2|3DES|40-bit/i);

    // A wrong passphrase does not open it.
    writeFileSync(join(dir, 'wrong'), 'not the passphrase\n');
    await expect(run('openssl', ['pkcs12', '-in', 'id.p12', '-passin', 'file:wrong', '-nokeys'], { cwd: dir })).rejects.toThrow(/mac verify|invalid password/i);

    // The client's own reader (reenroll takes the current subject from it) checks the MAC first.
    expect(await readPkcs12Certificates(p12, Buffer.from(PASSPHRASE))).toEqual([certificate, ca.issuingDer, ca.rootDer]);
    await expect(readPkcs12Certificates(p12, Buffer.from('not the passphrase'))).rejects.toThrow('The PKCS#12 passphrase is wrong.');
  });
});
