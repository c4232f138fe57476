/**
 * CMS SignedData (RFC 5652) as PAdES and RFC 3161 use it: one signer, signed attributes with the
 * ESS signing-certificate-v2 (RFC 5035), detached or with encapsulated content (a TSTInfo).
 * Built and read with the CA's bounded DER code; signatures are checked by Node's crypto (OpenSSL).
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { children, explicit, integerBytes, nullValue, octetString, oid, readOid, readTlv, seq, set, tlv, type DerElement } from '../../ca/der';
import { parseCertificate, type ParsedCertificate } from '../../ca/certificate-reader';
import { OID } from '../../ca/oids';

export type DigestName = 'sha256' | 'sha384' | 'sha512';
const digestOids: Readonly<Record<string, DigestName>> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
export const digestByOid = (o: string): DigestName | null => digestOids[o] ?? null;

export const sha256 = (data: Buffer | readonly Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of Array.isArray(data) ? (data as readonly Buffer[]) : [data as Buffer]) hash.update(part);
  return hash.digest();
};

export const sha256AlgorithmIdentifier = (): Buffer => seq(oid(OID.sha256));

export interface SignatureAlgorithm {
  readonly kind: 'rsa' | 'ecdsa';
  /** DER AlgorithmIdentifier for SignerInfo.signatureAlgorithm. */
  readonly identifier: Buffer;
  /** The digest the key's signature is made over (always SHA-256 here). */
  readonly digest: 'sha256';
  /** For ECDSA: the field size in bytes, to read a raw r||s signature. */
  readonly fieldBytes: number;
}

/** RSA PKCS#1 v1.5 or ECDSA (P-256/P-384), always with SHA-256, from the signer's certificate. */
export function signatureAlgorithmFor(certificate: ParsedCertificate): SignatureAlgorithm {
  const key = createPublicKey({ key: certificate.publicKeyInfo, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType === 'rsa') return { kind: 'rsa', identifier: seq(oid(OID.sha256WithRsa), nullValue()), digest: 'sha256', fieldBytes: 0 };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const fieldBytes = curve === 'prime256v1' ? 32 : curve === 'secp384r1' ? 48 : 0;
    if (fieldBytes === 0) throw new Error(`The curve ${curve} is not supported for signing (use P-256 or P-384).`);
    return { kind: 'ecdsa', identifier: seq(oid(OID.ecdsaWithSha256)), digest: 'sha256', fieldBytes };
  }
  throw new Error(`Keys of type ${key.asymmetricKeyType ?? 'unknown'} cannot sign contracts.`);
}

/** A card may return ECDSA as r||s (PKCS#11) or DER (PIV); CMS wants DER (RFC 5753 §7.2). */
export function ecdsaToDer(signature: Buffer, fieldBytes: number): Buffer {
  if (signature[0] === 0x30 && signature.length !== 2 * fieldBytes) return signature;
  if (signature.length !== 2 * fieldBytes) throw new Error('The ECDSA signature has the wrong length.');
  return seq(integerBytes(signature.subarray(0, fieldBytes)), integerBytes(signature.subarray(fieldBytes)));
}

export const attribute = (type: string, ...values: Buffer[]): Buffer => seq(oid(type), set(...values));

/** IssuerSerial (RFC 5035 §4): the issuer as a directoryName GeneralName, and the serial. */
function issuerSerial(cert: ParsedCertificate): Buffer {
  return seq(seq(explicit(4, cert.issuerDer)), integerBytes(Buffer.from(cert.serial, 'hex')));
}

/** ESS signing-certificate-v2 with SHA-256 (the default hash, so left out, RFC 5035 §5.4.1.1). */
export function signingCertificateV2(cert: ParsedCertificate): Buffer {
  return attribute(OID.signingCertificateV2, seq(seq(seq(octetString(sha256(cert.der)), issuerSerial(cert)))));
}

/** The signed attributes as a DER SET OF: the bytes the signer's key signs (RFC 5652 §5.4). */
export function signedAttributes(options: { contentType: string; messageDigest: Buffer; signer: ParsedCertificate }): Buffer {
  return set(attribute(OID.contentType, oid(options.contentType)), attribute(OID.messageDigest, octetString(options.messageDigest)), signingCertificateV2(options.signer));
}

export function buildSignedData(options: {
  eContentType: string;
  /** Null for a detached signature. */
  eContent: Buffer | null;
  certificates: readonly Buffer[];
  signer: ParsedCertificate;
  /** The DER SET OF signed attributes, exactly as signed. */
  signedAttributes: Buffer;
  algorithm: SignatureAlgorithm;
  signature: Buffer;
  unsignedAttributes?: readonly Buffer[];
}): Buffer {
  const attrs = readTlv(options.signedAttributes);
  const signerInfo = seq(
    integerBytes(Buffer.from([1])),
    seq(options.signer.issuerDer, integerBytes(Buffer.from(options.signer.serial, 'hex'))),
    sha256AlgorithmIdentifier(),
    tlv(0xa0, attrs.content),
    options.algorithm.identifier,
    octetString(options.algorithm.kind === 'ecdsa' ? ecdsaToDer(options.signature, options.algorithm.fieldBytes) : options.signature),
    ...(options.unsignedAttributes !== undefined && options.unsignedAttributes.length > 0 ? [tlv(0xa1, Buffer.concat([...options.unsignedAttributes]))] : []),
  );
  const encap = options.eContent === null ? seq(oid(options.eContentType)) : seq(oid(options.eContentType), explicit(0, octetString(options.eContent)));
  // RFC 5652 §5.1: version 3 when the content is not id-data.
  const version = options.eContentType === OID.pkcs7Data ? 1 : 3;
  const signedData = seq(integerBytes(Buffer.from([version])), set(sha256AlgorithmIdentifier()), encap, tlv(0xa0, Buffer.concat([...options.certificates])), set(signerInfo));
  return seq(oid(OID.pkcs7SignedData), explicit(0, signedData));
}


// ---- reading ----------------------------------------------------------------------------------

export interface ReadSignerInfo {
  readonly issuerDer: Buffer | null;
  /** Hex, upper case, without leading zero bytes. */
  readonly serial: string | null;
  readonly subjectKeyIdentifier: Buffer | null;
  readonly digestAlgorithm: string;
  /** The signed attributes re-tagged as a SET: the bytes the signature covers. */
  readonly signedAttributes: Buffer | null;
  readonly attributes: ReadonlyMap<string, DerElement[]>;
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
  readonly unsignedAttributes: ReadonlyMap<string, DerElement[]>;
}

export interface ReadSignedData {
  readonly eContentType: string;
  readonly eContent: Buffer | null;
  readonly certificates: Buffer[];
  readonly signer: ReadSignerInfo;
}

function readAttributes(element: DerElement | undefined): Map<string, DerElement[]> {
  const out = new Map<string, DerElement[]>();
  if (element === undefined) return out;
  for (const attr of children(element)) {
    const [type, values] = children(attr);
    if (type === undefined || values === undefined) continue;
    out.set(readOid(type), children(values));
  }
  return out;
}

const trimSerial = (bytes: Buffer): string => {
  let b = bytes;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
};

/** Reads a ContentInfo holding SignedData with one signer; throws on anything else. */
export function readSignedData(der: Buffer): ReadSignedData {
  const top = readTlv(der);
  const [type, content] = children(top);
  if (type === undefined || readOid(type) !== OID.pkcs7SignedData || content === undefined) throw new Error('not a CMS SignedData');
  const sd = children(children(content)[0] as DerElement);
  const encap = children(sd[2] as DerElement);
  const eContentType = readOid(encap[0] as DerElement);
  const eContentWrapper = encap[1];
  const eContent = eContentWrapper === undefined ? null : Buffer.from((children(eContentWrapper)[0] as DerElement).content);
  let at = 3;
  const certificates: Buffer[] = [];
  if (sd[at]?.tag === 0xa0) {
    for (const c of children(sd[at] as DerElement)) if (c.tag === 0x30) certificates.push(Buffer.from(c.raw));
    at += 1;
  }
  if (sd[at]?.tag === 0xa1) at += 1;
  const signerInfos = children(sd[at] as DerElement);
  if (signerInfos.length !== 1) throw new Error(`the SignedData has ${signerInfos.length} signers (one expected)`);
  const si = children(signerInfos[0] as DerElement);
  const sid = si[1] as DerElement;
  let issuerDer: Buffer | null = null;
  let serial: string | null = null;
  let subjectKeyIdentifier: Buffer | null = null;
  if (sid.tag === 0x30) {
    const [issuer, sn] = children(sid);
    issuerDer = Buffer.from((issuer as DerElement).raw);
    serial = trimSerial((sn as DerElement).content);
  } else subjectKeyIdentifier = Buffer.from(sid.content);
  const digestAlgorithm = readOid(children(si[2] as DerElement)[0] as DerElement);
  let k = 3;
  let signedAttributes: Buffer | null = null;
  let attributes = new Map<string, DerElement[]>();
  if (si[k]?.tag === 0xa0) {
    const raw = Buffer.from((si[k] as DerElement).raw);
    raw[0] = 0x31; // signed as a SET OF (RFC 5652 §5.4)
    signedAttributes = raw;
    attributes = readAttributes(readTlv(raw));
    k += 1;
  }
  const signatureAlgorithm = readOid(children(si[k] as DerElement)[0] as DerElement);
  const signature = Buffer.from((si[k + 1] as DerElement).content);
  const unsigned = si[k + 2]?.tag === 0xa1 ? readAttributes(si[k + 2]) : new Map<string, DerElement[]>();
  return { eContentType, eContent, certificates, signer: { issuerDer, serial, subjectKeyIdentifier, digestAlgorithm, signedAttributes, attributes, signatureAlgorithm, signature, unsignedAttributes: unsigned } };
}

/** The certificate among `candidates` that SignerInfo names. */
export function findSignerCertificate(signer: ReadSignerInfo, candidates: readonly Buffer[]): ParsedCertificate | null {
  for (const der of candidates) {
    let cert: ParsedCertificate;
    try {
      cert = parseCertificate(der);
    } catch {
      continue;
    }
    if (signer.issuerDer !== null && signer.serial !== null && cert.serial === signer.serial && cert.issuerDer.equals(signer.issuerDer)) return cert;
    if (signer.subjectKeyIdentifier !== null) {
      const ski = cert.extensions.get(OID.subjectKeyIdentifier);
      if (ski !== undefined && readTlv(ski.value).content.equals(signer.subjectKeyIdentifier)) return cert;
    }
  }
  return null;
}

/** The digest each signature algorithm (RSA PKCS#1 v1.5, ECDSA) signs with. */
export const signatureDigests: Readonly<Record<string, DigestName>> = {
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

/**
 * Checks a signer: the content's digest equals message-digest, and the signature over the signed
 * attributes verifies with the certificate's key. Returns why not, or null when it holds.
 */
export function checkSigner(signer: ReadSignerInfo, certificate: ParsedCertificate, content: Buffer | readonly Buffer[]): { digestMatches: boolean; signatureValid: boolean } {
  const digest = digestByOid(signer.digestAlgorithm);
  if (digest === null || signer.signedAttributes === null) return { digestMatches: false, signatureValid: false };
  const hash = createHash(digest);
  for (const part of Array.isArray(content) ? (content as readonly Buffer[]) : [content as Buffer]) hash.update(part);
  const md = signer.attributes.get(OID.messageDigest)?.[0];
  const digestMatches = md !== undefined && md.content.equals(hash.digest());
  // rsaEncryption / ecPublicKey as the signature algorithm mean "with the digest algorithm".
  const algorithm = signatureDigests[signer.signatureAlgorithm] ?? (signer.signatureAlgorithm === OID.rsaEncryption || signer.signatureAlgorithm === OID.ecPublicKey ? digest : null);
  let signatureValid = false;
  if (algorithm !== null) {
    try {
      signatureValid = verifySignature(algorithm, signer.signedAttributes, createPublicKey({ key: certificate.publicKeyInfo, format: 'der', type: 'spki' }), signer.signature);
    } catch {
      signatureValid = false;
    }
  }
  return { digestMatches, signatureValid };
}
