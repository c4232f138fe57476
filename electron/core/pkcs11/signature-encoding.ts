/**
 * Byte-level encodings around signatures that tokens leave to the caller: the DigestInfo
 * CKM_RSA_PKCS expects to be given (it only pads), and the DER form of an ECDSA signature
 * (tokens return r||s).
 */
import { CardDeskError } from '../../shared/errors';
import type { Hash } from './schemas/crypto';

/** Digest lengths in bytes. */
export const hashLength: Readonly<Record<Hash, number>> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** Node's names for the same hashes. */
export const nodeHashName: Readonly<Record<Hash, string>> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier (with NULL parameters), OCTET STRING }
 * up to the digest itself; RFC 8017 §9.2, note 1 lists these prefixes.
 */
const digestInfoPrefix: Readonly<Record<Hash, string>> = {
  'SHA-1': '3021300906052b0e03021a05000414',
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};

export function assertDigestLength(hash: Hash, digest: Uint8Array): void {
  if (digest.length !== hashLength[hash]) {
    throw new CardDeskError('INVALID_ARGUMENTS', `A ${hash} digest is ${hashLength[hash]} bytes, not ${digest.length}.`);
  }
}

/** The input CKM_RSA_PKCS signs for PKCS#1 v1.5 (RFC 8017 §9.2, step 2). */
export function digestInfo(hash: Hash, digest: Uint8Array): Buffer {
  assertDigestLength(hash, digest);
  return Buffer.concat([Buffer.from(digestInfoPrefix[hash], 'hex'), digest]);
}

/** The block a raw RSA key operation turns into a PKCS#1 v1.5 signature: 00 01 FF…FF 00 DigestInfo (RFC 8017 §9.2, step 5). */
export function emsaPkcs1v15(hash: Hash, digest: Uint8Array, modulusBytes: number): Buffer {
  const info = digestInfo(hash, digest);
  const padding = modulusBytes - info.length - 3;
  if (padding < 8) throw new CardDeskError('INVALID_ARGUMENTS', `A ${modulusBytes * 8}-bit RSA key is too short for a ${hash} signature.`);
  return Buffer.concat([Buffer.from([0x00, 0x01]), Buffer.alloc(padding, 0xff), Buffer.from([0x00]), info]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

/** A big-endian unsigned integer as a DER INTEGER: no leading zeros, a 00 when the top bit is set. */
function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = Buffer.from(bytes.subarray(start));
  const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

/**
 * r||s (PKCS#11 v2.40 Current Mechanisms §2.3.1: "the concatenation of r and s, each the
 * length of the order") as Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3).
 */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new CardDeskError('PKCS11_ERROR', `The token returned an ECDSA signature of odd length (${raw.length} bytes).`);
  }
  const half = raw.length / 2;
  const body = Buffer.concat([derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
