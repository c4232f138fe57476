import { constants, type KeyObject as Key, createECDH, generateKeyPairSync, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa, type TestCa } from '../../../test/support/provision';
import { decodeOaep, unwrapWithCard, wrapForCard, type CardKeyOperations } from './card-wrap';

/** A software stand-in for the card's 9D private operations (the integration tests use the real virtual card). */
function softCard(privateKey: KeyObject): CardKeyOperations {
  return {
    decrypt: (_slot, _algorithm, block) => Promise.resolve(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block)),
    ecdh: (_slot, _algorithm, point) => {
      const jwk = privateKey.export({ format: 'jwk' });
      const ecdh = createECDH(jwk.crv === 'P-256' ? 'prime256v1' : 'secp384r1');
      ecdh.setPrivateKey(Buffer.from(jwk.d ?? '', 'base64url'));
      return Promise.resolve(ecdh.computeSecret(point));
    },
  };
}

/** A certificate for `publicKey` from the OpenSSL test CA (DER). */
function issueLeaf(ca: TestCa, publicKey: Key): Buffer {
  const pub = join(ca.dir, 'leaf.pub.pem');
  const out = join(ca.dir, 'leaf.der');
  writeFileSync(pub, publicKey.export({ format: 'pem', type: 'spki' }));
  execFileSync('openssl', ['x509', '-new', '-subj', '/CN=leaf', '-force_pubkey', pub, '-CA', ca.certificate, '-CAkey', ca.key, '-days', '1', '-outform', 'DER', '-out', out]);
  return readFileSync(out);
}

describe('the vault key wrapped for a card', () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await createTestCa(mkdtempSync(join(tmpdir(), 'carddesk-wrap-')));
  });
  for (const [name, options] of [
    ['rsa', { type: 'rsa' as const, modulusLength: 2048 }],
    ['p256', { type: 'ec' as const, namedCurve: 'prime256v1' }],
    ['p384', { type: 'ec' as const, namedCurve: 'secp384r1' }],
  ] as const) {
    it(`opens with the card's ${name} key and no other`, async () => {
      const pair = options.type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: options.namedCurve });
      const other = options.type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: options.namedCurve });
      const der = issueLeaf(ca, pair.publicKey);
      const dek = randomBytes(32);
      const wrapping = await wrapForCard(dek, der, { operatorId: 'op', cardSerial: '123', certificateSerial: 'AB' }, new Date());
      expect(wrapping.exchange).not.toContain(dek.toString('base64'));
      expect(await unwrapWithCard(softCard(pair.privateKey), wrapping)).toEqual(dek);
      expect(await unwrapWithCard(softCard(other.privateKey), wrapping)).toBeNull();
      // Bound to its card: the same wrapping claimed for another card does not open.
      expect(await unwrapWithCard(softCard(pair.privateKey), { ...wrapping, cardSerial: '124' })).toBeNull();
    });
  }

  it('refuses a block that is not OAEP', () => {
    expect(decodeOaep(randomBytes(256))).toBeNull();
    expect(decodeOaep(Buffer.alloc(10))).toBeNull();
  });
});
