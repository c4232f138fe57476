import { constants, createHash, generateKeyPairSync, privateEncrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestInfo, ecdsaRawToDer, hashLength } from './signature-encoding';

const message = Buffer.from('CardDesk');

describe('DigestInfo for CKM_RSA_PKCS', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it.each([
    ['SHA-1', 'sha1'],
    ['SHA-256', 'sha256'],
    ['SHA-384', 'sha384'],
    ['SHA-512', 'sha512'],
  ] as const)('padded the PKCS#1 v1.5 way, %s gives the same signature as Node (RFC 8017 §9.2)', (hash, node) => {
    const digest = createHash(node).update(message).digest();
    // What a token does with CKM_RSA_PKCS: type-1 padding of the input, then the private-key operation.
    const token = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
    expect(token).toEqual(sign(node, message, privateKey));
  });

  it('refuses a digest of the wrong length', () => {
    expect(() => digestInfo('SHA-256', Buffer.alloc(20))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENTS' }));
    expect(hashLength['SHA-384']).toBe(48);
  });
});

describe('ECDSA r||s to DER', () => {
  it.each(['P-256', 'P-384', 'P-521'] as const)('%s signatures re-encoded verify with Node', (namedCurve) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (let i = 0; i < 20; i++) {
      const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      expect(verify('sha256', message, publicKey, der)).toBe(true);
    }
  });

  it('drops leading zeros, adds one where the top bit is set, uses long lengths when needed', () => {
    const r = Buffer.alloc(32);
    r[31] = 0x01;
    const s = Buffer.alloc(32, 0xff);
    expect(ecdsaRawToDer(Buffer.concat([r, s])).toString('hex')).toBe(`3026020101022100${'ff'.repeat(32)}`);
    const big = ecdsaRawToDer(Buffer.alloc(132, 0x80));
    // Each 66-byte half with its top bit set becomes a 67-byte INTEGER: 2 × 69 = 138 = 0x8a.
    expect(big.subarray(0, 3).toString('hex')).toBe('30818a');
  });

  it('refuses an odd-length or empty signature from a token', () => {
    expect(() => ecdsaRawToDer(Buffer.alloc(63))).toThrow(expect.objectContaining({ code: 'PKCS11_ERROR' }));
    expect(() => ecdsaRawToDer(Buffer.alloc(0))).toThrow();
  });
});
