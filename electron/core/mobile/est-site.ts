/**
 * EST (RFC 7030) on the desk's network listener, HTTPS only: `/.well-known/est/[<label>/]cacerts`
 * (GET), `[<label>/]simpleenroll` (POST, HTTP Basic: mobile ID and one-time code; no label = auth)
 * and `[<label>/]simplereenroll` (POST, the TLS client certificate). Bodies are base64 (line
 * breaks allowed, §4.2.1) of a DER PKCS#10; answers are base64 of a degenerate SignedData
 * (`application/pkcs7-mime; smime-type=certs-only`, §4.1.3, §4.2.3). Errors are short plain text:
 * never a stack trace, never the code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EstRefusal } from '../../shared/schemas/mobile-id';
import { certsOnlyPkcs7 } from '../ca/export';
import type { Logger } from '../log/logger';
import type { ListenerSite } from '../settings/network-listener';
import { MOBILE_LABELS, type MobileLabel } from './enrollment-uri';
import { notReady, type EnrollmentResult } from './mobile-enrollment';
import { RECOVER_KEY_PATH, type KeyRecoveryResult } from './mobile-key-recovery';
import { RateLimiter } from './rate-limit';

export const EST_PATH = '/.well-known/est';
export const MAX_EST_BODY = 64 * 1024;
const CERTS_ONLY = 'application/pkcs7-mime; smime-type=certs-only';
const REALM = 'Basic realm="carddesk-est"';

export interface EstBackend {
  /** The issuing CA and the root, for cacerts; null while there is no CA. */
  chain(): Buffer[] | null;
  enroll(label: MobileLabel, mobileId: string, code: string, csrDer: Buffer, sourceAddress: string): Promise<EnrollmentResult>;
  reenroll(label: MobileLabel, clientCertDer: Buffer | null, csrDer: Buffer, sourceAddress: string): Promise<EnrollmentResult>;
  /** CardDesk's key recovery beside EST (mobile-key-recovery.ts); absent: 404. */
  recoverKey?(mobileId: string, code: string, passphrase: Buffer, sourceAddress: string): Promise<KeyRecoveryResult>;
}

export interface EstSiteOptions {
  /** POSTs per source address at once, and refilled per second (default 30 and 0.5). */
  readonly burst?: number;
  readonly perSecond?: number;
  readonly now?: () => number;
}

const statuses: Readonly<Record<EstRefusal, number>> = { unauthorized: 401, malformed: 400, forbidden: 403, notFound: 404 };

/** Base64 in lines (64 characters, CRLF), as MIME and `openssl base64 -d` read it. */
export function base64Lines(der: Buffer): string {
  const text = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 64) lines.push(text.slice(i, i + 64));
  return `${lines.join('\r\n')}\r\n`;
}

/** Strict base64 with any whitespace between; null when it is not. */
export function decodeBase64Body(body: Buffer): Buffer | null {
  const text = body.toString('latin1').replace(/[\s]+/g, '');
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** HTTP Basic credentials (RFC 7617), or null. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,512})\s*$/i.exec(header ?? '');
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

type Route = { kind: 'cacerts' | 'simpleenroll' | 'simplereenroll'; label: MobileLabel } | { kind: 'recoverKey' } | { kind: 'unknown' };

function route(path: string): Route | null {
  if (path !== EST_PATH && !path.startsWith(`${EST_PATH}/`)) return null;
  const parts = path.slice(EST_PATH.length).split('/').filter((p) => p !== '');
  const [first, second, ...rest] = parts;
  const op = (name: string | undefined): 'cacerts' | 'simpleenroll' | 'simplereenroll' | null =>
    name === 'cacerts' || name === 'simpleenroll' || name === 'simplereenroll' ? name : null;
  if (parts.length === 1 && op(first) !== null) return { kind: op(first)!, label: 'auth' };
  if (parts.length === 1 && first === RECOVER_KEY_PATH) return { kind: 'recoverKey' };
  if (parts.length === 2 && rest.length === 0 && (MOBILE_LABELS as readonly string[]).includes(first!) && op(second) !== null) return { kind: op(second)!, label: first as MobileLabel };
  return { kind: 'unknown' };
}

class TooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > MAX_EST_BODY) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_EST_BODY) {
        done = true;
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

export class EstSite implements ListenerSite {
  readonly paths = [`${EST_PATH}/cacerts`, `${EST_PATH}/<label>/simpleenroll`, `${EST_PATH}/<label>/simplereenroll`, `${EST_PATH}/${RECOVER_KEY_PATH}`];
  readonly served = 'https' as const;
  readonly #limiter: RateLimiter;

  constructor(
    private readonly backend: EstBackend,
    private readonly log: Logger,
    options: EstSiteOptions = {},
  ) {
    this.#limiter = new RateLimiter(options.burst ?? 30, options.perSecond ?? 0.5, options.now);
  }

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const found = route(path);
    if (found === null) return false;
    try {
      await this.#answer(found, request, response);
    } catch (error) {
      if (notReady(error)) {
        if (!response.headersSent) text(response, 503, 'The desk cannot issue certificates now; try again later.', { 'Retry-After': '60' });
        return true;
      }
      this.log.error('an EST request failed', { error });
      if (!response.headersSent) text(response, 500, 'The request could not be completed.');
      else response.destroy();
    }
    return true;
  }

  async #answer(found: Route, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (found.kind === 'unknown') return text(response, 404, 'Not found.');
    if (found.kind === 'cacerts') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return text(response, 405, 'Use GET.', { Allow: 'GET, HEAD' });
      const chain = this.backend.chain();
      if (chain === null) return text(response, 503, 'There is no certificate authority yet.');
      return certsOnly(response, certsOnlyPkcs7(chain), request.method === 'HEAD');
    }
    if (request.method !== 'POST') return text(response, 405, 'Use POST.', { Allow: 'POST' });
    const source = request.socket.remoteAddress ?? 'unknown';
    const wait = this.#limiter.take(source);
    if (wait > 0) {
      request.resume();
      return text(response, 429, 'Too many requests from this address; try again later.', { 'Retry-After': String(wait) });
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof TooLarge) return text(response, 413, `The request is larger than ${MAX_EST_BODY} bytes.`, { Connection: 'close' });
      throw error;
    }
    if (found.kind === 'recoverKey') return this.#recoverKey(request, response, body, source);
    const type = (request.headers['content-type'] ?? 'application/pkcs10').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/pkcs10') return text(response, 400, 'The body must be a PKCS#10 request (Content-Type: application/pkcs10).');
    const der = decodeBase64Body(body);
    if (der === null) return text(response, 400, 'The body is not base64.');
    let result: EnrollmentResult;
    if (found.kind === 'simpleenroll') {
      const credentials = basicCredentials(request.headers.authorization);
      if (credentials === null) return text(response, 401, 'Give the mobile ID and its one-time code (HTTP Basic).', { 'WWW-Authenticate': REALM });
      result = await this.backend.enroll(found.label, credentials.user, credentials.password, der, source);
    } else {
      result = await this.backend.reenroll(found.label, peerCertificate(request), der, source);
    }
    if (!result.ok) return text(response, statuses[result.refusal], `${result.message}`, result.refusal === 'unauthorized' ? { 'WWW-Authenticate': REALM } : {});
    return certsOnly(response, certsOnlyPkcs7([result.certificate]), false);
  }

  #recoverKey(request: IncomingMessage, response: ServerResponse, body: Buffer, source: string): Promise<void> {
    return recoverKeyAnswer(this.backend, request, response, body, source);
  }
}

/**
 * `POST <est>/carddesk-recoverkey`: HTTP Basic (mobile ID, one-time code), the body the PKCS#12
 * passphrase (text/plain, UTF-8); the answer the PKCS#12, base64 as EST answers are
 * (`application/pkcs12`, Content-Transfer-Encoding: base64). The passphrase is zeroed after use.
 */
async function recoverKeyAnswer(backend: EstBackend, request: IncomingMessage, response: ServerResponse, body: Buffer, source: string): Promise<void> {
  try {
    if (backend.recoverKey === undefined) return text(response, 404, 'Not found.');
    const type = (request.headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/plain') return text(response, 400, 'The body must be the PKCS#12 passphrase (Content-Type: text/plain; charset=utf-8).');
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials === null) return text(response, 401, 'Give the mobile ID and its one-time code (HTTP Basic).', { 'WWW-Authenticate': REALM });
    const result = await backend.recoverKey(credentials.user, credentials.password, body, source);
    if (!result.ok) return text(response, statuses[result.refusal], result.message, result.refusal === 'unauthorized' ? { 'WWW-Authenticate': REALM } : {});
    const answer = Buffer.from(base64Lines(result.p12), 'latin1');
    response.writeHead(200, { 'Content-Type': 'application/pkcs12', 'Content-Transfer-Encoding': 'base64', 'Content-Length': answer.length, 'Cache-Control': 'no-store' });
    response.end(answer);
  } finally {
    body.fill(0);
  }
}

/** The TLS client certificate (DER), when the client sent one; the listener does not verify it, the enrollment does. */
function peerCertificate(request: IncomingMessage): Buffer | null {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return null;
  const peer = socket.getPeerCertificate();
  return peer !== null && typeof peer === 'object' && Buffer.isBuffer(peer.raw) && peer.raw.length > 0 ? peer.raw : null;
}

function text(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', ...headers });
  response.end(body);
}

function certsOnly(response: ServerResponse, pkcs7: Buffer, head: boolean): void {
  const body = Buffer.from(base64Lines(pkcs7), 'latin1');
  response.writeHead(200, { 'Content-Type': CERTS_ONLY, 'Content-Transfer-Encoding': 'base64', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  response.end(head ? undefined : body);
}
