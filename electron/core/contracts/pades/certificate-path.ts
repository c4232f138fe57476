/**
 * Builds the path from a signer's certificate to one of the trust anchors through the certificates
 * the file carries (CMS, DSS, time-stamp tokens): by issuer name, each link's signature checked by
 * OpenSSL through Node. Validity periods are judged by the caller at the time that matters.
 */
import { parseCertificate, signedBy, type ParsedCertificate } from '../../ca/certificate-reader';

export interface CertificatePath {
  readonly status: 'trusted' | 'untrusted' | 'incomplete';
  /** Signer first, the anchor last when trusted. */
  readonly certificates: ParsedCertificate[];
}

const MAX_LENGTH = 10;

function parseAll(ders: readonly Buffer[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const der of ders) {
    try {
      out.push(parseCertificate(der));
    } catch {
      // Unreadable certificates in the file are not path candidates.
    }
  }
  return out;
}

export function buildPath(leaf: ParsedCertificate, pool: readonly Buffer[], trustAnchors: readonly Buffer[]): CertificatePath {
  const anchors = parseAll(trustAnchors);
  const candidates = parseAll(pool);
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_LENGTH; depth += 1) {
    if (anchors.some((a) => a.der.equals(current.der))) return { status: 'trusted', certificates: path };
    const anchor = anchors.find((a) => a.subjectDer.equals(current.issuerDer) && signedBy(current.der, a.der));
    if (anchor !== undefined) return { status: 'trusted', certificates: [...path, anchor] };
    if (current.issuerDer.equals(current.subjectDer) && signedBy(current.der, current.der)) return { status: 'untrusted', certificates: path };
    const next = candidates.find((c) => c.subjectDer.equals(current.issuerDer) && !path.some((p) => p.der.equals(c.der)) && signedBy(current.der, c.der));
    if (next === undefined) return { status: 'incomplete', certificates: path };
    path.push(next);
    current = next;
  }
  return { status: 'incomplete', certificates: path };
}
