/** Builds and signs X.509 v3 certificates (RFC 5280 §4.1). */
import { randomBytes } from 'node:crypto';
import { bitString, explicit, integer, integerBytes, seq, time } from './der';
import type { CaSigner } from './ca-signer';

export interface CertificateTemplate {
  /** Positive serial number, big-endian bytes. */
  readonly serial: Buffer;
  /** DER Names. */
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeyInfo: Buffer;
  /** DER Extension elements. */
  readonly extensions: readonly Buffer[];
}

/** 128 random bits (RFC 5280 allows up to 20 octets; CA/B Forum asks for at least 64 random bits). */
export function randomSerial(): Buffer {
  for (;;) {
    const serial = randomBytes(16);
    if (serial[0] !== 0) return serial;
  }
}

export function serialHex(serial: Buffer): string {
  return serial.toString('hex').toUpperCase();
}

export async function signCertificate(template: CertificateTemplate, signer: CaSigner): Promise<Buffer> {
  const tbs = seq(
    explicit(0, integer(2)),
    integerBytes(template.serial),
    signer.algorithmIdentifier,
    template.issuer,
    seq(time(template.notBefore), time(template.notAfter)),
    template.subject,
    template.publicKeyInfo,
    explicit(3, seq(...template.extensions)),
  );
  const signature = await signer.sign(tbs);
  return seq(tbs, signer.algorithmIdentifier, bitString(signature));
}
