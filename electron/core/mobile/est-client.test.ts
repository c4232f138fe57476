import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa, startEstTestServer, type TestCa } from '../../../test/support/est-test-server';
import { CardDeskError } from '../../shared/errors';
import { buildPkcs12 } from './client-store';
import { buildCsr, EstClient, enrollInvitation, generateKey, PartialEnrollmentError, pinnedChain, placeholderSubject } from './est-client';
import type { EnrollmentInvitation } from './enrollment-uri';

const run = promisify(execFile);
const CODE = 'Qk3x9Zt7LmP2vR8sYw4nHc6JdFgA1bE5';
const MOBILE_ID = 'm-7f3a2c';

let work: string;
let ca: TestCa;
let other: TestCa;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'est-client-'));
  const caDir = mkdtempSync(join(work, 'ca-'));
  const otherDir = mkdtempSync(join(work, 'other-'));
  [ca, other] = await Promise.all([makeTestCa(caDir), makeTestCa(otherDir, 'Impostor')]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const invitation = (estUrl: string, over: Partial<EnrollmentInvitation> = {}): EnrollmentInvitation => ({
  estUrl,
  mobileId: MOBILE_ID,
  code: CODE,
  caSha256: ca.rootSha256,
  labels: ['auth', 'sign'],
  ...over,
});

async function failureOf(promise: Promise<unknown>): Promise<CardDeskError> {
  const outcome = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(outcome).toBeInstanceOf(CardDeskError);
  return outcome as CardDeskError;
}

async function opensslVerify(certificate: Buffer): Promise<string> {
  const dir = mkdtempSync(join(work, 'verify-'));
  writeFileSync(join(dir, 'root.pem'), ca.rootPem);
  writeFileSync(join(dir, 'issuing.pem'), ca.issuingPem);
  writeFileSync(join(dir, 'leaf.pem'), new X509Certificate(certificate).toString());
  const { stdout } = await run('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'leaf.pem'], { cwd: dir });
  return stdout;
}

describe('EST client against a real HTTPS EST server (openssl CA)', () => {
  it('enrols every label: pinned bootstrap, Basic auth, a PKCS#10 the server verifies, a certificate openssl verifies', async () => {
    const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE });
    try {
      const result = await enrollInvitation(invitation(server.estUrl), 'ec-p256');
      expect(result.enrolled.map((e) => e.label)).toEqual(['auth', 'sign']);
      expect(result.chain.map((der) => new X509Certificate(der).subject)).toEqual([new X509Certificate(ca.issuingDer).subject, new X509Certificate(ca.rootDer).subject]);
      for (const { certificate } of result.enrolled) {
        expect(await opensslVerify(certificate.der)).toMatch(/leaf\.pem: OK/);
        // The subject is the directory's, not the CSR's placeholder.
        expect(certificate.subject).toContain('Directory Holder');
        expect(server.issued.map((i) => i.serial)).toContain(certificate.serial);
      }
      const enrolls = server.requests.filter((r) => r.path.endsWith('/simpleenroll'));
      expect(enrolls.map((r) => r.path)).toEqual(['/.well-known/est/auth/simpleenroll', '/.well-known/est/sign/simpleenroll']);
      for (const r of enrolls) {
        expect(r.contentType).toBe('application/pkcs10');
        expect(Buffer.from((r.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()).toBe(`${MOBILE_ID}:${CODE}`);
      }
      // cacerts twice: once unverified (bootstrap), once over TLS verified against the pinned chain.
      expect(server.requests.filter((r) => r.path.endsWith('/cacerts'))).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('refuses a server whose CA certificates do not include the pinned root, before sending the code', async () => {
    const server = await startEstTestServer({ ca: other, mobileId: MOBILE_ID, code: CODE });
    try {
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl), 'ec-p256'));
      expect(failure.code).toBe('CA_IMPORT_REFUSED');
      expect(failure.message).toMatch(/the server's CA is not the one the QR code names/i);
      expect(server.requests.map((r) => r.path)).toEqual(['/.well-known/est/cacerts']);
      expect(server.requests.some((r) => r.authorization !== undefined)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('refuses a server that serves the pinned root in cacerts but whose TLS certificate comes from another CA', async () => {
    // An interceptor that copied the desk's cacerts answer: only the verified refetch can tell.
    const server = await startEstTestServer({ ca, tlsCa: other, mobileId: MOBILE_ID, code: CODE });
    try {
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl), 'ec-p256'));
      expect(failure.code).toBe('CA_IMPORT_REFUSED');
      expect(failure.message).toMatch(/not the one the QR code names/);
      expect(server.requests.some((r) => r.path.endsWith('simpleenroll'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('keeps only the pinned root and what chains to it from a cacerts answer', () => {
    const chain = pinnedChain([other.rootDer, ca.rootDer, other.issuingDer, ca.issuingDer], ca.rootSha256);
    expect(chain).toEqual([ca.issuingDer, ca.rootDer]);
    expect(() => pinnedChain([other.rootDer, other.issuingDer], ca.rootSha256)).toThrow(/not the one the QR code names/);
  });

  it('a wrong or spent code is a 401 turned into a sentence that never shows the code', async () => {
    const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE });
    try {
      const wrong = 'Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9';
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl, { code: wrong, labels: ['auth'] }), 'ec-p256'));
      expect(failure.code).toBe('FORBIDDEN_SENDER');
      expect(failure.message).toMatch(/HTTP 401.*one-time code is wrong, has expired or was already used/);
      expect(failure.message).not.toContain(wrong);
      // The right code works once per label, then is spent.
      await enrollInvitation(invitation(server.estUrl, { labels: ['auth'] }), 'ec-p256');
      const again = await failureOf(enrollInvitation(invitation(server.estUrl, { labels: ['auth'] }), 'ec-p256'));
      expect(again.message).toMatch(/HTTP 401/);
      expect(again.message).not.toContain(CODE);
    } finally {
      await server.close();
    }
  });

  it('429 with Retry-After and 413 become clear messages', async () => {
    let status = 429;
    const server = await startEstTestServer({
      ca,
      mobileId: MOBILE_ID,
      code: CODE,
      intercept: (path) => {
        if (!path.endsWith('/simpleenroll')) return undefined;
        const headers: Record<string, string> = status === 429 ? { 'Retry-After': '37' } : {};
        return { status, headers, body: status === 413 ? `too big, code ${CODE}` : '' };
      },
    });
    try {
      const limited = await failureOf(enrollInvitation(invitation(server.estUrl, { labels: ['auth'] }), 'ec-p256'));
      expect(limited.code).toBe('TOO_MANY_ATTEMPTS');
      expect(limited.message).toMatch(/Enrolling the authentication certificate: too many attempts.*HTTP 429.*try again in 37 seconds/);
      status = 413;
      const large = await failureOf(enrollInvitation(invitation(server.estUrl, { labels: ['auth'] }), 'ec-p256'));
      expect(large.code).toBe('MALFORMED_INPUT');
      expect(large.message).toMatch(/larger than the desk accepts \(HTTP 413\)/);
      // A server echoing the code does not make the client print it.
      expect(large.message).not.toContain(CODE);
      expect(large.message).toContain('[code]');
    } finally {
      await server.close();
    }
  });

  it('a later label refused after an earlier one was issued: the failure carries what was issued', async () => {
    const server = await startEstTestServer({
      ca,
      mobileId: MOBILE_ID,
      code: CODE,
      intercept: (path) => (path.endsWith('/sign/simpleenroll') ? { status: 403, body: 'key type not allowed for sign' } : undefined),
    });
    try {
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl), 'ec-p256'));
      expect(failure).toBeInstanceOf(PartialEnrollmentError);
      expect(failure.code).toBe('INVALID_STATE');
      expect(failure.message).toMatch(/Enrolling the signature certificate: the desk refused the request \(HTTP 403\)/);
      const { enrollment } = failure as PartialEnrollmentError;
      expect(enrollment.enrolled.map((e) => e.label)).toEqual(['auth']);
      expect(enrollment.enrolled[0]?.certificate.serial).toBe(server.issued[0]?.serial);
      expect(server.issued).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('the first label refused: a plain failure, nothing issued', async () => {
    const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE, intercept: (path) => (path.endsWith('/auth/simpleenroll') ? { status: 403 } : undefined) });
    try {
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl), 'ec-p256'));
      expect(failure).not.toBeInstanceOf(PartialEnrollmentError);
      expect(failure.message).toMatch(/authentication certificate.*HTTP 403/);
      expect(server.requests.filter((r) => r.path.endsWith('/sign/simpleenroll'))).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('refuses a server that speaks only TLS 1.1', async () => {
    const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE, tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } });
    try {
      const { port } = new URL(server.estUrl);
      // The server is up and does speak TLS 1.1 to a client that allows it.
      const version = await new Promise<string | null>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false }, () => {
          resolve(socket.getProtocol());
          socket.destroy();
        });
        socket.on('error', reject);
      });
      expect(version).toBe('TLSv1.1');
      const failure = await failureOf(enrollInvitation(invitation(server.estUrl), 'ec-p256'));
      expect(failure.message).toMatch(/offers no TLS 1.2 or newer/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('simplereenroll authenticates with the current certificate in the TLS handshake; a wrong PKCS#12 passphrase is refused before connecting', async () => {
    const server = await startEstTestServer({ ca, mobileId: MOBILE_ID, code: CODE });
    try {
      const first = await enrollInvitation(invitation(server.estUrl, { labels: ['auth'] }), 'ec-p256');
      const [current] = first.enrolled;
      if (current === undefined) throw new Error('nothing enrolled');
      const passphrase = Buffer.from('correct horse battery');
      const pfx = await buildPkcs12({ privateKey: current.privateKey, certificate: current.certificate.der, chain: first.chain, friendlyName: 'auth', passphrase, iterations: 2048 });
      const client = new EstClient(server.estUrl);
      const newKey = await generateKey('ec-p256');
      const renewed = await client.simpleReenroll('auth', buildCsr(placeholderSubject(MOBILE_ID), newKey), { pfx, passphrase }, first.chain);
      expect(await opensslVerify(renewed)).toMatch(/OK/);
      const reenroll = server.requests.find((r) => r.path.endsWith('/simplereenroll'));
      expect(reenroll?.clientCertificateSerial).toBe(current.certificate.serial);
      expect(reenroll?.authorization).toBeUndefined();

      const wrong = await failureOf(client.simpleReenroll('auth', buildCsr(placeholderSubject(MOBILE_ID), newKey), { pfx, passphrase: Buffer.from('not the passphrase') }, first.chain));
      expect(wrong.code).toBe('WRONG_PASSPHRASE');

    } finally {
      await server.close();
    }
  });
});

describe('PKCS#10 requests', () => {
  it.each(['ec-p256', 'ec-p384', 'rsa-2048'] as const)('openssl req -verify accepts a %s request', async (type) => {
    const key = await generateKey(type);
    const dir = mkdtempSync(join(work, 'csr-'));
    writeFileSync(join(dir, 'req.der'), buildCsr(placeholderSubject(MOBILE_ID), key));
    const { stdout, stderr } = await run('openssl', ['req', '-inform', 'DER', '-in', 'req.der', '-verify', '-noout', '-subject'], { cwd: dir });
    expect(`${stdout}${stderr}`).toMatch(/verify OK/i);
    expect(stdout).toContain(`CN = ${MOBILE_ID}`);
    // A damaged signature fails the same check.
    const der = buildCsr(placeholderSubject(MOBILE_ID), key);
    der[der.length - 5] = (der[der.length - 5] as number) ^ 0xff;
    writeFileSync(join(dir, 'bad.der'), der);
    // (openssl 3.0 exits 0 either way: its words are what say whether the signature holds.)
    const bad = await run('openssl', ['req', '-inform', 'DER', '-in', 'bad.der', '-verify', '-noout'], { cwd: dir }).catch((failure: { stdout: string; stderr: string }) => failure);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/verify fail/i);
    expect(`${bad.stdout}${bad.stderr}`).not.toMatch(/verify OK/i);
  });
});
