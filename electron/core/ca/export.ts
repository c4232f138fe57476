/** Certificate downloads: PEM (with the chain appended), DER, or a PKCS#7 "certs-only" bundle. */
import { explicit, integer, oid, seq, set, tlv, toPem } from './der';
import { OID } from './oids';

/** A degenerate SignedData (RFC 5652 §5, no signers) carrying certificates: the .p7b format. */
export function certsOnlyPkcs7(certificates: readonly Buffer[]): Buffer {
  const signedData = seq(
    integer(1),
    set(),
    seq(oid(OID.pkcs7Data)),
    tlv(0xa0, Buffer.concat([...certificates].sort((a, b) => Buffer.compare(a, b)))),
    set(),
  );
  return seq(oid(OID.pkcs7SignedData), explicit(0, signedData));
}

export function exportCertificate(der: Buffer, chain: readonly Buffer[], format: 'pem' | 'der' | 'p7b', name: string): { fileName: string; mediaType: string; data: Buffer } {
  switch (format) {
    case 'der':
      return { fileName: `${name}.cer`, mediaType: 'application/pkix-cert', data: der };
    case 'p7b':
      return { fileName: `${name}.p7b`, mediaType: 'application/pkcs7-mime', data: certsOnlyPkcs7([der, ...chain]) };
    case 'pem':
      return { fileName: `${name}.pem`, mediaType: 'application/x-pem-file', data: Buffer.from([der, ...chain].map((c) => toPem(c, 'CERTIFICATE')).join('')) };
  }
}
