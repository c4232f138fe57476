/**
 * PKCS#10 certification requests (RFC 2986): parsed with the bounded DER reader and their
 * self-signature checked with Node's crypto; or a bare public key (SubjectPublicKeyInfo) for
 * keys generated on a card, whose possession the card itself proves.
 */
import { createPublicKey, sign as signData, verify, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { bitString, children, explicit, fromPem, integer, readOid, readTlv, seq } from './der';
import { describeKey, signatureAlgorithmFor } from './ca-signer';
import { decodeName, encodeDn } from './distinguished-name';

const digests: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

export interface CertificationRequest {
  /** The request's subject exactly as signed (DER Name), reused as it is when nobody edits it; null for a bare key or an empty name. */
  readonly subjectDer: Buffer | null;
  readonly publicKeyInfo: Buffer;
  readonly publicKey: KeyObject;
}

function malformed(message: string, cause?: unknown): CardDeskError {
  return new CardDeskError('MALFORMED_INPUT', message, cause === undefined ? undefined : { cause });
}

function publicKeyOf(spki: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (error) {
    throw malformed('The public key in the request cannot be read.', error);
  }
  const described = describeKey(key);
  if (described.kind === 'rsa' && described.bits < 2048) throw malformed('RSA keys must be at least 2048 bits.');
  return key;
}

/** Reads a PEM CSR ("CERTIFICATE REQUEST") or public key ("PUBLIC KEY"), checking the CSR's signature. */
export function readRequest(pem: string): CertificationRequest {
  const block = fromPem(pem, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'PUBLIC KEY']);
  if (block === null) throw malformed('Paste a certificate request (BEGIN CERTIFICATE REQUEST) or a public key (BEGIN PUBLIC KEY) in PEM form.');
  if (block.label === 'PUBLIC KEY') {
    const spki = readTlv(block.der).raw;
    return { subjectDer: null, publicKeyInfo: Buffer.from(spki), publicKey: publicKeyOf(spki) };
  }
  try {
    const [info, algorithm, signature] = children(readTlv(block.der));
    if (info === undefined || algorithm === undefined || signature === undefined || signature.tag !== 0x03) throw malformed('The request is incomplete.');
    const [, subject, spki] = children(info);
    if (subject === undefined || spki === undefined) throw malformed('The request has no subject or key.');
    const algorithmOid = readOid(children(algorithm)[0] ?? algorithm);
    const digest = digests[algorithmOid];
    if (digest === undefined) throw malformed(`The request is signed with an algorithm CardDesk does not accept (${algorithmOid}).`);
    const publicKey = publicKeyOf(spki.raw);
    if (!verify(digest, info.raw, publicKey, signature.content.subarray(1))) throw malformed('The request’s signature does not match its key.');
    return { subjectDer: decodeName(subject).length === 0 ? null : Buffer.from(subject.raw), publicKeyInfo: Buffer.from(spki.raw), publicKey };
  } catch (error) {
    if (error instanceof CardDeskError) throw error;
    throw malformed('The certificate request cannot be read.', error);
  }
}

/** Makes a CSR for a key pair (tests, benchmarks and the CLI's own key generation). */
export function createRequest(subject: string, privateKey: KeyObject): Buffer {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const info = seq(integer(0), encodeDn(subject), spki, explicit(0));
  const algorithm = signatureAlgorithmFor(privateKey);
  return seq(info, algorithm.identifier, bitString(signData(algorithm.digest, info, privateKey)));
}
