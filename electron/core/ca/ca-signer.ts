/**
 * Who signs for the CA. The software signer holds a private KeyObject (unsealed from the vault
 * for the duration of an operation); a PKCS#11 signer would keep the key on a token and
 * implement the same interface. Signatures always come from Node's native crypto (OpenSSL),
 * never from a pure-JS implementation.
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { children, nullValue, oid, readTlv, seq } from './der';
import { OID } from './oids';

export interface CaSigner {
  /** DER AlgorithmIdentifier of the signatures this signer makes. */
  readonly algorithmIdentifier: Buffer;
  /** DER SubjectPublicKeyInfo of the signing key. */
  readonly publicKeyInfo: Buffer;
  sign(data: Buffer): Promise<Buffer>;
}

export interface KeyDescription {
  readonly kind: 'rsa' | 'ec';
  readonly bits: number;
  readonly curve: string | null;
}

export function describeKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { kind: 'rsa', bits: details.modulusLength ?? 0, curve: null };
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? '';
    return { kind: 'ec', bits: curve.includes('384') ? 384 : curve.includes('521') ? 521 : 256, curve };
  }
  throw new CardDeskError('MALFORMED_INPUT', `Keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported (use RSA or ECC).`);
}

export function describeKeyText(key: KeyObject): string {
  const d = describeKey(key);
  return d.kind === 'rsa' ? `RSA ${d.bits}` : `ECC ${d.curve === 'prime256v1' ? 'P-256' : d.curve === 'secp384r1' ? 'P-384' : (d.curve ?? '')}`;
}

/** The signature algorithm and digest CardDesk uses with a key (RFC 4055, RFC 5758). */
export function signatureAlgorithmFor(key: KeyObject): { identifier: Buffer; digest: 'sha256' | 'sha384' } {
  const d = describeKey(key);
  if (d.kind === 'rsa') return { identifier: seq(oid(OID.sha256WithRsa), nullValue()), digest: 'sha256' };
  return d.bits >= 384 ? { identifier: seq(oid(OID.ecdsaWithSha384)), digest: 'sha384' } : { identifier: seq(oid(OID.ecdsaWithSha256)), digest: 'sha256' };
}

export class SoftwareSigner implements CaSigner {
  readonly algorithmIdentifier: Buffer;
  readonly publicKeyInfo: Buffer;
  readonly #digest: 'sha256' | 'sha384';

  constructor(private readonly privateKey: KeyObject) {
    const algorithm = signatureAlgorithmFor(privateKey);
    this.algorithmIdentifier = algorithm.identifier;
    this.#digest = algorithm.digest;
    this.publicKeyInfo = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  }

  sign(data: Buffer): Promise<Buffer> {
    return Promise.resolve(sign(this.#digest, data, this.privateKey));
  }
}

/** The subjectPublicKey BIT STRING's bytes (without the unused-bits byte) from an SPKI. */
export function subjectPublicKeyBits(spki: Buffer): Buffer {
  const [, bits] = children(readTlv(spki));
  if (bits === undefined || bits.tag !== 0x03) throw new CardDeskError('MALFORMED_INPUT', 'The public key is malformed.');
  return bits.content.subarray(1);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
}
