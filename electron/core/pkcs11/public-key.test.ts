import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitLength, curveOf, ecParamsOf, ecPointOf, ecSpki, isKnownCurve, oidText, rsaSpki } from './public-key';

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

describe('public keys from token attributes', () => {
  it('builds the same SPKI as Node from RSA n and e (CKA_MODULUS, CKA_PUBLIC_EXPONENT)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n ?? '', 'base64url');
    // Tokens may give a leading zero byte; it must not change the key.
    expect(rsaSpki(Buffer.concat([Buffer.from([0]), n]), Buffer.from(jwk.e ?? '', 'base64url'))).toEqual(spkiOf(publicKey));
    expect(bitLength(n)).toBe(2048);
    expect(bitLength(Buffer.from([0, 0, 0x01, 0xff]))).toBe(9);
  });

  it.each(['P-256', 'P-384', 'P-521'] as const)('builds the same SPKI as Node for %s, from a DER-wrapped or a bare point', (curve) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    // CKA_EC_POINT is a DER OCTET STRING (v2.40 Current Mechanisms §2.3.3); long form for P-521.
    const header = point.length < 128 ? Buffer.from([0x04, point.length]) : Buffer.from([0x04, 0x81, point.length]);
    expect(ecPointOf(Buffer.concat([header, point]), curve)).toEqual(point);
    expect(ecPointOf(point, curve)).toEqual(point);
    expect(ecSpki(curve, point)).toEqual(spkiOf(publicKey));
    expect(curveOf(ecParamsOf(curve))).toBe(curve);
  });

  it('refuses a point of the wrong size or a compressed point', () => {
    expect(ecPointOf(Buffer.alloc(65, 0x04), 'P-384')).toBeNull();
    expect(ecPointOf(Buffer.concat([Buffer.from([0x03]), Buffer.alloc(32)]), 'P-256')).toBeNull();
  });

  it('names other curves by OID, and explicit parameters not at all', () => {
    // secp256k1: 1.3.132.0.10
    expect(curveOf(Buffer.from('06052b8104000a', 'hex'))).toBe('1.3.132.0.10');
    expect(oidText(Buffer.from('06082a8648ce3d030107', 'hex'))).toBe('1.2.840.10045.3.1.7');
    expect(curveOf(Buffer.from('3081', 'hex'))).toBeNull();
    expect(isKnownCurve('1.3.132.0.10')).toBe(false);
    expect(isKnownCurve('P-384')).toBe(true);
  });
});
