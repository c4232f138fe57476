/**
 * Certificate objects as cards store them (SP 800-73-4 Part 1 Table 15): plain, or gzipped with
 * CertInfo 01 (as OpenSC and ykman write large certificates); a damaged gzip is a card error.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CERT_INFO, CERTIFICATE_OBJECT } from '../../smartcard/piv';
import { concatBytes, encodeTlv } from '../../smartcard/tlv';
import { parseCertificateObject } from './piv-objects';

const certificateObject = (certificate: Uint8Array, info: number): Uint8Array =>
  concatBytes(encodeTlv(CERTIFICATE_OBJECT.CERTIFICATE, certificate), encodeTlv(CERTIFICATE_OBJECT.CERT_INFO, Uint8Array.of(info)));

describe('parseCertificateObject', () => {
  // Stand-in bytes with the size of a real certificate: the object parser does not read the DER.
  const der = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));

  it('gives a plain certificate as stored', async () => {
    expect(await parseCertificateObject(certificateObject(der, CERT_INFO.UNCOMPRESSED))).toEqual(der);
  });

  it('inflates a gzipped certificate', async () => {
    expect(await parseCertificateObject(certificateObject(new Uint8Array(gzipSync(der)), CERT_INFO.GZIP))).toEqual(der);
  });

  it('refuses a damaged gzipped certificate as a card error', async () => {
    await expect(parseCertificateObject(certificateObject(new Uint8Array(randomBytes(64)), CERT_INFO.GZIP))).rejects.toMatchObject({ code: 'CARD_ERROR' });
  });
});
