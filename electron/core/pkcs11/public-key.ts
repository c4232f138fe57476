/**
 * Public keys from the parts a token gives (CKA_MODULUS/CKA_PUBLIC_EXPONENT for RSA,
 * CKA_EC_PARAMS/CKA_EC_POINT for EC) to a SubjectPublicKeyInfo, via Node's JWK import.
 */
import { createPublicKey } from 'node:crypto';
import type { Curve } from './schemas/objects';

interface CurveFacts {
  /** DER of the named curve's OBJECT IDENTIFIER: what CKA_EC_PARAMS holds (X9.62 ECParameters, namedCurve). */
  readonly paramsHex: string;
  readonly oid: string;
  /** Field size in bytes: each of x, y (and r, s of a signature) is this long. */
  readonly size: number;
}

const curves: Readonly<Record<Curve, CurveFacts>> = {
  'P-256': { paramsHex: '06082a8648ce3d030107', oid: '1.2.840.10045.3.1.7', size: 32 },
  'P-384': { paramsHex: '06052b81040022', oid: '1.3.132.0.34', size: 48 },
  'P-521': { paramsHex: '06052b81040023', oid: '1.3.132.0.35', size: 66 },
};

export function ecParamsOf(curve: Curve): Buffer {
  return Buffer.from(curves[curve].paramsHex, 'hex');
}

/** Dotted form of a DER OBJECT IDENTIFIER (tag 06), or null when it is not one. */
export function oidText(der: Uint8Array): string | null {
  if (der.length < 3 || der[0] !== 0x06 || der[1] !== der.length - 2) return null;
  const values: number[] = [];
  let value = 0;
  for (const byte of der.subarray(2)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      values.push(value);
      value = 0;
    }
  }
  // The first subidentifier packs the first two arcs (X.690 §8.19.4).
  const [first = 0, ...rest] = values;
  const arc = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [arc, first - arc * 40, ...rest].join('.');
}

/** The curve's name for CardDesk's three, its OID for any other named curve, null for explicit parameters. */
export function curveOf(ecParams: Uint8Array): string | null {
  const hex = Buffer.from(ecParams).toString('hex');
  for (const [name, facts] of Object.entries(curves) as [Curve, CurveFacts][]) if (facts.paramsHex === hex) return name;
  return oidText(ecParams);
}

export function isKnownCurve(curve: string | null): curve is Curve {
  return curve !== null && curve in curves;
}

/**
 * The uncompressed point 04||x||y. CKA_EC_POINT is the DER OCTET STRING holding it (v2.40
 * Current Mechanisms §2.3.3), but some modules return the bare point; the length tells which.
 */
export function ecPointOf(value: Uint8Array, curve: Curve): Buffer | null {
  const pointLength = 1 + 2 * curves[curve].size;
  if (value.length === pointLength && value[0] === 0x04) return Buffer.from(value);
  const header = value.length - pointLength;
  if (value[0] === 0x04 && (header === 2 || header === 3) && value[header] === 0x04) {
    const declared = header === 2 ? value[1] : value[1] === 0x81 ? value[2] : -1;
    if (declared === pointLength) return Buffer.from(value.subarray(header));
  }
  return null;
}

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Unsigned big-endian without leading zero bytes, as JWK wants. */
function unsigned(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Buffer {
  const key = createPublicKey({ key: { kty: 'RSA', n: base64url(unsigned(modulus)), e: base64url(unsigned(publicExponent)) }, format: 'jwk' });
  return key.export({ type: 'spki', format: 'der' });
}

export function ecSpki(curve: Curve, point: Uint8Array): Buffer {
  const size = curves[curve].size;
  const x = point.subarray(1, 1 + size);
  const y = point.subarray(1 + size);
  const key = createPublicKey({ key: { kty: 'EC', crv: curve, x: base64url(x), y: base64url(y) }, format: 'jwk' });
  return key.export({ type: 'spki', format: 'der' });
}

/** Bit length of an unsigned big-endian integer (an RSA modulus). */
export function bitLength(bytes: Uint8Array): number {
  const trimmed = unsigned(bytes);
  const top = trimmed[0] ?? 0;
  return top === 0 ? 0 : (trimmed.length - 1) * 8 + (32 - Math.clz32(top));
}
