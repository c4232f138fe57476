/**
 * The desk's time-stamp authority (RFC 3161): it answers a message imprint with a time-stamp
 * token, a CMS SignedData over a TSTInfo, signed with the TSA key the desk's CA certified
 * (extended key usage id-kp-timeStamping only, critical, RFC 3161 §2.3). The token carries the
 * ESS signing-certificate-v2 attribute (RFC 5816) and, when asked (certReq), the TSA certificate.
 */
import { randomBytes } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { CaSigner } from './ca-signer';
import { parseCertificate, type ParsedCertificate } from './certificate-reader';
import { bool, children, explicit, generalizedTime, integer, integerBytes, octetString, oid, readOid, readTlv, seq, tlv, type DerElement } from './der';
import { OID } from './oids';
import { buildSignedData, sha256, signatureAlgorithmFor, signedAttributes } from '../contracts/pades/cms';

/** The desk's time-stamping policy (a UUID-derived OID, ITU-T X.667, so no arc needs registering). */
export const DESK_TSA_POLICY = '2.25.243866021418364712430870187146298346823';

/** `imprint` is the SHA-256 digest of what is stamped; resolves to the token (DER ContentInfo). */
export type Timestamper = (imprint: Buffer) => Promise<Buffer>;

export interface TimestampRequest {
  /** SHA-256 digest of the data. */
  readonly imprint: Buffer;
  readonly nonce?: Buffer | null;
  /** Put the TSA certificate in the token (RFC 3161 §2.4.1 certReq). */
  readonly certReq?: boolean;
  readonly policy?: string;
}

export class TimestampAuthority {
  readonly #certificate: ParsedCertificate;

  constructor(
    private readonly signer: CaSigner,
    certificate: Buffer,
    private readonly clock: () => Date = () => new Date(),
    private readonly policy: string = DESK_TSA_POLICY,
  ) {
    this.#certificate = parseCertificate(certificate);
  }

  get certificate(): Buffer {
    return this.#certificate.der;
  }

  /** A time-stamp token over `request.imprint`. */
  async timestamp(request: TimestampRequest): Promise<Buffer> {
    if (request.imprint.length !== 32) throw new CardDeskError('MALFORMED_INPUT', 'A time-stamp request must carry a SHA-256 imprint.');
    const policy = request.policy ?? this.policy;
    if (policy !== this.policy) throw new CardDeskError('MALFORMED_INPUT', `This time-stamp authority does not serve policy ${policy}.`);
    const now = this.clock();
    const tstInfo = seq(
      integer(1),
      oid(policy),
      seq(seq(oid(OID.sha256)), octetString(request.imprint)),
      integerBytes(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
      generalizedTime(now),
      // Accuracy: one second (the genTime is to the second).
      seq(integer(1)),
      bool(false),
      ...(request.nonce !== undefined && request.nonce !== null ? [integerBytes(request.nonce)] : []),
      // tsa [0] GeneralName: the authority's name as a directoryName.
      explicit(0, explicit(4, this.#certificate.subjectDer)),
    );
    const attributes = signedAttributes({ contentType: OID.tstInfo, messageDigest: sha256(tstInfo), signer: this.#certificate });
    const signature = await this.signer.sign(attributes);
    return buildSignedData({
      eContentType: OID.tstInfo,
      eContent: tstInfo,
      certificates: request.certReq === false ? [] : [this.#certificate.der],
      signer: this.#certificate,
      signedAttributes: attributes,
      algorithm: signatureAlgorithmFor(this.#certificate),
      signature,
    });
  }

  /** The callback the PAdES signer takes: certReq and a fresh nonce on every call. */
  timestamper(): Timestamper {
    return (imprint) => this.timestamp({ imprint, nonce: randomBytes(8), certReq: true });
  }

  /** Answers a DER TimeStampReq (RFC 3161 §2.4.1) with a DER TimeStampResp (§2.4.2). */
  async respond(requestDer: Buffer): Promise<Buffer> {
    // PKIStatus rejection (2) with a free text; failInfo is left out.
    const rejection = (text: string): Buffer => seq(seq(integer(2), seq(tlv(0x0c, Buffer.from(text, 'utf8')))));
    let imprint: Buffer;
    let nonce: Buffer | null = null;
    let certReq = false;
    let policy: string | undefined;
    try {
      const fields = children(readTlv(requestDer));
      const [hashAlgorithm, hashed] = children(fields[1] as DerElement);
      if (hashAlgorithm === undefined || hashed === undefined || readOid(children(hashAlgorithm)[0] as DerElement) !== OID.sha256) return rejection('Only SHA-256 imprints are accepted.');
      imprint = Buffer.from(hashed.content);
      for (const field of fields.slice(2)) {
        if (field.tag === 0x06) policy = readOid(field);
        else if (field.tag === 0x02) nonce = Buffer.from(field.content);
        else if (field.tag === 0x01) certReq = field.content[0] !== 0;
      }
    } catch {
      return rejection('The request cannot be read.');
    }
    if (policy !== undefined && policy !== this.policy) return rejection('Unaccepted policy.');
    const token = await this.timestamp({ imprint, nonce, certReq, ...(policy === undefined ? {} : { policy }) });
    return seq(seq(integer(0)), token);
  }
}
