import { X509Certificate } from 'node:crypto';
import type { CardCertificateSummary } from '../../shared/schemas/cards';

/** "CN=Ada, O=Example" from Node's multi-line DN text. */
export function oneLineDn(text: string): string {
  return text
    .split('\n')
    .filter((part) => part.trim() !== '')
    .join(', ');
}

export function keyTypeOf(certificate: X509Certificate): string {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${details?.namedCurve === 'secp384r1' ? 'P-384' : details?.namedCurve === 'prime256v1' ? 'P-256' : (details?.namedCurve ?? '?')}`;
  return key.asymmetricKeyType ?? 'unknown';
}

/** What a screen shows of a certificate; null when the bytes are not a certificate. */
export function summarizeCertificate(der: Uint8Array): CardCertificateSummary | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(Buffer.from(der));
  } catch {
    return null;
  }
  return {
    subject: oneLineDn(certificate.subject),
    issuer: oneLineDn(certificate.issuer),
    serial: certificate.serialNumber,
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    keyType: keyTypeOf(certificate),
    fingerprintSha256: certificate.fingerprint256,
  };
}
