/**
 * The phone's side of mobile ID enrollment: an EST client (RFC 7030) that acts as a wallet would.
 *
 * - Bootstrap (§4.1.1): `cacerts` is fetched once without trusting the TLS server; the answer is
 *   kept only if it holds the root CA whose SHA-256 the QR code names, and only the certificates
 *   that chain to that root are kept. `cacerts` is then fetched again with TLS verified against
 *   them (and nothing else), and must be the same: the server really holds a certificate from that CA.
 * - `simpleenroll` (§4.2.1) per label, HTTP Basic with the mobile ID and one-time code (§3.2.3);
 *   `simplereenroll` (§4.2.2) with TLS client authentication by the label's current certificate.
 * - Every request: TLS 1.2 or newer, a fresh connection (no agent, so no TLS session from the
 *   unverified fetch is ever resumed), bounded answers, and each HTTP failure turned into a
 *   sentence. The one-time code never appears in a message.
 */
import { createHash, createPublicKey, generateKeyPair, sign as signData, X509Certificate, type KeyObject } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { CardDeskError, type ErrorCode } from '../../shared/errors';
import { signatureAlgorithmFor } from '../ca/ca-signer';
import { parseCertificate } from '../ca/certificate-reader';
import { bitString, children, explicit, integer, readOid, readTlv, seq } from '../ca/der';
import { encodeDn } from '../ca/distinguished-name';
import { OID } from '../ca/oids';
import type { KeyType } from './client-store';
import type { EnrollmentInvitation, MobileLabel } from './enrollment-uri';

const DEFAULT_TIMEOUT_MS = 30_000;
/** A certs-only answer with a chain is a few kilobytes; anything this large is not an EST answer. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export const LABEL_NAMES: Readonly<Record<MobileLabel, string>> = { auth: 'authentication', sign: 'signature', enc: 'encryption' };

export interface EstClientOptions {
  readonly timeoutMs?: number;
}

/** The TLS client identity for `simplereenroll`: the label's current PKCS#12 and its passphrase (never logged). */
export interface ClientIdentity {
  readonly pfx: Buffer;
  readonly passphrase: Buffer;
}

interface EstResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

type Trust = { readonly kind: 'bootstrap' } | { readonly kind: 'pinned'; readonly anchors: readonly Buffer[] };

function error(code: ErrorCode, message: string, cause?: unknown): CardDeskError {
  return new CardDeskError(code, message, cause === undefined ? undefined : { cause });
}

const pem = (der: Buffer): string => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

export const sha256Hex = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

// ---- keys and requests -----------------------------------------------------------------------

const generateKeyPairAsync = (type: KeyType): Promise<KeyObject> =>
  new Promise((resolve, reject) => {
    const done = (failure: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => (failure === null ? resolve(privateKey) : reject(failure));
    switch (type) {
      case 'ec-p256':
        return generateKeyPair('ec', { namedCurve: 'P-256' }, done);
      case 'ec-p384':
        return generateKeyPair('ec', { namedCurve: 'P-384' }, done);
      case 'rsa-2048':
        return generateKeyPair('rsa', { modulusLength: 2048 }, done);
      case 'rsa-3072':
        return generateKeyPair('rsa', { modulusLength: 3072 }, done);
    }
  });

/** A new private key of the chosen type, made off the main thread by Node's crypto. */
export function generateKey(type: KeyType): Promise<KeyObject> {
  return generateKeyPairAsync(type);
}

/** The placeholder subject of a first enrollment: the desk takes the real one from its directory. */
export function placeholderSubject(mobileId: string): Buffer {
  return encodeDn(`CN=${mobileId}`);
}

/** A PKCS#10 request (RFC 2986 §4) with `subjectDer` as it is, signed with `privateKey`. */
export function buildCsr(subjectDer: Buffer, privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const info = seq(integer(0), subjectDer, spki, explicit(0));
  const algorithm = signatureAlgorithmFor(privateKey);
  return seq(info, algorithm.identifier, bitString(signData(algorithm.digest, info, privateKey)));
}

// ---- answers ---------------------------------------------------------------------------------

/**
 * The certificates of a certs-only CMS SignedData (RFC 5652 §5.1, RFC 7030 §4.1.3), sent as base64
 * (RFC 8951 §3: no Content-Transfer-Encoding needed); raw DER is accepted too.
 */
export function parseCertsOnly(body: Buffer): Buffer[] {
  const bad = (why: string, cause?: unknown): CardDeskError => error('MALFORMED_INPUT', `The desk's answer is not a certificate bundle (${why}).`, cause);
  let der: Buffer;
  if (body[0] === 0x30) der = body;
  else {
    const text = body.toString('latin1').replace(/\s+/g, '');
    if (text.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw bad('neither base64 nor DER');
    der = Buffer.from(text, 'base64');
  }
  try {
    const contentInfo = readTlv(der);
    if (contentInfo.end !== der.length) throw bad('bytes after the end');
    const [type, content] = children(contentInfo);
    if (type === undefined || content === undefined || readOid(type) !== OID.pkcs7SignedData || content.tag !== 0xa0) throw bad('not a SignedData');
    const signedData = children(content)[0];
    if (signedData === undefined) throw bad('empty SignedData');
    const certificates = children(signedData).find((part) => part.tag === 0xa0);
    if (certificates === undefined) throw bad('it holds no certificates');
    const out = children(certificates)
      .filter((part) => part.tag === 0x30)
      .map((part) => Buffer.from(part.raw));
    for (const cert of out) new X509Certificate(cert);
    if (out.length === 0) throw bad('it holds no certificates');
    return out;
  } catch (failure) {
    if (failure instanceof CardDeskError) throw failure;
    throw bad('unreadable DER', failure);
  }
}

/**
 * The certificates to trust from a `cacerts` answer: the root whose SHA-256 is `caSha256` and
 * every CA certificate that chains to it by signature, nearest the end entity first, root last.
 * Anything else the answer holds is dropped: an attacker's extra root must never become an anchor.
 */
export function pinnedChain(certificates: readonly Buffer[], caSha256: string): Buffer[] {
  const root = certificates.find((der) => sha256Hex(der) === caSha256.toLowerCase());
  if (root === undefined) throw error('CA_IMPORT_REFUSED', "The server's CA is not the one the QR code names: none of the CA certificates it sent has the pinned fingerprint. Nothing was enrolled.");
  const rootCert = new X509Certificate(root);
  if (!rootCert.ca || !rootCert.checkIssued(rootCert) || !rootCert.verify(rootCert.publicKey)) throw error('CA_IMPORT_REFUSED', 'The certificate the QR code names is not a self-signed CA certificate.');
  const kept: { der: Buffer; cert: X509Certificate; depth: number }[] = [{ der: root, cert: rootCert, depth: 0 }];
  for (let grew = true; grew; ) {
    grew = false;
    for (const der of certificates) {
      if (kept.some((k) => k.der.equals(der))) continue;
      const cert = new X509Certificate(der);
      const issuer = kept.find((k) => cert.ca && cert.checkIssued(k.cert) && cert.verify(k.cert.publicKey));
      if (issuer === undefined) continue;
      kept.push({ der, cert, depth: issuer.depth + 1 });
      grew = true;
    }
  }
  return kept.sort((a, b) => b.depth - a.depth).map((k) => k.der);
}

export interface IssuedCertificate {
  readonly der: Buffer;
  readonly serial: string;
  readonly notAfter: string;
  readonly subject: string;
}

/** Checks the certificate the desk sent: it certifies our key and was signed by the pinned chain. */
export function checkIssued(der: Buffer, privateKey: KeyObject, chain: readonly Buffer[]): IssuedCertificate {
  const cert = new X509Certificate(der);
  const ours = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!cert.publicKey.export({ type: 'spki', format: 'der' }).equals(ours)) throw error('MALFORMED_INPUT', 'The desk sent a certificate for a different key than the one this request carried.');
  const issuer = chain.map((c) => new X509Certificate(c)).find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  if (issuer === undefined) throw error('CA_IMPORT_REFUSED', "The certificate the desk sent was not issued by the CA the QR code names.");
  const parsed = parseCertificate(der);
  return { der, serial: parsed.serial, notAfter: parsed.notAfter.toISOString(), subject: parsed.subject };
}

// ---- HTTP ------------------------------------------------------------------------------------

/** Printable text from the server's error body, short, with the one-time code blotted out if it were echoed. */
function serverSays(body: Buffer, secret: string | undefined): string {
  let text = body.subarray(0, 400).toString('utf8').replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ').trim();
  if (secret !== undefined && secret.length > 0) text = text.split(secret).join('[code]');
  if (text.length > 200) text = `${text.slice(0, 200)}…`;
  return text.length === 0 || text.startsWith('<') ? '' : ` The desk says: “${text}”`;
}

function retryAfter(headers: IncomingHttpHeaders): string {
  const value = headers['retry-after'];
  if (value === undefined) return 'a while';
  if (/^\d+$/.test(value)) return `${value} seconds`;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 'a while' : `${Math.max(1, Math.ceil((at - Date.now()) / 1000))} seconds`;
}

/** An EST failure (RFC 7030 §4.2.3) as a sentence, per status. */
export function httpFailure(response: EstResponse, doing: string, secret?: string): CardDeskError {
  const says = serverSays(response.body, secret);
  switch (response.status) {
    case 202:
      return error('INVALID_STATE', `${doing}: the desk holds the request for approval (try again in ${retryAfter(response.headers)}).${says}`);
    case 400:
      return error('MALFORMED_INPUT', `${doing}: the desk could not read the request (HTTP 400).${says}`);
    case 401:
      return error(
        'FORBIDDEN_SENDER',
        `${doing}: the desk refused the credentials (HTTP 401): the one-time code is wrong, has expired or was already used, or this phone's certificate is no longer accepted. Ask the desk for a new QR code.${says}`,
      );
    case 403:
      return error('INVALID_STATE', `${doing}: the desk refused the request (HTTP 403): it does not fit the mobile ID (key type or size, or the mobile ID is locked or revoked).${says}`);
    case 404:
      return error('NOT_FOUND', `${doing}: the desk has no such enrollment address (HTTP 404); check the URL, or whether this certificate is offered.${says}`);
    case 413:
      return error('MALFORMED_INPUT', `${doing}: the request is larger than the desk accepts (HTTP 413).${says}`);
    case 429:
      return error('TOO_MANY_ATTEMPTS', `${doing}: too many attempts from this address (HTTP 429); try again in ${retryAfter(response.headers)}.${says}`);
    default:
      return error(
        response.status >= 500 ? 'INTERNAL' : 'MALFORMED_INPUT',
        `${doing}: the desk answered HTTP ${response.status}${response.status >= 500 ? ' (a failure on its side)' : ''}.${says}`,
      );
  }
}

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME/;
const PROTOCOL_ERRORS = /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|WRONG_VERSION_NUMBER|protocol version|unsupported protocol/i;

function transportFailure(cause: unknown, where: string, trust: Trust, identity: boolean): CardDeskError {
  const failure = cause as NodeJS.ErrnoException & { reason?: string };
  const code = failure.code ?? '';
  const message = String(failure.message ?? '');
  if (PROTOCOL_ERRORS.test(code) || PROTOCOL_ERRORS.test(message)) {
    return error('HOST_UNREACHABLE', `The desk at ${where} offers no TLS 1.2 or newer; this client refuses older TLS. Nothing was sent.`, cause);
  }
  if (trust.kind === 'pinned' && CERT_ERRORS.test(code)) {
    return error('CA_IMPORT_REFUSED', `The server's CA is not the one the QR code names: the TLS certificate of ${where} does not chain to the pinned CA (${code}).`, cause);
  }
  if (identity && /mac verify|bad decrypt|PKCS12/i.test(message)) return error('WRONG_PASSPHRASE', 'The PKCS#12 passphrase is wrong.', cause);
  if (identity && /alert (certificate|bad certificate|unknown ca|certificate required|certificate revoked|certificate expired)/i.test(message)) {
    return error('FORBIDDEN_SENDER', `The desk at ${where} did not accept this phone's certificate in the TLS handshake (${message.replace(/^.*alert /i, 'alert ')}).`, cause);
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code)) {
    return error('HOST_UNREACHABLE', `Cannot reach the desk at ${where} (${code}).`, cause);
  }
  return error('HOST_UNREACHABLE', `The connection to the desk at ${where} failed: ${message}`, cause);
}

export class EstClient {
  readonly #base: URL;
  readonly #timeoutMs: number;

  constructor(estUrl: string, options: EstClientOptions = {}) {
    this.#base = new URL(estUrl.replace(/\/+$/, ''));
    if (this.#base.protocol !== 'https:') throw error('MALFORMED_INPUT', 'The EST address must use https.');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get where(): string {
    return this.#base.host;
  }

  #send(path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: Buffer; trust: Trust; identity?: ClientIdentity }): Promise<EstResponse> {
    const url = new URL(`${this.#base.pathname}/${path}`, this.#base);
    const options: RequestOptions = {
      method: init.method,
      protocol: 'https:',
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? 443 : Number(url.port),
      path: url.pathname,
      headers: { ...init.headers, ...(init.body === undefined ? {} : { 'Content-Length': String(init.body.length) }) },
      agent: false,
      minVersion: 'TLSv1.2',
      timeout: this.#timeoutMs,
      // RFC 7030 §4.1.1: the bootstrap fetch is the one request made without verifying the server.
      rejectUnauthorized: init.trust.kind === 'pinned',
      ...(init.trust.kind === 'pinned' ? { ca: init.trust.anchors.map(pem) } : {}),
      ...(init.identity === undefined ? {} : { pfx: init.identity.pfx, passphrase: init.identity.passphrase.toString('utf8') }),
    };
    return new Promise<EstResponse>((resolve, reject) => {
      const fail = (cause: unknown): void => reject(cause instanceof CardDeskError ? cause : transportFailure(cause, this.where, init.trust, init.identity !== undefined));
      let req;
      try {
        req = httpsRequest(options, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy();
              fail(error('MALFORMED_INPUT', `The desk's answer is larger than ${MAX_RESPONSE_BYTES} bytes; it is not an EST answer.`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', fail);
        });
      } catch (cause) {
        fail(cause); // a PKCS#12 that does not open with the passphrase fails here, before connecting
        return;
      }
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', fail);
      req.end(init.body);
    });
  }

  async #certsAnswer(response: EstResponse, doing: string, secret?: string): Promise<Buffer[]> {
    if (response.status !== 200) throw httpFailure(response, doing, secret);
    const type = (response.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/pkcs7-mime')) throw error('MALFORMED_INPUT', `${doing}: the desk answered with ${type || 'no content type'}, not application/pkcs7-mime.`);
    return Promise.resolve(parseCertsOnly(response.body));
  }

  /** `GET /cacerts` with TLS verified against `anchors`. */
  async caCerts(anchors: readonly Buffer[]): Promise<Buffer[]> {
    return this.#certsAnswer(await this.#send('cacerts', { method: 'GET', trust: { kind: 'pinned', anchors } }), 'Fetching the CA certificates');
  }

  /**
   * RFC 7030 §4.1.1 bootstrap with the QR code's fingerprint: the chain to trust from now on
   * (issuing CA first, pinned root last). Throws CA_IMPORT_REFUSED on any mismatch.
   */
  async bootstrap(caSha256: string): Promise<Buffer[]> {
    const untrusted = await this.#certsAnswer(await this.#send('cacerts', { method: 'GET', trust: { kind: 'bootstrap' } }), 'Fetching the CA certificates');
    const chain = pinnedChain(untrusted, caSha256);
    // Again, now verifying the server against the pinned chain: the first answer counts only if it
    // came from a server that holds a certificate of that CA.
    const verified = await this.caCerts(chain);
    const key = (list: readonly Buffer[]): string => list.map(sha256Hex).sort().join(',');
    if (key(verified) !== key(untrusted)) throw error('CA_IMPORT_REFUSED', "The server's CA is not the one the QR code names: the CA certificates changed between the unverified and the verified fetch.");
    return chain;
  }

  /** `POST /<label>/simpleenroll` with HTTP Basic (mobile ID, one-time code): the issued certificate. */
  async simpleEnroll(label: MobileLabel, csr: Buffer, credentials: { mobileId: string; code: string }, anchors: readonly Buffer[]): Promise<Buffer> {
    const basic = Buffer.from(`${credentials.mobileId}:${credentials.code}`).toString('base64');
    const response = await this.#send(`${label}/simpleenroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/pkcs10', Authorization: `Basic ${basic}` },
      body: Buffer.from(csr.toString('base64')),
      trust: { kind: 'pinned', anchors },
    });
    return this.#oneCertificate(await this.#certsAnswer(response, `Enrolling the ${LABEL_NAMES[label]} certificate`, credentials.code), label);
  }

  /** `POST /<label>/simplereenroll`, authenticated by the label's current certificate in the TLS handshake. */
  async simpleReenroll(label: MobileLabel, csr: Buffer, identity: ClientIdentity, anchors: readonly Buffer[]): Promise<Buffer> {
    const response = await this.#send(`${label}/simplereenroll`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/pkcs10' },
      body: Buffer.from(csr.toString('base64')),
      trust: { kind: 'pinned', anchors },
      identity,
    });
    return this.#oneCertificate(await this.#certsAnswer(response, `Renewing the ${LABEL_NAMES[label]} certificate`), label);
  }

  /**
   * CardDesk's `POST /carddesk-recoverkey` (not EST; see mobile-key-recovery.ts): the holder's
   * escrowed encryption key as a PKCS#12 encrypted with `passphrase`, with the one-time code,
   * once every label is enrolled. The file is checked to open with the passphrase.
   */
  async recoverKey(credentials: { mobileId: string; code: string }, passphrase: Buffer, anchors: readonly Buffer[]): Promise<Buffer> {
    const basic = Buffer.from(`${credentials.mobileId}:${credentials.code}`).toString('base64');
    const doing = 'Fetching the escrowed encryption key';
    const response = await this.#send('carddesk-recoverkey', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8', Authorization: `Basic ${basic}` },
      body: Buffer.from(passphrase),
      trust: { kind: 'pinned', anchors },
    });
    if (response.status !== 200) throw httpFailure(response, doing, credentials.code);
    const type = (response.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/pkcs12')) throw error('MALFORMED_INPUT', `${doing}: the desk answered with ${type || 'no content type'}, not application/pkcs12.`);
    const text = response.body.toString('latin1').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw error('MALFORMED_INPUT', `${doing}: the answer is not base64.`);
    return Buffer.from(text, 'base64');
  }

  #oneCertificate(certificates: Buffer[], label: MobileLabel): Buffer {
    const [only] = certificates;
    if (only === undefined || certificates.length !== 1) throw error('MALFORMED_INPUT', `The desk sent ${certificates.length} certificates for the ${LABEL_NAMES[label]} certificate; EST sends exactly one.`);
    return only;
  }
}

// ---- the whole enrollment ----------------------------------------------------------------------

export interface EnrolledKey {
  readonly label: MobileLabel;
  readonly privateKey: KeyObject;
  readonly certificate: IssuedCertificate;
}

export interface Enrollment {
  readonly chain: Buffer[];
  readonly enrolled: EnrolledKey[];
}

/** A failure after some labels were enrolled: what was issued so far, so the caller can keep it. */
export class PartialEnrollmentError extends CardDeskError {
  constructor(
    readonly enrollment: Enrollment,
    failure: CardDeskError,
  ) {
    super(failure.code, failure.message, { cause: failure });
  }
}

/**
 * Enrols every label of an invitation: bootstrap trust from the pinned fingerprint, then per label
 * a new key, a CSR with the placeholder subject, and `simpleenroll`. Nothing is stored here. When a
 * later label fails after earlier ones were issued, PartialEnrollmentError carries those (their
 * certificates exist at the desk; a phone keeps what it was given).
 */
export async function enrollInvitation(invitation: EnrollmentInvitation, keyType: KeyType, options: EstClientOptions = {}): Promise<Enrollment> {
  const client = new EstClient(invitation.estUrl, options);
  const chain = await client.bootstrap(invitation.caSha256);
  const enrolled: EnrolledKey[] = [];
  for (const label of invitation.labels) {
    try {
      const privateKey = await generateKey(keyType);
      const csr = buildCsr(placeholderSubject(invitation.mobileId), privateKey);
      const der = await client.simpleEnroll(label, csr, { mobileId: invitation.mobileId, code: invitation.code }, chain);
      enrolled.push({ label, privateKey, certificate: checkIssued(der, privateKey, chain) });
    } catch (failure) {
      if (enrolled.length === 0 || !(failure instanceof CardDeskError)) throw failure;
      throw new PartialEnrollmentError({ chain, enrolled }, failure);
    }
  }
  return { chain, enrolled };
}
