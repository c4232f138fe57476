/**
 * Checks an RFC 3161 time-stamp token: a CMS SignedData over a TSTInfo (§2.4.2) whose message
 * imprint is the digest of the stamped data, signed by a certificate with id-kp-timeStamping
 * (§2.3), whose path reaches a trust anchor.
 */
import { createHash } from 'node:crypto';
import { decodeExtensions, type ParsedCertificate } from '../../ca/certificate-reader';
import { children, readOid, readTlv, type DerElement } from '../../ca/der';
import { OID } from '../../ca/oids';
import { buildPath } from './certificate-path';
import { checkSigner, digestByOid, findSignerCertificate, readSignedData } from './cms';
import { generalizedTime } from './revocation-data';

export interface TokenCheck {
  readonly time: Date | null;
  readonly authority: ParsedCertificate | null;
  /** The imprint matches the data. */
  readonly imprintMatches: boolean;
  /** The token's own signature verifies and its signer is a time-stamping certificate. */
  readonly signatureValid: boolean;
  readonly trusted: boolean;
  readonly certificates: Buffer[];
}

export function checkToken(token: Buffer, data: readonly Buffer[], pool: readonly Buffer[], trustAnchors: readonly Buffer[]): TokenCheck {
  const cms = readSignedData(token);
  if (cms.eContentType !== OID.tstInfo || cms.eContent === null) throw new Error('not a time-stamp token');
  const info = children(readTlv(cms.eContent));
  const imprint = children(info[2] as DerElement);
  const digest = digestByOid(readOid(children(imprint[0] as DerElement)[0] as DerElement));
  let imprintMatches = false;
  if (digest !== null) {
    const hash = createHash(digest);
    for (const part of data) hash.update(part);
    imprintMatches = hash.digest().equals((imprint[1] as DerElement).content);
  }
  const time = generalizedTime(info[4] as DerElement);
  const authority = findSignerCertificate(cms.signer, [...cms.certificates, ...pool]);
  if (authority === null) return { time, authority, imprintMatches, signatureValid: false, trusted: false, certificates: cms.certificates };
  const check = checkSigner(cms.signer, authority, cms.eContent);
  const timeStamping = decodeExtensions(authority).extendedKeyUsage.includes('timeStamping');
  const path = buildPath(authority, [...cms.certificates, ...pool], trustAnchors);
  return { time, authority, imprintMatches, signatureValid: check.digestMatches && check.signatureValid && timeStamping, trusted: path.status === 'trusted', certificates: cms.certificates };
}
