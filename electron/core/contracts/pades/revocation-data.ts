/**
 * Reads embedded revocation data for one certificate: CRLs (RFC 5280 §5) and OCSP responses
 * (RFC 6960 §4.2), each checked against the issuer (a CRL signed by it; an OCSP response signed by
 * it or by a responder it certified with id-kp-OCSPSigning). Unreadable or unverifiable data is
 * ignored, never trusted.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { parseCertificate, parseTime, signedBy, type ParsedCertificate } from '../../ca/certificate-reader';
import { children, readOid, readTlv, type DerElement } from '../../ca/der';
import { OID } from '../../ca/oids';
import { digestByOid, signatureDigests } from './cms';

export interface RevocationFinding {
  readonly state: 'good' | 'revoked' | 'onHold' | 'unknown';
  readonly revokedAt: Date | null;
  readonly reason: string | null;
  readonly source: 'embeddedCrl' | 'embeddedOcsp';
}

/** RFC 5280 §5.3.1 CRLReason codes. */
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'unused', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

function signatureValid(tbs: DerElement, algorithm: DerElement, bits: DerElement, signer: ParsedCertificate): boolean {
  const digest = signatureDigests[readOid(children(algorithm)[0] as DerElement)];
  if (digest === undefined) return false;
  try {
    return verify(digest, tbs.raw, createPublicKey({ key: signer.publicKeyInfo, format: 'der', type: 'spki' }), bits.content.subarray(1));
  } catch {
    return false;
  }
}

const trim = (b: Buffer): string => {
  let out = b;
  while (out.length > 1 && out[0] === 0) out = out.subarray(1);
  return out.toString('hex').toUpperCase();
};

function revokedState(reason: number | null): RevocationFinding['state'] {
  return reason === 6 ? 'onHold' : 'revoked';
}

export function fromCrl(der: Buffer, cert: ParsedCertificate, issuer: ParsedCertificate): RevocationFinding | null {
  try {
    const [tbs, algorithm, bits] = children(readTlv(der));
    if (tbs === undefined || algorithm === undefined || bits === undefined) return null;
    const fields = children(tbs);
    let at = fields[0]?.tag === 0x02 ? 1 : 0;
    at += 1; // signature algorithm
    const crlIssuer = fields[at++] as DerElement;
    if (!Buffer.from(crlIssuer.raw).equals(cert.issuerDer) || !signatureValid(tbs, algorithm, bits, issuer)) return null;
    at += 1; // thisUpdate
    if (fields[at]?.tag === 0x17 || fields[at]?.tag === 0x18) at += 1;
    const list = fields[at]?.tag === 0x30 ? children(fields[at] as DerElement) : [];
    for (const entry of list) {
      const [serial, date, extensions] = children(entry);
      if (serial === undefined || date === undefined || trim(serial.content) !== cert.serial) continue;
      let reason: number | null = null;
      for (const ext of extensions === undefined ? [] : children(extensions)) {
        const parts = children(ext);
        if (readOid(parts[0] as DerElement) === OID.reasonCode) reason = readTlv((parts[parts.length - 1] as DerElement).content).content[0] ?? null;
      }
      const revokedAt = parseTime(date);
      return { state: revokedState(reason), revokedAt, reason: reason === null ? null : (REASONS[reason] ?? String(reason)), source: 'embeddedCrl' };
    }
    return { state: 'good', revokedAt: null, reason: null, source: 'embeddedCrl' };
  } catch {
    return null;
  }
}

/** GeneralizedTime with optional fractions (RFC 6960 and RFC 3161 use them). */
export function generalizedTime(element: DerElement): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(element.content.toString('latin1'));
  if (m === null) return parseTime(element);
  const ms = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

export function fromOcsp(der: Buffer, cert: ParsedCertificate, issuer: ParsedCertificate): RevocationFinding | null {
  try {
    let basic = readTlv(der);
    const top = children(basic);
    if (top[0]?.tag === 0x0a) {
      // OCSPResponse → responseBytes → BasicOCSPResponse
      if (top[0].content[0] !== 0 || top[1] === undefined) return null;
      const responseBytes = children(children(top[1])[0] as DerElement);
      if (readOid(responseBytes[0] as DerElement) !== OID.ocspBasic) return null;
      basic = readTlv((responseBytes[1] as DerElement).content);
    }
    const [tbs, algorithm, bits, certs] = children(basic);
    if (tbs === undefined || algorithm === undefined || bits === undefined) return null;
    const responders = [issuer, ...(certs === undefined ? [] : children(children(certs)[0] as DerElement).map((c) => parseCertificate(Buffer.from(c.raw))))];
    const responder = responders.find(
      (r) =>
        signatureValid(tbs, algorithm, bits, r) &&
        (r === issuer || (signedBy(r.der, issuer.der) && r.extensions.get(OID.extKeyUsage)?.value.includes(Buffer.from('2b06010505070309', 'hex')) === true)),
    );
    if (responder === undefined) return null;
    const data = children(tbs);
    const responses = data.find((d, i) => i > 0 && d.tag === 0x30 && children(d)[0]?.tag === 0x30);
    for (const single of responses === undefined ? [] : children(responses)) {
      const [certId, status] = children(single);
      if (certId === undefined || status === undefined) continue;
      const [hashAlgorithm, nameHash, , serial] = children(certId);
      const digest = digestByOid(readOid(children(hashAlgorithm as DerElement)[0] as DerElement)) ?? (readOid(children(hashAlgorithm as DerElement)[0] as DerElement) === OID.sha1 ? 'sha1' : null);
      if (digest === null || serial === undefined || trim(serial.content) !== cert.serial) continue;
      if (!createHash(digest).update(cert.issuerDer).digest().equals((nameHash as DerElement).content)) continue;
      if (status.tag === 0x80) return { state: 'good', revokedAt: null, reason: null, source: 'embeddedOcsp' };
      if (status.tag === 0xa1) {
        const [time, reasonTag] = children(status);
        const reason = reasonTag === undefined ? null : (children(reasonTag)[0]?.content[0] ?? null);
        const revokedAt = generalizedTime(time as DerElement);
        return { state: revokedState(reason), revokedAt, reason: reason === null ? null : (REASONS[reason] ?? String(reason)), source: 'embeddedOcsp' };
      }
      return { state: 'unknown', revokedAt: null, reason: null, source: 'embeddedOcsp' };
    }
    return null;
  } catch {
    return null;
  }
}
