/** Assembles and signs certificates for CardDesk's CA: the CA certificates and every profile's leaves. */
import type { CertificateProfile, SubjectAltName } from '../../shared/schemas/certificates';
import { describeKey, keyIdentifier, type CaSigner } from './ca-signer';
import { randomSerial, signCertificate } from './certificate-builder';
import type { ParsedCertificate } from './certificate-reader';
import { createPublicKey } from 'node:crypto';
import {
  authorityInfoAccessOcsp,
  authorityKeyIdentifier,
  basicConstraints,
  crlDistributionPoint,
  extendedKeyUsage,
  keyUsage,
  ocspNoCheck,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions';
import { profiles } from './profiles';

const DAY = 86_400_000;
/** Backdating absorbs clock differences between the desk and relying parties. */
const BACKDATE_MS = 5 * 60_000;

export interface LeafRequest {
  readonly profile: CertificateProfile;
  readonly subject: Buffer;
  readonly publicKeyInfo: Buffer;
  readonly subjectAltNames: readonly SubjectAltName[];
  readonly validityDays: number;
  readonly now: Date;
}

export interface Issuer {
  readonly signer: CaSigner;
  readonly certificate: ParsedCertificate;
  readonly ocspUrl: string | null;
  readonly crlUrl: string | null;
}

/** A leaf never outlives its issuing CA (RFC 5280 path validation would reject it anyway). */
export function leafValidity(now: Date, days: number, issuer: ParsedCertificate): { notBefore: Date; notAfter: Date } {
  const notAfter = new Date(Math.min(now.getTime() + days * DAY, issuer.notAfter.getTime()));
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter };
}

export async function issueLeaf(request: LeafRequest, issuer: Issuer): Promise<Buffer> {
  const spec = profiles[request.profile];
  const key = describeKey(createPublicKey({ key: request.publicKeyInfo, format: 'der', type: 'spki' }));
  const extensions = [
    basicConstraints(false),
    keyUsage(spec.keyUsage(key)),
    extendedKeyUsage(spec.extendedKeyUsage),
    subjectKeyIdentifier(keyIdentifier(request.publicKeyInfo)),
    authorityKeyIdentifier(keyIdentifier(issuer.certificate.publicKeyInfo)),
    ...(request.subjectAltNames.length > 0 ? [subjectAltName(request.subjectAltNames)] : []),
    ...(issuer.crlUrl === null ? [] : [crlDistributionPoint(issuer.crlUrl)]),
    ...(issuer.ocspUrl === null || spec.ocspNoCheck === true ? [] : [authorityInfoAccessOcsp(issuer.ocspUrl)]),
    ...(spec.ocspNoCheck === true ? [ocspNoCheck()] : []),
  ];
  return signCertificate(
    {
      serial: randomSerial(),
      issuer: issuer.certificate.subjectDer,
      subject: request.subject,
      ...leafValidity(request.now, request.validityDays, issuer.certificate),
      publicKeyInfo: request.publicKeyInfo,
      extensions,
    },
    issuer.signer,
  );
}

/** A CA certificate: self-signed root (no `issuer`) or an issuing CA under the root. */
export async function issueCaCertificate(options: {
  subject: Buffer;
  publicKeyInfo: Buffer;
  years: number;
  now: Date;
  signer: CaSigner;
  issuer: ParsedCertificate | null;
  pathLength?: number;
}): Promise<Buffer> {
  const notAfter = new Date(options.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.years);
  const clamped = options.issuer === null ? notAfter : new Date(Math.min(notAfter.getTime(), options.issuer.notAfter.getTime()));
  const authorityKey = options.issuer === null ? options.publicKeyInfo : options.issuer.publicKeyInfo;
  return signCertificate(
    {
      serial: randomSerial(),
      issuer: options.issuer === null ? options.subject : options.issuer.subjectDer,
      subject: options.subject,
      notBefore: new Date(options.now.getTime() - BACKDATE_MS),
      notAfter: clamped,
      publicKeyInfo: options.publicKeyInfo,
      extensions: [
        basicConstraints(true, options.pathLength),
        keyUsage(['digitalSignature', 'keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyIdentifier(options.publicKeyInfo)),
        authorityKeyIdentifier(keyIdentifier(authorityKey)),
      ],
    },
    options.signer,
  );
}
