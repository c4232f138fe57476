/**
 * The mobile ID end to end against the REAL desk (issue 16): a desk set up with the `carddesk`
 * command (vault, CA, holder, listener with HTTPS), `carddesk mobile issue --qr-png` writes the QR
 * code, `carddesk listener run` serves EST, and the reference client enrols from the PNG as a
 * phone would (`carddesk mobile enroll`, with a data folder of its own). OpenSSL then
 * verifies each certificate against the chain the client kept and asks the desk's OCSP responder;
 * `mobile reenroll` renews and the replaced certificate is revoked (superseded). The desk publishes
 * a non-loopback address, so the file runs itself again in a private network namespace (as
 * ca-publication.test.ts does) unless it already is in one (the sandbox).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carddesk, carddeskSession, type CliResult, type CliSession } from '../support/cli';
import { addPublishedAddress, inPrivateNetwork, runInPrivateNetwork } from '../support/published-address';
import { ocspStatusAsync } from '../support/openssl';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';
import { freePort } from '../support/free-port';

const run = promisify(execFile);
const thisFile = 'test/integration/mobile-reference-client.test.ts';
const P12_PASSPHRASE = 'the phone keystore passphrase';

/** The phone's side: `carddesk mobile enroll|reenroll`, with a data folder of its own (it needs none of the desk's). */
async function phone(args: readonly string[]): Promise<{ printed: string; failure: string | null }> {
  const result = await carddesk(['mobile', ...args], { home: tempHome(), timeoutMs: 120_000 });
  return { printed: result.stdout, failure: result.code === 0 ? null : `exit ${result.code}: ${result.stderr}` };
}

const pemBlocks = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];

if (!inPrivateNetwork()) {
  describe('mobile ID reference client against the desk (in a private network namespace)', () => {
    it('passes every test of this file run in a network namespace of its own', () => {
      const inner = runInPrivateNetwork(thisFile);
      console.log(inner.output.split('\n').filter((line) => /✓|×|FAIL|Tests |Test Files /.test(line)).join('\n'));
      expect(inner.status, inner.output).toBe(0);
      expect(inner.output).toMatch(/Tests\s+3 passed \(3\)/);
    }, 300_000);
  });
} else
  describe('mobile ID reference client against the real desk: enroll from the QR PNG, verify, OCSP, reenroll', () => {
    const home = tempHome('carddesk-mobile-e2e-');
    const work = join(home, 'phone-side');
    const out = join(work, 'wallet');
    const qrPng = join(work, 'q.png');
    const passFile = join(work, 'p12-pass');
    const holder = personalNumber(1616);
    const cd = (args: string[], input = ''): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 120_000 });
    let base = '';
    let desk: CliSession | null = null;
    let mobileId = '';

    const files = { chain: join(work, 'chain.pem'), issuing: join(work, 'issuing.pem') };
    /** The end-entity certificate of a label's p12, read by openssl, written as PEM; with its serial. */
    const leafOf = async (label: string, name: string): Promise<{ file: string; serial: string }> => {
      const file = join(work, `${name}.pem`);
      await run('openssl', ['pkcs12', '-in', join(out, `${label}.p12`), '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', file]);
      const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-serial']);
      return { file, serial: stdout.trim().replace(/^serial=/, '').toUpperCase() };
    };
    const ocsp = async (cert: string): Promise<string> => {
      const { stdout, stderr } = await ocspStatusAsync({ issuer: files.issuing, cert, url: `${base}ocsp`, chain: files.chain, nonce: true, timeoutSeconds: 10 });
      return `${stdout}${stderr}`;
    };

    beforeAll(async () => {
      const host = addPublishedAddress();
      const [port, tlsPort] = [await freePort(host), await freePort(host)];
      base = `http://${host}:${port}/`;
      mkdirSync(work, { recursive: true });
      writeFileSync(passFile, `${P12_PASSPHRASE}\n`);
      const step = async (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => {
        const result = await cd(args, input);
        expect(result.code, `carddesk ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
        return result;
      };
      await step(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
      await step(['ca', 'init', '--root-name', 'CN=Mobile E2E Root, O=CardDesk Test', '--issuing-name', 'CN=Mobile E2E Issuing, O=CardDesk Test', '--base-url', base]);
      await step(['holder', 'add', '--personal-number', holder, '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org'], '');
      await step(['listener', 'set', '--on', '--address', host, '--port', String(port), '--tls-port', String(tlsPort), '--public-host', host]);
      const issued = await step(['mobile', 'issue', '--holder', holder, '--labels', 'auth,sign', '--qr-png', qrPng, '--json']);
      mobileId = (JSON.parse(issued.stdout) as { mobileId: { id: string } }).mobileId.id;
      // The desk serves (one writer per vault: after the issue, which needed the vault too).
      desk = carddeskSession(['listener', 'run'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 280_000 });
      await desk.waitFor(/Listening for HTTPS on/, 90_000);
    }, 280_000);

    afterAll(async () => {
      if (desk !== null) {
        desk.signal('SIGINT');
        await desk.done;
      }
    });

    it('enrols from the PNG QR code the desk wrote; every certificate verifies with openssl and OCSP says good', async () => {
      const enrolled = await phone(['enroll', '--qr', qrPng, '--out', out, '--p12-passphrase-file', passFile]);
      expect(enrolled.failure ?? null).toBeNull();
      expect(readdirSync(out).sort()).toEqual(['auth.p12', 'ca-chain.pem', 'mobile-id.json', 'sign.p12']);
      const record = JSON.parse(readFileSync(join(out, 'mobile-id.json'), 'utf8')) as { mobileId: string; estUrl: string; labels: Record<string, { serial: string }> };
      expect(record.mobileId).toBe(mobileId);
      expect(record.estUrl).toMatch(/^https:\/\/10\.203\.0\.1:\d+\/\.well-known\/est$/);

      const chain = pemBlocks(readFileSync(join(out, 'ca-chain.pem'), 'utf8'));
      expect(chain).toHaveLength(2);
      writeFileSync(files.chain, chain.join(''));
      writeFileSync(files.issuing, chain[0] ?? '');
      for (const label of ['auth', 'sign']) {
        const leaf = await leafOf(label, `${label}-1`);
        expect(leaf.serial.replace(/^0+/, '')).toBe((record.labels[label]?.serial ?? '').toUpperCase().replace(/^0+/, ''));
        const verified = await run('openssl', ['verify', '-CAfile', files.chain, leaf.file]);
        expect(verified.stdout).toContain(`${leaf.file}: OK`);
        // The subject is the directory's holder, not the CSR's placeholder.
        const { stdout: subject } = await run('openssl', ['x509', '-in', leaf.file, '-noout', '-subject']);
        expect(subject).toMatch(/Hopper/);
        expect(subject).not.toContain(`CN = ${mobileId}`);
        const answer = await ocsp(leaf.file);
        expect(answer).toContain(`${leaf.file}: good`);
        expect(answer).toContain('Response verify OK');
      }
    }, 120_000);

    it('the one-time code is spent: enrolling again from the same QR code is refused in words', async () => {
      const again = await phone(['enroll', '--qr', qrPng, '--out', join(work, 'second-phone'), '--p12-passphrase-file', passFile]);
      expect(again.failure).toMatch(/^exit 1: .*HTTP 401/s);
      expect(readdirSync(work)).not.toContain('second-phone');
    }, 60_000);

    it('reenroll renews authenticated by the current certificate; the replaced one is revoked (superseded)', async () => {
      const before = await leafOf('auth', 'auth-old');
      const signBefore = readFileSync(join(out, 'sign.p12'));
      const renewed = await phone(['reenroll', '--dir', out, '--label', 'auth', '--p12-passphrase-file', passFile]);
      expect(renewed.failure ?? null).toBeNull();
      const after = await leafOf('auth', 'auth-new');
      expect(after.serial).not.toBe(before.serial);
      expect((await run('openssl', ['verify', '-CAfile', files.chain, after.file])).stdout).toContain(': OK');
      expect(await ocsp(after.file)).toContain(`${after.file}: good`);
      const old = await ocsp(before.file);
      expect(old).toContain(`${before.file}: revoked`);
      expect(old).toMatch(/Reason: superseded/);
      expect(readFileSync(join(out, 'sign.p12')).equals(signBefore)).toBe(true);
    }, 120_000);
  });
