/**
 * A small EST server (RFC 7030) for the reference client's tests: a test double of the desk, used
 * besides the end-to-end test against the real desk. Its CA is made by `openssl` (root, issuing CA,
 * TLS server certificate for 127.0.0.1) and it signs requests with `openssl x509 -req`, taking the
 * subject from its own "directory" (never from the CSR), as the desk does. A hook lets a test make
 * it answer any status (429, 413, …) or serve a different CA's certificates.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('openssl', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

function derOfPem(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '';
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

export interface TestCa {
  readonly dir: string;
  readonly rootPem: string;
  readonly issuingPem: string;
  readonly rootDer: Buffer;
  readonly issuingDer: Buffer;
  /** What the QR code pins: SHA-256 of the root's DER, lowercase hex. */
  readonly rootSha256: string;
  /** TLS server certificate for 127.0.0.1 followed by the issuing CA, and its key. */
  readonly serverChainPem: string;
  readonly serverKeyPem: string;
}

const CA_EXTENSIONS = `[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[holder]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A root CA, an issuing CA and a TLS server certificate for 127.0.0.1, all made by openssl in `dir`. */
export async function makeTestCa(dir: string, name = 'EST Test'): Promise<TestCa> {
  await writeFile(join(dir, 'ext.cnf'), CA_EXTENSIONS);
  await openssl(['req', '-x509', ...EC, '-keyout', 'root.key', '-out', 'root.pem', '-subj', `/CN=${name} Root/O=CardDesk Test`, '-days', '3650', '-config', 'ext.cnf', '-extensions', 'ca'], dir);
  await openssl(['req', '-new', ...EC, '-keyout', 'issuing.key', '-out', 'issuing.csr', '-subj', `/CN=${name} Issuing/O=CardDesk Test`], dir);
  await openssl(['x509', '-req', '-in', 'issuing.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '3650', '-extfile', 'ext.cnf', '-extensions', 'ca', '-out', 'issuing.pem'], dir);
  await openssl(['req', '-new', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'issuing.pem', '-CAkey', 'issuing.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '30', '-extfile', 'ext.cnf', '-extensions', 'server', '-out', 'server.pem'], dir);
  const rootPem = await readFile(join(dir, 'root.pem'), 'utf8');
  const issuingPem = await readFile(join(dir, 'issuing.pem'), 'utf8');
  const rootDer = derOfPem(rootPem);
  const fingerprint = await openssl(['x509', '-in', 'root.pem', '-noout', '-fingerprint', '-sha256'], dir);
  return {
    dir,
    rootPem,
    issuingPem,
    rootDer,
    issuingDer: derOfPem(issuingPem),
    // openssl's own digest, so the test does not trust the client's hashing to check the client.
    rootSha256: (fingerprint.split('=')[1] ?? '').trim().replace(/:/g, '').toLowerCase(),
    serverChainPem: (await readFile(join(dir, 'server.pem'), 'utf8')) + issuingPem,
    serverKeyPem: await readFile(join(dir, 'server.key'), 'utf8'),
  };
}

/** A certs-only PKCS#7 (degenerate SignedData) of the PEM certificates, as base64: made by openssl. */
export async function certsOnlyBase64(dir: string, pem: string): Promise<string> {
  const file = join(dir, `bundle-${randomBytes(4).toString('hex')}.pem`);
  await writeFile(file, pem);
  const { stdout } = await run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', file, '-outform', 'DER'], { encoding: 'buffer', maxBuffer: 1024 * 1024 });
  return stdout.toString('base64');
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly clientCertificateSerial: string | null;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface EstTestServerOptions {
  readonly ca: TestCa;
  readonly mobileId: string;
  readonly code: string;
  /** Present this CA's TLS certificate instead of `ca`'s (a server that is not the desk). */
  readonly tlsCa?: TestCa;
  /** PEM served by /cacerts instead of `ca`'s issuing + root. */
  readonly cacertsPem?: string;
  /** Only these TLS versions (a server stuck on TLS 1.1, for example). */
  readonly tls?: { readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'; readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' };
  /** Answers a request before the server does (return undefined to let it answer). */
  readonly intercept?: (path: string) => Answer | undefined;
  /** The subject the "directory" gives each certificate. */
  readonly subject?: string;
}

export interface EstTestServer {
  /** https://127.0.0.1:<port>/.well-known/est */
  readonly estUrl: string;
  readonly requests: RecordedRequest[];
  /** Serials (uppercase hex) issued, in order, with the label and, for renewals, the serial renewed. */
  readonly issued: { serial: string; label: string; renewed: string | null }[];
  close(): Promise<void>;
}

const PREFIX = '/.well-known/est/';
const LABELS = new Set(['auth', 'sign', 'enc']);

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startEstTestServer(options: EstTestServerOptions): Promise<EstTestServer> {
  const { ca } = options;
  const tlsCa = options.tlsCa ?? ca;
  const requests: RecordedRequest[] = [];
  const issued: EstTestServer['issued'] = [];
  const spent = new Set<string>();
  const cacerts = await certsOnlyBase64(ca.dir, options.cacertsPem ?? ca.issuingPem + ca.rootPem);
  const subject = options.subject ?? '/CN=Directory Holder/O=CardDesk Test';

  async function sign(csrDer: Buffer, label: string, renewed: string | null): Promise<Answer> {
    const name = randomBytes(6).toString('hex');
    await writeFile(join(ca.dir, `${name}.csr`), csrDer);
    // The request's own signature, checked by openssl (3.0 exits 0 even when it fails: read its words).
    const verified = await run('openssl', ['req', '-inform', 'DER', '-in', `${name}.csr`, '-verify', '-noout'], { cwd: ca.dir }).then(
      ({ stdout, stderr }) => /verify OK/i.test(`${stdout}${stderr}`),
      () => false,
    );
    if (!verified) return { status: 400, body: 'the request signature does not verify' };
    const serial = randomBytes(8);
    serial[0] = (serial[0] as number) & 0x7f | 0x10;
    await openssl(
      ['x509', '-req', '-inform', 'DER', '-in', `${name}.csr`, '-CA', 'issuing.pem', '-CAkey', 'issuing.key', '-set_serial', `0x${serial.toString('hex')}`, '-days', '30', '-subj', subject, '-extfile', 'ext.cnf', '-extensions', 'holder', '-out', `${name}.pem`],
      ca.dir,
    );
    issued.push({ serial: serial.toString('hex').toUpperCase(), label, renewed });
    const body = await certsOnlyBase64(ca.dir, await readFile(join(ca.dir, `${name}.pem`), 'utf8'));
    return { status: 200, headers: { 'Content-Type': 'application/pkcs7-mime; smime-type=certs-only' }, body };
  }

  async function answer(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      clientCertificateSerial: socket.authorized && peer.serialNumber !== undefined ? peer.serialNumber.toUpperCase() : null,
    });
    const intercepted = options.intercept?.(url.pathname);
    if (intercepted !== undefined) return intercepted;
    if (!url.pathname.startsWith(PREFIX)) return { status: 404 };
    const [first, operation] = url.pathname.slice(PREFIX.length).split('/');
    if (first === 'cacerts' && operation === undefined && req.method === 'GET') return { status: 200, headers: { 'Content-Type': 'application/pkcs7-mime' }, body: cacerts };
    if (first === undefined || !LABELS.has(first) || req.method !== 'POST') return { status: 404 };
    const body = await readBody(req, 16 * 1024);
    if (body === null) return { status: 413 };
    if (!(req.headers['content-type'] ?? '').startsWith('application/pkcs10')) return { status: 415 };
    const csr = Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64');
    if (operation === 'simpleenroll') {
      const expected = `Basic ${Buffer.from(`${options.mobileId}:${options.code}`).toString('base64')}`;
      if (req.headers.authorization !== expected || spent.has(first)) return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="est"' }, body: 'enrollment code refused' };
      spent.add(first);
      return sign(csr, first, null);
    }
    if (operation === 'simplereenroll') {
      if (!socket.authorized) return { status: 401, body: 'a client certificate is required' };
      return sign(csr, first, (peer.serialNumber ?? '').toUpperCase());
    }
    return { status: 404 };
  }

  const server: Server = createServer(
    {
      cert: tlsCa.serverChainPem,
      key: tlsCa.serverKeyPem,
      requestCert: true,
      rejectUnauthorized: false,
      ca: [ca.rootPem, ca.issuingPem],
      ...(options.tls === undefined ? { minVersion: 'TLSv1.2' as const } : { ...options.tls, ciphers: 'DEFAULT@SECLEVEL=0' }),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      answer(req).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers ?? { 'Content-Type': 'text/plain' });
          res.end(reply.body ?? '');
        },
        (failure: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(failure));
        },
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    estUrl: `https://127.0.0.1:${port}/.well-known/est`,
    requests,
    issued,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
