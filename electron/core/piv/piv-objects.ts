/**
 * PIV data object contents the client reads and writes (SP 800-73-4 Part 1 Tables 9, 15):
 * certificate containers and the CHUID (the encoders are in smartcard/piv-objects.ts, shared with the virtual card).
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CardDeskError } from '../../shared/errors';
import { CERT_INFO, CERTIFICATE_OBJECT, CHUID_TAG } from '../../smartcard/piv';
import { findTlv, requireTlv } from '../../smartcard/tlv';

const inflate = promisify(gunzip);

/** The certificate inside a certificate object: tag 70, gunzipped (in the thread pool) when CertInfo (71) says it is compressed. */
export async function parseCertificateObject(content: Uint8Array): Promise<Uint8Array> {
  const certificate = requireTlv(content, CERTIFICATE_OBJECT.CERTIFICATE);
  const info = findTlv(content, CERTIFICATE_OBJECT.CERT_INFO)?.[0] ?? CERT_INFO.UNCOMPRESSED;
  if ((info & CERT_INFO.GZIP) === 0) return certificate;
  try {
    return new Uint8Array(await inflate(certificate));
  } catch (error) {
    throw new CardDeskError('CARD_ERROR', 'A compressed certificate on the card could not be read.', { cause: error });
  }
}

export interface Chuid {
  /** The card's GUID (tag 34), upper-case hex. */
  readonly guid: string | null;
  readonly fascn: string | null;
  /** Expiration date (tag 35) as YYYY-MM-DD. */
  readonly expires: string | null;
}

export function parseChuid(content: Uint8Array): Chuid {
  const hex = (tag: number): string | null => {
    const value = findTlv(content, tag);
    return value === undefined ? null : Buffer.from(value).toString('hex').toUpperCase();
  };
  const date = findTlv(content, CHUID_TAG.EXPIRATION);
  const text = date === undefined ? null : Buffer.from(date).toString('latin1');
  return {
    guid: hex(CHUID_TAG.GUID),
    fascn: hex(CHUID_TAG.FASCN),
    expires: text !== null && /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : null,
  };
}
