/**
 * A mobile ID enrolled over EST by an independent client (issue 16): the desk is set up through
 * `carddesk` (vault, CA, holder, listener with a TLS port), `carddesk mobile issue` prints the
 * enrollment URI, and then only openssl and curl talk to `carddesk listener run`: cacerts (the root
 * pinned by the URI's fingerprint), simpleenroll with HTTP Basic, `openssl verify` and `openssl ocsp`
 * on what came back, the spent code, TLS 1.1 refused, simplereenroll with the TLS client
 * certificate (the old one revoked as superseded), a fuzz loop and the rate limit, and a lock that
 * OCSP reports as certificateHold. Run it in /work/tools/sandbox (it listens on 127.0.0.1).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrollmentUri } from '../../electron/core/mobile/enrollment-uri';
import { carddesk, carddeskSession, type CliResult, type CliSession } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { ocspStatus, openssl, tool, toolAsync, type ToolResult } from '../support/openssl';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';
import { freePort } from '../support/free-port';

const HOST = '127.0.0.1';
const home = tempHome('carddesk-mobile-est-');
const work = mkdtempSync(join(tmpdir(), 'carddesk-mobile-est-files-'));
const file = (name: string): string => join(work, name);
const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 120_000 });

let httpPort = 0;
let tlsPort = 0;
let est = '';
let listener: CliSession | null = null;
let mobileId = '';
let code = '';
let caSha256 = '';

async function startListener(): Promise<void> {
  listener = carddeskSession(['listener', 'run'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 600_000 });
  await listener.waitFor(/Listening for HTTPS on/, 90_000);
}

async function stopListener(): Promise<void> {
  if (listener === null) return;
  listener.signal('SIGTERM');
  await listener.done;
  listener = null;
}

/** curl with the status code on the last line (-w), body to `out` when given. */
function curl(args: string[], out?: string): ToolResult & { status: number } {
  const result = tool('curl', ['-sS', '--max-time', '20', ...(out === undefined ? ['-o', '/dev/null'] : ['-o', out]), '-w', '%{http_code}', ...args]);
  return { ...result, status: Number(result.stdout.trim().split('\n').pop() ?? '0') };
}

/** base64 body (certs-only SignedData) → the certificates in PEM, through openssl only. */
function certificatesOf(base64File: string, name: string): string[] {
  const der = file(`${name}.p7b`);
  const decoded = openssl('base64', '-d', '-in', base64File, '-out', der);
  expect(decoded.code, decoded.stderr).toBe(0);
  const printed = openssl('pkcs7', '-inform', 'DER', '-in', der, '-print_certs');
  expect(printed.code, printed.stderr).toBe(0);
  return [...printed.stdout.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)].map((m) => m[0]);
}

/** An EC P-256 key and a CSR whose subject tries to be somebody else; returns the base64 (with line breaks) file. */
function request(name: string, curve = 'P-256'): { key: string; csr: string } {
  const key = file(`${name}.key`);
  const pem = file(`${name}.csr.pem`);
  const made = openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-nodes', '-keyout', key, '-subj', '/CN=Mallory/O=Evil', '-out', pem);
  expect(made.code, made.stderr).toBe(0);
  const der = file(`${name}.csr.der`);
  expect(openssl('req', '-in', pem, '-outform', 'DER', '-out', der).code).toBe(0);
  const b64 = file(`${name}.csr.b64`);
  expect(openssl('base64', '-in', der, '-out', b64).code).toBe(0);
  return { key, csr: b64 };
}

const pkcs10 = ['-H', 'Content-Type: application/pkcs10'];

function enroll(label: string, csr: string, out: string, credentials = `${mobileId}:${code}`): ReturnType<typeof curl> {
  return curl(['--cacert', file('root.pem'), '-u', credentials, '--data-binary', `@${csr}`, ...pkcs10, `${est}/${label}/simpleenroll`], out);
}

function ocsp(cert: string): ToolResult {
  return ocspStatus({ issuer: file('issuing.pem'), cert, url: `http://${HOST}:${httpPort}/ocsp`, chain: file('chain.pem') });
}

function saveLeaf(body: string, name: string): string {
  const certs = certificatesOf(body, name);
  expect(certs).toHaveLength(1);
  const pem = file(`${name}.pem`);
  writeFileSync(pem, certs[0]!);
  return pem;
}

beforeAll(async () => {
  httpPort = await freePort(HOST);
  tlsPort = await freePort(HOST);
  est = `https://${HOST}:${tlsPort}/.well-known/est`;
  const steps: [string[], string][] = [
    [['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`],
    [['listener', 'set', '--on', '--address', HOST, '--port', String(httpPort), '--tls-port', String(tlsPort), '--public-host', HOST], `${PASSPHRASE}\n`],
    [['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Mobile Root, O=CardDesk Test', '--issuing-name', 'CN=Mobile Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`],
    [['holder', 'add', '--personal-number', personalNumber(1601), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org'], ''],
  ];
  for (const [args, input] of steps) {
    const done = await cd(args, input);
    expect(done.code, `${args.join(' ')}\n${done.stdout}\n${done.stderr}`).toBe(0);
  }
  const issued = await cd(['mobile', 'issue', '--holder', personalNumber(1601), '--labels', 'auth,sign', '--qr-png', file('qr.png'), '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  const json = JSON.parse(issued.stdout) as { enrollmentUri: string; mobileId: { id: string; state: string } };
  expect(json.mobileId.state).toBe('pending');
  const invitation = parseEnrollmentUri(json.enrollmentUri);
  expect(invitation.estUrl).toBe(est);
  expect(invitation.mobileId).toBe(json.mobileId.id);
  mobileId = invitation.mobileId;
  code = invitation.code;
  caSha256 = invitation.caSha256;
  // The PNG is a PNG.
  expect(readFileSync(file('qr.png')).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  await startListener();
}, 300_000);

afterAll(async () => {
  await stopListener();
});

describe('EST for mobile IDs, spoken to by curl and openssl', () => {
  it('cacerts gives the issuing and root CA certificates; the root is the one the enrollment URI pins', () => {
    // Before the root is known the client cannot check the server: it checks the fingerprint instead.
    const got = curl(['-k', '-D', file('cacerts.headers'), `${est}/cacerts`], file('cacerts.b64'));
    expect(got.status, got.stderr).toBe(200);
    expect(readFileSync(file('cacerts.headers'), 'utf8')).toMatch(/content-type: application\/pkcs7-mime; smime-type=certs-only/i);
    const certs = certificatesOf(file('cacerts.b64'), 'cacerts');
    expect(certs).toHaveLength(2);
    const subjects = certs.map((pem) => {
      writeFileSync(file('one.pem'), pem);
      return openssl('x509', '-in', file('one.pem'), '-noout', '-subject').stdout;
    });
    const root = certs[subjects.findIndex((s) => s.includes('Mobile Root'))]!;
    const issuing = certs[subjects.findIndex((s) => s.includes('Mobile Issuing'))]!;
    writeFileSync(file('root.pem'), root);
    writeFileSync(file('issuing.pem'), issuing);
    writeFileSync(file('chain.pem'), issuing + root);
    const fingerprint = openssl('x509', '-in', file('root.pem'), '-noout', '-fingerprint', '-sha256').stdout;
    expect(fingerprint.split('=')[1]!.trim().replace(/:/g, '').toLowerCase()).toBe(caSha256);
    // With the root, the server's certificate verifies for the public host (curl without -k).
    const labelled = curl(['--cacert', file('root.pem'), `${est}/sign/cacerts`]);
    expect(labelled.status, labelled.stderr).toBe(200);
  });

  it('simpleenroll gives a certificate that openssl verifies, with the holder’s subject, and OCSP says good', () => {
    const { csr } = request('auth1');
    const got = enroll('auth', csr, file('auth1.b64'));
    expect(got.status, got.stderr + readFileSync(file('auth1.b64'), 'utf8')).toBe(200);
    const leaf = saveLeaf(file('auth1.b64'), 'auth1');
    const verified = openssl('verify', '-CAfile', file('root.pem'), '-untrusted', file('issuing.pem'), leaf);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(': OK');
    const subject = openssl('x509', '-in', leaf, '-noout', '-subject', '-ext', 'extendedKeyUsage').stdout;
    expect(subject).toContain('Ada Lovelace');
    expect(subject).not.toContain('Mallory');
    expect(subject).toContain('TLS Web Client Authentication');
    const status = ocsp(leaf);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${leaf}: good`);
  });

  it('refuses the spent code, a missing one, and labels or paths it does not know; never echoes the code', () => {
    const { csr } = request('again');
    const again = enroll('auth', csr, file('again.txt'));
    expect(again.status).toBe(401);
    expect(readFileSync(file('again.txt'), 'utf8')).not.toContain(code);
    const headers = curl(['--cacert', file('root.pem'), '-D', file('noauth.headers'), '--data-binary', `@${csr}`, ...pkcs10, `${est}/auth/simpleenroll`]);
    expect(headers.status).toBe(401);
    expect(readFileSync(file('noauth.headers'), 'utf8')).toMatch(/www-authenticate: Basic realm="carddesk-est"/i);
    expect(enroll('sign', csr, file('wrong.txt'), `${mobileId}:${'A'.repeat(32)}`).status).toBe(401);
    expect(enroll('enc', csr, file('enc.txt')).status).toBe(404);
    expect(curl(['--cacert', file('root.pem'), `${est}/nonsense/cacerts`]).status).toBe(404);
    // EST is not on plain HTTP.
    expect(curl([`http://${HOST}:${httpPort}/.well-known/est/cacerts`]).status).toBe(404);
    const malformed = enroll('sign', file('root.pem'), file('malformed.txt'));
    expect(malformed.status).toBe(400);
  });

  it('refuses TLS 1.1 and speaks TLS 1.2', () => {
    // The client's own security level would refuse TLS 1.1 already: lowered, the refusal is the server's.
    const old = tool('curl', ['-sS', '--max-time', '10', '--cacert', file('root.pem'), '--ciphers', 'DEFAULT@SECLEVEL=0', '--tlsv1.1', '--tls-max', '1.1', '-o', '/dev/null', `${est}/cacerts`]);
    expect(old.code).not.toBe(0);
    const v12 = curl(['--cacert', file('root.pem'), '--tlsv1.2', '--tls-max', '1.2', `${est}/cacerts`]);
    expect(v12.status, v12.stderr).toBe(200);
  });

  it('enrols the second label with the same code, then simplereenroll with the TLS client certificate supersedes the first', () => {
    const { csr } = request('sign1', 'P-384');
    const signed = enroll('sign', csr, file('sign1.b64'));
    expect(signed.status, readFileSync(file('sign1.b64'), 'utf8')).toBe(200);
    const signLeaf = saveLeaf(file('sign1.b64'), 'sign1');
    expect(openssl('x509', '-in', signLeaf, '-noout', '-ext', 'keyUsage').stdout).toMatch(/Non Repudiation/);

    const next = request('auth2');
    // Without a client certificate: 401.
    expect(curl(['--cacert', file('root.pem'), '--data-binary', `@${next.csr}`, ...pkcs10, `${est}/auth/simplereenroll`]).status).toBe(401);
    // A self-made certificate copying the real one's subject, serial and issuer name: 401.
    const serial = openssl('x509', '-in', file('auth1.pem'), '-noout', '-serial').stdout.trim().split('=')[1]!;
    const issuerName = openssl('x509', '-in', file('auth1.pem'), '-noout', '-issuer', '-nameopt', 'compat').stdout.trim().replace(/^issuer=/, '');
    const forged = openssl('req', '-x509', '-key', file('auth1.key'), '-subj', issuerName, '-set_serial', `0x${serial}`, '-days', '30', '-out', file('forged.pem'));
    expect(forged.code, forged.stderr).toBe(0);
    expect(curl(['--cacert', file('root.pem'), '--cert', file('forged.pem'), '--key', file('auth1.key'), '--data-binary', `@${next.csr}`, ...pkcs10, `${est}/auth/simplereenroll`]).status).toBe(401);
    // With the sign certificate on the auth path: 401 too.
    expect(curl(['--cacert', file('root.pem'), '--cert', signLeaf, '--key', file('sign1.key'), '--data-binary', `@${next.csr}`, ...pkcs10, `${est}/auth/simplereenroll`]).status).toBe(401);
    const got = curl(['--cacert', file('root.pem'), '--cert', file('auth1.pem'), '--key', file('auth1.key'), '--data-binary', `@${next.csr}`, ...pkcs10, `${est}/auth/simplereenroll`], file('auth2.b64'));
    expect(got.status, readFileSync(file('auth2.b64'), 'utf8')).toBe(200);
    const leaf = saveLeaf(file('auth2.b64'), 'auth2');
    expect(openssl('verify', '-CAfile', file('root.pem'), '-untrusted', file('issuing.pem'), leaf).code).toBe(0);
    expect(ocsp(leaf).stdout).toContain(`${leaf}: good`);
    const old = ocsp(file('auth1.pem'));
    expect(old.stdout).toContain(`${file('auth1.pem')}: revoked`);
    expect(old.stdout).toContain('Reason: superseded');
  });

  it('survives random, truncated, oversized and garbage requests, rate-limits one address, and still answers cacerts', async () => {
    const valid = readFileSync(file('auth1.csr.b64'));
    const bodies: Buffer[] = [
      randomBytes(300),
      Buffer.from(randomBytes(300).toString('base64')),
      valid.subarray(0, valid.length >> 1),
      Buffer.from('!!!not base64!!!'),
      Buffer.from(`${valid.toString()}====`),
      Buffer.alloc(0),
    ];
    for (const [i, body] of bodies.entries()) {
      writeFileSync(file(`fuzz${i}`), body);
      const got = enroll('auth', file(`fuzz${i}`), file(`fuzz${i}.out`), `${mobileId}:${code}`);
      expect([400, 401, 429], `body ${i}`).toContain(got.status);
    }
    writeFileSync(file('big'), Buffer.alloc(70 * 1024, 0x41));
    expect([413, 429]).toContain(enroll('sign', file('big'), file('big.out')).status);
    // Garbage on the TLS connection and in the HTTP headers.
    for (const garbage of ['GARBAGE\r\n\r\n', `POST ${'/x'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'POST /.well-known/est/auth/simpleenroll HTTP/1.1\r\nContent-Length: -5\r\nAuthorization: Basic ###\r\n\r\n', `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(2000)}\r\n`]) {
      await new Promise<void>((resolve) => {
        const socket = connect({ host: HOST, port: tlsPort, rejectUnauthorized: false }, () => socket.end(garbage));
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
      });
    }
    const raw = tool('openssl', ['s_client', '-connect', `${HOST}:${tlsPort}`, '-brief'], randomBytes(2000).toString('latin1'));
    expect(raw.code === null).toBe(false);
    // One address posting without end is told to wait.
    let limited: ReturnType<typeof curl> | null = null;
    for (let i = 0; i < 40 && limited === null; i++) {
      const got = curl(['--cacert', file('root.pem'), '-D', file('limit.headers'), '-u', `${mobileId}:x`, '--data-binary', `@${file('fuzz1')}`, ...pkcs10, `${est}/auth/simpleenroll`]);
      if (got.status === 429) limited = got;
    }
    expect(limited).not.toBeNull();
    expect(readFileSync(file('limit.headers'), 'utf8')).toMatch(/retry-after: \d+/i);
    const after = curl(['--cacert', file('root.pem'), `${est}/cacerts`]);
    expect(after.status).toBe(200);
  });

  it('a lock puts the certificates on hold: OCSP says revoked, certificateHold', async () => {
    await stopListener();
    const shown = await cd(['mobile', 'show', mobileId, '--json'], '');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'active', enrolled: ['auth', 'sign'], codePending: false });
    const locked = await cd(['mobile', 'lock', mobileId, '--json']);
    expect(locked.code, locked.stderr).toBe(0);
    expect(JSON.parse(locked.stdout)).toMatchObject({ state: 'locked' });
    await startListener();
    for (const leaf of [file('auth2.pem'), file('sign1.pem')]) {
      const status = ocsp(leaf);
      expect(status.stdout).toContain(`${leaf}: revoked`);
      expect(status.stdout).toContain('Reason: certificateHold');
    }
    // The spent code is still refused after a restart.
    expect(enroll('auth', file('again.csr.b64'), file('restart.txt')).status).toBe(401);
  }, 180_000);

  it('unlock releases the hold, revoke ends it; cancel leaves nothing behind; every change is in the audit log without the code', async () => {
    await stopListener();
    const unlocked = await cd(['mobile', 'unlock', mobileId, '--json']);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ state: 'active' });
    await startListener();
    expect(ocsp(file('auth2.pem')).stdout).toContain(`${file('auth2.pem')}: good`);
    await stopListener();
    const revoked = await cd(['mobile', 'revoke', mobileId, '--reason', 'keyCompromise', '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ state: 'revoked' });
    // A second mobile ID, enrolled for one label, then withdrawn: its certificate is revoked and the record goes.
    const issued = await cd(['mobile', 'issue', '--holder', personalNumber(1601), '--labels', 'auth,sign,enc', '--days', '30', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    const second = parseEnrollmentUri((JSON.parse(issued.stdout) as { enrollmentUri: string }).enrollmentUri);
    expect(second.code).not.toBe(code);
    await startListener();
    expect(ocsp(file('auth2.pem')).stdout).toContain('Reason: keyCompromise');
    const { csr } = request('second');
    expect(enroll('auth', csr, file('second.b64'), `${second.mobileId}:${second.code}`).status).toBe(200);
    const secondLeaf = saveLeaf(file('second.b64'), 'second');
    // Two phones post the same label with the same code at once: exactly one gets a certificate.
    const racers = [request('race1', 'P-384'), request('race2')];
    const raced = await Promise.all(
      racers.map((r, i) =>
        toolAsync('curl', ['-sS', '--max-time', '20', '-o', file(`race${i}.out`), '-w', '%{http_code}', '--cacert', file('root.pem'), '-u', `${second.mobileId}:${second.code}`, '--data-binary', `@${r.csr}`, ...pkcs10, `${est}/enc/simpleenroll`]),
      ),
    );
    expect(raced.map((r) => Number(r.stdout)).sort()).toEqual([200, 401]);
    const raceWinner = saveLeaf(file(`race${raced.findIndex((r) => r.stdout === '200')}.out`), 'race');
    expect(openssl('x509', '-in', raceWinner, '-noout', '-ext', 'keyUsage').stdout).toMatch(/Key Agreement|Key Encipherment/);
    await stopListener();
    const listed = await cd(['mobile', 'list', '--holder', personalNumber(1601), '--json'], '');
    expect((JSON.parse(listed.stdout) as { id: string; state: string }[]).map((m) => [m.id, m.state])).toEqual([
      [second.mobileId, 'pending'],
      [mobileId, 'revoked'],
    ]);
    const cancelled = await cd(['mobile', 'cancel', second.mobileId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect((await cd(['mobile', 'show', second.mobileId], '')).code).not.toBe(0);
    await startListener();
    expect(ocsp(secondLeaf).stdout).toContain(`${secondLeaf}: revoked`);
    expect(ocsp(raceWinner).stdout).toContain(`${raceWinner}: revoked`);
    // The cancelled mobile ID's code does nothing any more.
    expect(enroll('enc', csr, file('cancelled.txt'), `${second.mobileId}:${second.code}`).status).toBe(401);
    await stopListener();
    expect(await unrecordedCommands('mobile-est', (args) => cd(args, ''))).toEqual([]);
    const exported = await cd(['audit', 'export', '--csv'], '');
    expect(exported.stdout).toContain('mobile.enroll');
    expect(exported.stdout).toContain('mobile.reenroll');
    expect(exported.stdout).not.toContain(code);
    expect(exported.stdout).not.toContain(second.code);
  }, 240_000);
});
