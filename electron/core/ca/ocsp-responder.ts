/**
 * An RFC 6960 OCSP responder: parses requests with @peculiar/asn1-ocsp, answers good, revoked
 * (suspended certificates as revoked with reason certificateHold) or unknown for each CertID,
 * echoes the nonce, and signs with the delegated OCSP certificate (§4.2.2.2), which it includes.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPRequest } from '@peculiar/asn1-ocsp';
import type { CaSigner } from './ca-signer';
import { subjectPublicKeyBits } from './ca-signer';
import type { CertificateRecord } from './certificate-records';
import type { ParsedCertificate } from './certificate-reader';
import { reasonCodes } from './crl-builder';
import { bitString, enumerated, explicit, generalizedTime, octetString, oid, seq, tlv } from './der';
import { OID } from './oids';

const hashByOid: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** OCSPResponseStatus, RFC 6960 §4.2.1. */
export const responseStatus = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, unauthorized: 6 } as const;

export interface OcspResponderOptions {
  readonly issuer: ParsedCertificate;
  readonly responderCertificate: ParsedCertificate;
  readonly signer: CaSigner;
  readonly lookup: (serial: string) => CertificateRecord | undefined;
  readonly clock?: () => Date;
  /** Answers stay fresh this long (nextUpdate). */
  readonly validityMinutes?: number;
}

export interface OcspAnswer {
  readonly der: Buffer;
  readonly status: keyof typeof responseStatus;
  readonly serials: { serial: string; certStatus: 'good' | 'revoked' | 'unknown' }[];
}

const errorResponse = (status: keyof typeof responseStatus): OcspAnswer => ({ der: seq(enumerated(responseStatus[status])), status, serials: [] });

export class OcspResponder {
  readonly #hashes = new Map<string, { name: Buffer; key: Buffer }>();
  readonly #responderKeyHash: Buffer;

  constructor(private readonly options: OcspResponderOptions) {
    for (const [id, algorithm] of Object.entries(hashByOid)) {
      this.#hashes.set(id, {
        name: createHash(algorithm).update(options.issuer.subjectDer).digest(),
        key: createHash(algorithm).update(subjectPublicKeyBits(options.issuer.publicKeyInfo)).digest(),
      });
    }
    this.#responderKeyHash = createHash('sha1').update(subjectPublicKeyBits(options.responderCertificate.publicKeyInfo)).digest();
  }

  async respond(requestDer: Buffer): Promise<OcspAnswer> {
    let request: OCSPRequest;
    try {
      request = AsnConvert.parse(requestDer, OCSPRequest);
    } catch {
      return errorResponse('malformedRequest');
    }
    const list = request.tbsRequest.requestList;
    if (list.length === 0 || list.length > 50) return errorResponse('malformedRequest');
    const now = (this.options.clock ?? (() => new Date()))();
    const nextUpdate = new Date(now.getTime() + (this.options.validityMinutes ?? 60) * 60_000);
    const serials: OcspAnswer['serials'] = [];
    const responses: Buffer[] = [];
    let ours = 0;
    for (const single of list) {
      const certId = single.reqCert;
      const expected = this.#hashes.get(certId.hashAlgorithm.algorithm);
      const matches =
        expected !== undefined &&
        Buffer.from(certId.issuerNameHash.buffer).equals(expected.name) &&
        Buffer.from(certId.issuerKeyHash.buffer).equals(expected.key);
      let serialBytes = Buffer.from(certId.serialNumber);
      while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
      const serial = serialBytes.toString('hex').toUpperCase();
      const record = matches ? this.options.lookup(serial) : undefined;
      if (matches) ours += 1;
      let certStatus: Buffer;
      let text: 'good' | 'revoked' | 'unknown';
      if (record === undefined) {
        certStatus = Buffer.from([0x82, 0x00]);
        text = 'unknown';
      } else if (record.status === 'valid' || record.revokedAt === null || record.reason === null) {
        certStatus = Buffer.from([0x80, 0x00]);
        text = 'good';
      } else {
        // revoked [1] IMPLICIT RevokedInfo { revocationTime, [0] EXPLICIT CRLReason }
        certStatus = tlv(0xa1, Buffer.concat([generalizedTime(new Date(record.revokedAt)), explicit(0, enumerated(reasonCodes[record.reason]))]));
        text = 'revoked';
      }
      serials.push({ serial, certStatus: text });
      // The CertID is echoed exactly as the client sent it (re-encoded DER is the same bytes).
      const certIdDer = Buffer.from(AsnConvert.serialize(certId));
      responses.push(seq(certIdDer, certStatus, generalizedTime(now), explicit(0, generalizedTime(nextUpdate))));
    }
    if (ours === 0) return errorResponse('unauthorized');
    const nonce = request.tbsRequest.requestExtensions?.find((ext) => ext.extnID === OID.ocspNonce);
    const extensions = nonce === undefined ? [] : [explicit(1, seq(seq(oid(OID.ocspNonce), octetString(Buffer.from(nonce.extnValue.buffer)))))];
    const responseData = seq(explicit(2, octetString(this.#responderKeyHash)), generalizedTime(now), seq(...responses), ...extensions);
    const signature = await this.options.signer.sign(responseData);
    const basic = seq(responseData, this.options.signer.algorithmIdentifier, bitString(signature), explicit(0, seq(this.options.responderCertificate.der)));
    const der = seq(enumerated(responseStatus.successful), explicit(0, seq(oid(OID.ocspBasic), octetString(basic))));
    return { der, status: 'successful', serials };
  }
}
