/**
 * A minimal X.509 v3 certificate writer for the virtual card's own attestation certificates:
 * structures from @peculiar/asn1-x509 (any key type, unlike node-forge), signatures from Node's crypto.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { concatBytes, encodeTlv } from '../smartcard/tlv';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

export interface CertificateExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** The extnValue contents (DER of the extension's own type). */
  readonly value: Uint8Array;
}

export interface CertificateRequest {
  readonly subjectCommonName: string;
  readonly issuerCommonName: string;
  readonly subjectPublicKeyDer: Uint8Array;
  readonly signer: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions?: readonly CertificateExtension[];
}

const OID = {
  commonName: '2.5.4.3',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
} as const;

/** The ASN.1 universal tag this writer puts together by hand (X.690 §8.3), not a PIV number. */
// eslint-disable-next-line no-restricted-syntax -- an ASN.1 universal tag, named here once
const ASN1_INTEGER = 0x02;

/** The extensions of a certificate-signing certificate: critical basicConstraints cA TRUE, and keyUsage keyCertSign. */
export const CA_EXTENSIONS: readonly CertificateExtension[] = [
  { oid: id_ce_basicConstraints, critical: true, value: new Uint8Array(AsnConvert.serialize(new BasicConstraints({ cA: true }))) },
  { oid: id_ce_keyUsage, critical: true, value: new Uint8Array(AsnConvert.serialize(new KeyUsage(KeyUsageFlags.keyCertSign))) },
];

/** A DER INTEGER of the unsigned big-endian `value` with a zero byte in front of it (always non-negative). */
export function derIntegerWithSignByte(value: Uint8Array): Uint8Array {
  return encodeTlv(ASN1_INTEGER, concatBytes(Uint8Array.of(0), value));
}

function name(commonName: string): Name {
  return new Name([
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type: OID.commonName, value: new AttributeValue({ utf8String: commonName }) })]),
  ]);
}

function signatureAlgorithm(signer: KeyObject): AlgorithmIdentifier {
  return signer.asymmetricKeyType === 'rsa'
    ? new AlgorithmIdentifier({ algorithm: OID.sha256WithRSA, parameters: null })
    : new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA256 });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

export function buildCertificate(request: CertificateRequest): Uint8Array {
  const algorithm = signatureAlgorithm(request.signer);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive INTEGER: sign bit clear
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(serial),
    signature: algorithm,
    issuer: name(request.issuerCommonName),
    validity: new Validity({ notBefore: request.notBefore, notAfter: request.notAfter }),
    subject: name(request.subjectCommonName),
    subjectPublicKeyInfo: AsnConvert.parse(request.subjectPublicKeyDer, SubjectPublicKeyInfo),
    extensions:
      request.extensions === undefined
        ? undefined
        : new Extensions(
            request.extensions.map(
              (extension) =>
                new Extension({ extnID: extension.oid, critical: extension.critical ?? false, extnValue: new OctetString(extension.value) }),
            ),
          ),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, request.signer);
  const certificate = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) });
  return new Uint8Array(AsnConvert.serialize(certificate));
}
