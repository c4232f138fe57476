/**
 * The mobile ID's enrollment QR code: CardDesk's own format, because EST (RFC 7030) defines how a
 * client enrols but not how it learns where and with what. The QR code holds one URI:
 *
 *   carddesk-mobile:enroll?v=1&est=<EST base URL>&id=<mobile ID>&code=<one-time code>&ca=<SHA-256>&labels=auth,sign
 *
 * - `est`: the HTTPS URL that ends in `/.well-known/est`; the client appends `/cacerts`,
 *   `/<label>/simpleenroll` and so on.
 * - `id` and `code`: HTTP Basic credentials for the first `simpleenroll` of each label (the code is
 *   single use per label, expires, and carries at least 128 random bits).
 * - `ca`: the SHA-256 of the desk's root CA certificate (DER, hex): the client fetches `cacerts`
 *   without trusting the server, keeps the answer only if it holds a certificate with this digest, and
 *   from then on verifies the server's TLS certificate against those certificates (RFC 7030 §4.1.1's
 *   out-of-band fingerprint bootstrap).
 * - `labels`: the certificates to enrol, one `simpleenroll` each, in this order.
 * - `key=1` (optional; absent in older codes, which means no): the holder's escrowed encryption key
 *   waits for this phone. Once every label is enrolled, the client posts a passphrase of its choice
 *   to `<est>/carddesk-recoverkey` with the same HTTP Basic credentials and gets the key (with its
 *   certificate) back as an encrypted PKCS#12 — once.
 */
import { CardDeskError } from '../../shared/errors';

export const ENROLLMENT_URI_SCHEME = 'carddesk-mobile:';
export const MOBILE_LABELS = ['auth', 'sign', 'enc'] as const;
export type MobileLabel = (typeof MOBILE_LABELS)[number];

export interface EnrollmentInvitation {
  /** HTTPS base URL ending in /.well-known/est (no trailing slash). */
  readonly estUrl: string;
  readonly mobileId: string;
  readonly code: string;
  /** SHA-256 of the root CA certificate's DER, lowercase hex. */
  readonly caSha256: string;
  readonly labels: readonly MobileLabel[];
  /** The escrowed encryption key waits at `<est>/carddesk-recoverkey` once the labels are enrolled. */
  readonly recoverKey?: boolean;
}

const VERSION = '1';
const EST_SUFFIX = '/.well-known/est';
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** base64url, at least 22 characters (≥ 128 bits). */
const CODE_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

function malformed(why: string): CardDeskError {
  return new CardDeskError('MALFORMED_INPUT', `This is not a CardDesk mobile ID enrollment code: ${why}.`);
}

function checkEstUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw malformed('the enrollment address is not a URL');
  }
  if (url.protocol !== 'https:') throw malformed('the enrollment address must use https');
  if (url.search !== '' || url.hash !== '') throw malformed('the enrollment address has a query or fragment');
  const text = url.toString().replace(/\/+$/, '');
  if (!text.endsWith(EST_SUFFIX)) throw malformed(`the enrollment address must end in ${EST_SUFFIX}`);
  return text;
}

function checkLabels(labels: readonly string[]): MobileLabel[] {
  if (labels.length === 0) throw malformed('it names no certificate to enrol');
  const known = new Set<string>(MOBILE_LABELS);
  for (const label of labels) if (!known.has(label)) throw malformed(`"${label}" is not a certificate CardDesk enrols`);
  if (new Set(labels).size !== labels.length) throw malformed('it names a certificate twice');
  return labels as MobileLabel[];
}

function checkInvitation(invitation: Omit<EnrollmentInvitation, 'labels'> & { readonly labels: readonly string[] }): EnrollmentInvitation {
  if (!ID_PATTERN.test(invitation.mobileId)) throw malformed('the mobile ID is malformed');
  if (!CODE_PATTERN.test(invitation.code)) throw malformed('the one-time code is malformed');
  if (!SHA256_PATTERN.test(invitation.caSha256)) throw malformed('the CA fingerprint is not a SHA-256 in hex');
  return { ...invitation, estUrl: checkEstUrl(invitation.estUrl), labels: checkLabels(invitation.labels) };
}

export function formatEnrollmentUri(invitation: EnrollmentInvitation): string {
  const checked = checkInvitation(invitation);
  const query = new URLSearchParams({
    v: VERSION,
    est: checked.estUrl,
    id: checked.mobileId,
    code: checked.code,
    ca: checked.caSha256,
    labels: checked.labels.join(','),
    ...(checked.recoverKey === true ? { key: '1' } : {}),
  });
  return `${ENROLLMENT_URI_SCHEME}enroll?${query.toString()}`;
}

export function parseEnrollmentUri(text: string): EnrollmentInvitation {
  const value = text.trim();
  const prefix = `${ENROLLMENT_URI_SCHEME}enroll?`;
  if (!value.startsWith(prefix)) throw malformed(`it does not start with ${prefix}`);
  const query = new URLSearchParams(value.slice(prefix.length));
  const one = (name: string): string => {
    const all = query.getAll(name);
    if (all.length !== 1) throw malformed(all.length === 0 ? `"${name}" is missing` : `"${name}" is given twice`);
    return all[0]!;
  };
  if (one('v') !== VERSION) throw malformed(`version ${one('v')} is not one this client reads`);
  const key = query.getAll('key');
  if (key.length > 1 || (key.length === 1 && key[0] !== '1' && key[0] !== '0')) throw malformed('"key" must be 1 or 0, once');
  return checkInvitation({
    ...(key.length === 0 ? {} : { recoverKey: key[0] === '1' }),
    estUrl: one('est'),
    mobileId: one('id'),
    code: one('code'),
    caSha256: one('ca'),
    labels: one('labels').split(','),
  });
}
