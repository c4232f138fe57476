import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, startEstTestServer, type EstTestServer, type EstTestServerOptions, type TestCa } from '../../test/support/est-test-server';
import { CardDeskError } from '../shared/errors';
import { formatEnrollmentUri, type EnrollmentInvitation } from '../core/mobile/enrollment-uri';
import { CliContext } from './cli-context';
import { registerMobileClientCommands } from './mobile-client-command';

const run = promisify(execFile);
const CODE = 'Wq4Ls8Nd2Kf6Hp9Zr3Tb7Xc5Vm1Jg0Ya';
const MOBILE_ID = 'm-c0ffee';
const PASSPHRASE = 'phone keystore passphrase';

let work: string;
let ca: TestCa;
let other: TestCa;
let passFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mobile-client-command-'));
  [ca, other] = await Promise.all([makeTestCa(mkdtempSync(join(work, 'ca-'))), makeTestCa(mkdtempSync(join(work, 'other-')), 'Impostor')]);
  passFile = join(work, 'pass');
  writeFileSync(passFile, `${PASSPHRASE}\n`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A CliContext that keeps what the command prints. */
class RecordingCli extends CliContext {
  printed = '';
  override out(text: string): void {
    this.printed += text;
  }
}

async function carddeskMobile(args: readonly string[]): Promise<{ printed: string; failure: unknown }> {
  const cli = new RecordingCli();
  const program = new Command().exitOverride();
  registerMobileClientCommands(program.command('mobile').exitOverride(), cli);
  const failure = await program.parseAsync(['mobile', ...args], { from: 'user' }).then(
    () => null,
    (e: unknown) => e,
  );
  return { printed: cli.printed, failure };
}

function qrFile(server: EstTestServer, over: Partial<EnrollmentInvitation> = {}): string {
  const file = join(mkdtempSync(join(work, 'qr-')), 'qr.txt');
  writeFileSync(file, formatEnrollmentUri({ estUrl: server.estUrl, mobileId: MOBILE_ID, code: CODE, caSha256: ca.rootSha256, labels: ['auth', 'sign'], ...over }));
  return file;
}

async function withServer<T>(options: Partial<EstTestServerOptions>, work: (server: EstTestServer) => Promise<T>): Promise<T> {
  const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE, ...options });
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

/** The end-entity certificate of a p12, read by openssl. */
async function p12Leaf(file: string): Promise<X509Certificate> {
  const { stdout } = await run('openssl', ['pkcs12', '-in', file, '-passin', `file:${passFile}`, '-clcerts', '-nokeys']);
  return new X509Certificate(stdout);
}

const serialOf = (cert: X509Certificate): string => cert.serialNumber.toUpperCase().replace(/^0+/, '');
const stripZeros = (serial: string | undefined): string => (serial ?? '').toUpperCase().replace(/^0+/, '');

describe('carddesk mobile enroll / reenroll against a real HTTPS EST server', () => {
  it('enrols from a QR file into a private folder, then reenroll renews each label by its current certificate', async () => {
    await withServer({}, async (server) => {
      const out = join(work, 'phone');
      const enrolled = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', out, '--p12-passphrase-file', passFile]);
      expect(enrolled.failure).toBeNull();
      expect(readdirSync(out).sort()).toEqual(['auth.p12', 'ca-chain.pem', 'mobile-id.json', 'sign.p12']);
      expect(statSync(out).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(out)) expect(statSync(join(out, name)).mode & 0o777).toBe(0o600);

      const record = JSON.parse(readFileSync(join(out, 'mobile-id.json'), 'utf8')) as { estUrl: string; mobileId: string; labels: Record<string, { serial: string }> };
      expect(record.estUrl).toBe(server.estUrl);
      expect(record.mobileId).toBe(MOBILE_ID);
      expect(readFileSync(join(out, 'mobile-id.json'), 'utf8')).not.toContain(CODE);
      expect(enrolled.printed).not.toContain(CODE);
      for (const label of ['auth', 'sign']) {
        const leaf = await p12Leaf(join(out, `${label}.p12`));
        expect(stripZeros(record.labels[label]?.serial)).toBe(serialOf(leaf));
        expect(server.issued.map((i) => stripZeros(i.serial))).toContain(serialOf(leaf));
        expect(enrolled.printed).toMatch(new RegExp(`${label} .*serial`));
      }
      const { stdout: verified } = await run('openssl', ['verify', '-CAfile', join(out, 'ca-chain.pem'), join(out, 'ca-chain.pem')]);
      expect(verified).toMatch(/OK/);

      const before = serialOf(await p12Leaf(join(out, 'auth.p12')));
      const signBefore = readFileSync(join(out, 'sign.p12'));
      const renewed = await carddeskMobile(['reenroll', '--dir', out, '--label', 'auth', '--p12-passphrase-file', passFile]);
      expect(renewed.failure).toBeNull();
      const after = serialOf(await p12Leaf(join(out, 'auth.p12')));
      expect(after).not.toBe(before);
      const renewal = server.issued.find((i) => stripZeros(i.serial) === after);
      expect(stripZeros(renewal?.renewed ?? undefined)).toBe(before);
      expect(readFileSync(join(out, 'sign.p12')).equals(signBefore)).toBe(true);
      const reread = JSON.parse(readFileSync(join(out, 'mobile-id.json'), 'utf8')) as { labels: Record<string, { serial: string }> };
      expect(stripZeros(reread.labels.auth?.serial)).toBe(after);
      // The renewal was authenticated by the certificate it replaced, not by the code.
      const request = server.requests.find((r) => r.path.endsWith('/auth/simplereenroll'));
      expect(stripZeros(request?.clientCertificateSerial ?? undefined)).toBe(before);
      expect(request?.authorization).toBeUndefined();

      // A wrong passphrase renews nothing and leaves the files as they were.
      const wrongFile = join(work, 'wrong-pass');
      writeFileSync(wrongFile, 'not the passphrase\n');
      const authNow = readFileSync(join(out, 'auth.p12'));
      const wrong = await carddeskMobile(['reenroll', '--dir', out, '--p12-passphrase-file', wrongFile]);
      expect(wrong.failure).toBeInstanceOf(CardDeskError);
      expect((wrong.failure as CardDeskError).code).toBe('WRONG_PASSPHRASE');
      expect(readFileSync(join(out, 'auth.p12')).equals(authNow)).toBe(true);
      expect(server.requests.filter((r) => r.path.endsWith('simplereenroll'))).toHaveLength(1);
    });
  });

  it('a server whose CA is not the pinned one: refused in words, nothing written, the code never sent', async () => {
    await withServer({ ca: other }, async (server) => {
      const out = join(work, 'refused');
      const result = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', out, '--p12-passphrase-file', passFile]);
      expect(result.failure).toBeInstanceOf(CardDeskError);
      expect((result.failure as CardDeskError).message).toMatch(/the server's CA is not the one the QR code names/i);
      expect(existsSync(out)).toBe(false);
      expect(server.requests.some((r) => r.authorization !== undefined)).toBe(false);
    });
  });

  it('enrols from --url/--code/--id/--ca-sha256 by hand as from the QR code', async () => {
    await withServer({}, async (server) => {
      const out = join(work, 'by-hand');
      const result = await carddeskMobile(['enroll', '--url', server.estUrl, '--code', CODE, '--id', MOBILE_ID, '--ca-sha256', ca.rootSha256.toUpperCase(), '--labels', 'enc', '--key-type', 'ec-p384', '--out', out, '--p12-passphrase-file', passFile]);
      expect(result.failure).toBeNull();
      expect(readdirSync(out).sort()).toEqual(['ca-chain.pem', 'enc.p12', 'mobile-id.json']);
      const leaf = await p12Leaf(join(out, 'enc.p12'));
      expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    });
  });

  it('a later label refused: the earlier certificate is stored and named, the command still fails', async () => {
    await withServer({ intercept: (path) => (path.endsWith('/sign/simpleenroll') ? { status: 403 } : undefined) }, async (server) => {
      const out = join(work, 'partial');
      const result = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', out, '--p12-passphrase-file', passFile]);
      expect(result.failure).toBeInstanceOf(CardDeskError);
      expect((result.failure as CardDeskError).message).toMatch(/signature certificate.*HTTP 403.*The authentication certificate was issued before this and is stored in/s);
      expect(readdirSync(out).sort()).toEqual(['auth.p12', 'ca-chain.pem', 'mobile-id.json']);
      const record = JSON.parse(readFileSync(join(out, 'mobile-id.json'), 'utf8')) as { labels: Record<string, { serial: string }> };
      expect(Object.keys(record.labels)).toEqual(['auth']);
      expect(stripZeros(record.labels.auth?.serial)).toBe(serialOf(await p12Leaf(join(out, 'auth.p12'))));
    });
  });

  it('takes the passphrase from CARDDESK_P12_PASSPHRASE, refuses a short one before sending anything, and reenroll without --label renews every label', async () => {
    await withServer({}, async (server) => {
      const short = join(work, 'short-pass');
      writeFileSync(short, 'short\n');
      const refused = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', join(work, 'short'), '--p12-passphrase-file', short]);
      expect(String((refused.failure as Error).message)).toMatch(/at least 8 characters/);
      expect(server.requests).toHaveLength(0);

      const out = join(work, 'from-env');
      process.env.CARDDESK_P12_PASSPHRASE = PASSPHRASE;
      try {
        const enrolled = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', out]);
        expect(enrolled.failure).toBeNull();
        const before = await Promise.all(['auth', 'sign'].map(async (label) => serialOf(await p12Leaf(join(out, `${label}.p12`)))));
        const renewed = await carddeskMobile(['reenroll', '--dir', out]);
        expect(renewed.failure).toBeNull();
        const after = await Promise.all(['auth', 'sign'].map(async (label) => serialOf(await p12Leaf(join(out, `${label}.p12`)))));
        expect(after[0]).not.toBe(before[0]);
        expect(after[1]).not.toBe(before[1]);
        expect(server.issued.filter((i) => i.renewed !== null).map((i) => stripZeros(i.renewed ?? undefined))).toEqual(before);
      } finally {
        delete process.env.CARDDESK_P12_PASSPHRASE;
      }
    });
  });

  it('refuses a folder that already holds an enrollment before sending anything', async () => {
    await withServer({}, async (server) => {
      const out = mkdtempSync(join(work, 'taken-'));
      writeFileSync(join(out, 'auth.p12'), 'an earlier key store');
      const result = await carddeskMobile(['enroll', '--qr', qrFile(server), '--out', out, '--p12-passphrase-file', passFile]);
      expect((result.failure as CardDeskError).code).toBe('FILE_EXISTS');
      expect(server.requests).toHaveLength(0);
      expect(readFileSync(join(out, 'auth.p12'), 'utf8')).toBe('an earlier key store');
    });
  });
});
