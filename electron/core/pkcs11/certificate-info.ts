/**
 * Certificates on a token: the readable parts (Node's X509Certificate), and the raw DER
 * fields PKCS#11 wants as attributes when a certificate is written (v2.40 §4.6.3, table 24:
 * CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER are the DER of those fields).
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateDetails } from './schemas/objects';

/**
 * Node prints a name one RDN per line in certificate order (country first), already escaped
 * per RFC 4514 (`O=Example\, Inc.`); RFC 4514's string form is the reverse, comma-separated.
 */
export function readableName(multiline: string): string {
  return multiline
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(', ');
}

/** The readable parts, or null when the bytes are not an X.509 certificate Node can read. */
export function certificateDetails(der: Uint8Array): CertificateDetails | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    return null;
  }
  return {
    subject: readableName(certificate.subject),
    issuer: readableName(certificate.issuer),
    serialNumber: certificate.serialNumber.toUpperCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    fingerprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

interface DerElement {
  readonly tag: number;
  /** The whole element, header included. */
  readonly der: Buffer;
  /** The content octets. */
  readonly body: Buffer;
}

function readTlv(bytes: Buffer, offset: number): DerElement {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new Error('truncated DER');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 3) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new Error('truncated DER');
  return { tag, der: bytes.subarray(offset, end), body: bytes.subarray(offset + header, end) };
}

function children(parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let offset = 0; offset < parent.body.length; ) {
    const child = readTlv(parent.body, offset);
    out.push(child);
    offset += child.der.length;
  }
  return out;
}

export interface CertificateFields {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly serialNumber: Buffer;
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
 * signature, issuer, validity, subject, … }, … } (RFC 5280 §4.1). Throws on anything else.
 */
export function certificateFields(der: Uint8Array): CertificateFields {
  const bytes = Buffer.from(der);
  const certificate = readTlv(bytes, 0);
  if (certificate.tag !== 0x30 || certificate.der.length !== bytes.length) throw new Error('not a DER certificate');
  const tbs = children(certificate)[0];
  if (tbs?.tag !== 0x30) throw new Error('not a DER certificate');
  const fields = children(tbs);
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
  const [serialNumber, , issuer, , subject] = rest;
  if (serialNumber?.tag !== 0x02 || issuer?.tag !== 0x30 || subject?.tag !== 0x30) throw new Error('not a DER certificate');
  return { subject: subject.der, issuer: issuer.der, serialNumber: serialNumber.der };
}
