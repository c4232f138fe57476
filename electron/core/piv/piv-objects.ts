/**
 * PIV data object contents the client reads and writes (SP 800-73-4 Part 1 Tables 9, 15):
 * certificate containers and the CHUID.
 */
import { gunzipSync } from 'node:zlib';
import { CardDeskError } from '../../shared/errors';
import { concatBytes, encodeTlv, findTlv, requireTlv } from '../../smartcard/tlv';

/** The certificate inside a certificate object: tag 70, gunzipped when CertInfo (71) says it is compressed. */
export function parseCertificateObject(content: Uint8Array): Uint8Array {
  const certificate = requireTlv(content, 0x70);
  const info = findTlv(content, 0x71)?.[0] ?? 0;
  if ((info & 0x01) === 0) return certificate;
  try {
    return new Uint8Array(gunzipSync(certificate));
  } catch (error) {
    throw new CardDeskError('CARD_ERROR', 'A compressed certificate on the card could not be read.', { cause: error });
  }
}

export function certificateObject(certificateDer: Uint8Array): Uint8Array {
  return concatBytes(encodeTlv(0x70, certificateDer), encodeTlv(0x71, Uint8Array.of(0x00)), encodeTlv(0xfe, new Uint8Array(0)));
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
  const date = findTlv(content, 0x35);
  const text = date === undefined ? null : Buffer.from(date).toString('latin1');
  return {
    guid: hex(0x34),
    fascn: hex(0x30),
    expires: text !== null && /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : null,
  };
}
