/** Assembles and signs certificates for CardDesk's CA: the CA certificates and every profile's leaves. */
import type { CertificateProfile, SubjectAltName } from '../../shared/schemas/certificates';
import { describeKey, keyIdentifier, type CaSigner } from './ca-signer';
import { randomSerial, signCertificate } from './certificate-builder';
import type { ParsedCertificate } from './certificate-reader';
import { createPublicKey } from 'node:crypto';
import {
  authorityInfoAccess,
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
import { CardDeskError } from '../../shared/errors';
import type { PublicUrls } from './public-urls';

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
  /** The published addresses written into what it issues (CDP, AIA); null: none. */
  readonly urls: PublicUrls | null;
}

/**
 * A certificate's validity always lies inside its issuer's (RFC 5280 path validation would
 * reject it anyway): notBefore no earlier than the issuer's, notAfter clamped to the issuer's.
 * An issuer that has expired, or is not valid yet, issues nothing.
 */
export function validityWithin(now: Date, notAfter: Date, issuer: ParsedCertificate): { notBefore: Date; notAfter: Date } {
  if (issuer.notAfter.getTime() <= now.getTime()) {
    throw new CardDeskError('INVALID_STATE', `The issuing certificate "${issuer.subject}" expired on ${issuer.notAfter.toISOString()}; nothing can be issued under it.`);
  }
  if (issuer.notBefore.getTime() > now.getTime()) {
    throw new CardDeskError('INVALID_STATE', `The issuing certificate "${issuer.subject}" is not valid before ${issuer.notBefore.toISOString()}; nothing can be issued under it yet.`);
  }
  return {
    notBefore: new Date(Math.max(now.getTime() - BACKDATE_MS, issuer.notBefore.getTime())),
    notAfter: new Date(Math.min(notAfter.getTime(), issuer.notAfter.getTime())),
  };
}

export function leafValidity(now: Date, days: number, issuer: ParsedCertificate): { notBefore: Date; notAfter: Date } {
  return validityWithin(now, new Date(now.getTime() + days * DAY), issuer);
}

export async function issueLeaf(request: LeafRequest, issuer: Issuer): Promise<Buffer> {
  const spec = profiles[request.profile];
  const key = describeKey(createPublicKey({ key: request.publicKeyInfo, format: 'der', type: 'spki' }));
  const extensions = [
    basicConstraints(false),
    keyUsage(spec.keyUsage(key)),
    extendedKeyUsage(spec.extendedKeyUsage, spec.extendedKeyUsageCritical === true),
    subjectKeyIdentifier(keyIdentifier(request.publicKeyInfo)),
    authorityKeyIdentifier(keyIdentifier(issuer.certificate.publicKeyInfo)),
    ...(request.subjectAltNames.length > 0 ? [subjectAltName(request.subjectAltNames)] : []),
    ...(issuer.urls === null ? [] : [crlDistributionPoint(issuer.urls.crl)]),
    // The OCSP signer is not checked by OCSP (ocspNoCheck); it still says where its issuer is.
    ...(issuer.urls === null ? [] : [authorityInfoAccess({ ocsp: spec.ocspNoCheck === true ? null : issuer.urls.ocsp, caIssuers: issuer.urls.caIssuers })]),
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
  const validity = options.issuer === null ? { notBefore: new Date(options.now.getTime() - BACKDATE_MS), notAfter } : validityWithin(options.now, notAfter, options.issuer);
  const authorityKey = options.issuer === null ? options.publicKeyInfo : options.issuer.publicKeyInfo;
  return signCertificate(
    {
      serial: randomSerial(),
      issuer: options.issuer === null ? options.subject : options.issuer.subjectDer,
      subject: options.subject,
      ...validity,
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
