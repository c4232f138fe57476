/**
 * The virtual card's cryptography: on-card key generation, the raw private-key operations a PIV
 * card performs (RSA without padding, ECDSA on a given digest, ECDH). RSA and ECDH use Node's crypto; ECDSA over a caller's digest is not
 * exposed by Node, so it uses @noble/curves (audited, constant-time). The management key's cipher
 * is in smartcard/management-key.ts, shared with the client.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPair,
  privateDecrypt,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { p256, p384 } from '@noble/curves/nist.js';
import { asymmetricAlgorithms, EC_POINT_UNCOMPRESSED, PUBLIC_KEY, type AsymmetricAlgorithm } from '../smartcard/piv';
import { concatBytes, encodeTlv } from '../smartcard/tlv';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The public exponent of every RSA key the card makes or imports (F4). */
const RSA_PUBLIC_EXPONENT = 65537;

export async function generateCardKey(algorithm: AsymmetricAlgorithm): Promise<KeyObject> {
  const spec = asymmetricAlgorithms[algorithm];
  const pair =
    spec.kind === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: spec.bits, publicExponent: RSA_PUBLIC_EXPONENT })
      : await generateKeyPairAsync('ec', { namedCurve: spec.curve === 'P-256' ? 'prime256v1' : 'secp384r1' });
  return pair.privateKey;
}

export function privateKeyFromPkcs8(base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
}

export function privateKeyToPkcs8(key: KeyObject): string {
  return key.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

function b64u(value: string | undefined): Buffer {
  if (value === undefined) throw new Error('key component missing');
  return Buffer.from(value, 'base64url');
}

/** Strips leading zero bytes (DER integers carry one; PIV public key TLVs do not). */
function unsigned(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

/**
 * The public key as the card returns it from GENERATE ASYMMETRIC KEY PAIR, without the 7F49
 * wrapper: 81 modulus and 82 exponent for RSA, 86 uncompressed point for EC (SP 800-73-4 Part 2 Table 11).
 */
export function publicKeyTemplate(privateKey: KeyObject): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return concatBytes(encodeTlv(PUBLIC_KEY.MODULUS, unsigned(b64u(jwk.n))), encodeTlv(PUBLIC_KEY.EXPONENT, unsigned(b64u(jwk.e))));
  return encodeTlv(PUBLIC_KEY.POINT, concatBytes(Uint8Array.of(EC_POINT_UNCOMPRESSED), b64u(jwk.x), b64u(jwk.y)));
}

export function modulusLength(privateKey: KeyObject): number {
  const details = privateKey.asymmetricKeyDetails;
  if (details?.modulusLength !== undefined) return details.modulusLength / 8;
  return details?.namedCurve === 'secp384r1' ? 48 : 32;
}

/** The RSA private operation on a full-length block, as a PIV card does it: no padding added or checked. */
export function rsaRaw(privateKey: KeyObject, block: Uint8Array): Uint8Array {
  // privateDecrypt with RSA_NO_PADDING is exactly m^d mod n.
  return new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block));
}

/** ECDSA over a digest the host computed; the signature is DER (SEQUENCE of r and s). */
export function ecdsaSignDigest(privateKey: KeyObject, digest: Uint8Array): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  const scalar = b64u(jwk.d);
  try {
    const curve = jwk.crv === 'P-384' ? p384 : p256;
    return curve.sign(digest, scalar, { prehash: false, format: 'der' });
  } finally {
    scalar.fill(0);
  }
}

/** ECDH with the peer's uncompressed point; returns the x coordinate (SP 800-56A shared secret Z). */
export function ecdh(privateKey: KeyObject, peerPoint: Uint8Array): Uint8Array {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
  const size = curve === 'P-384' ? 48 : 32;
  if (peerPoint.length !== 1 + 2 * size || peerPoint[0] !== EC_POINT_UNCOMPRESSED) throw new RangeError('peer point must be uncompressed and on the key’s curve');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: curve,
      x: Buffer.from(peerPoint.subarray(1, 1 + size)).toString('base64url'),
      y: Buffer.from(peerPoint.subarray(1 + size)).toString('base64url'),
    },
    format: 'jwk',
  });
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

function bigintOf(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bytesOf(value: bigint, length?: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const raw = Buffer.from(hex, 'hex');
  if (length === undefined || raw.length >= length) return raw;
  return Buffer.concat([Buffer.alloc(length - raw.length), raw]);
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

/** An RSA private key from the CRT parts a host imports (p, q, dp, dq, qinv), exponent 65537. */
export function rsaKeyFromCrt(parts: { p: Uint8Array; q: Uint8Array; dp: Uint8Array; dq: Uint8Array; qinv: Uint8Array }): KeyObject {
  const p = bigintOf(parts.p);
  const q = bigintOf(parts.q);
  const e = BigInt(RSA_PUBLIC_EXPONENT);
  const n = p * q;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  const d = modInverse(e, lambda);
  if (d % (p - 1n) !== bigintOf(parts.dp) % (p - 1n) || d % (q - 1n) !== bigintOf(parts.dq) % (q - 1n)) {
    throw new RangeError('CRT exponents do not match p and q');
  }
  const size = bytesOf(n).length;
  const jwk = {
    kty: 'RSA',
    n: bytesOf(n).toString('base64url'),
    e: bytesOf(e).toString('base64url'),
    d: bytesOf(d, size).toString('base64url'),
    p: Buffer.from(parts.p).toString('base64url'),
    q: Buffer.from(parts.q).toString('base64url'),
    dp: Buffer.from(parts.dp).toString('base64url'),
    dq: Buffer.from(parts.dq).toString('base64url'),
    qi: Buffer.from(parts.qinv).toString('base64url'),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

/** An EC private key from its scalar; the public point is derived. */
export function ecKeyFromScalar(algorithm: 'eccp256' | 'eccp384', scalar: Uint8Array): KeyObject {
  const curve = algorithm === 'eccp384' ? p384 : p256;
  const size = algorithm === 'eccp384' ? 48 : 32;
  if (scalar.length !== size) throw new RangeError(`an ${algorithm} private key has ${size} bytes`);
  const point = curve.getPublicKey(scalar, false);
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: algorithm === 'eccp384' ? 'P-384' : 'P-256',
      d: Buffer.from(scalar).toString('base64url'),
      x: Buffer.from(point.subarray(1, 1 + size)).toString('base64url'),
      y: Buffer.from(point.subarray(1 + size)).toString('base64url'),
    },
    format: 'jwk',
  });
}
