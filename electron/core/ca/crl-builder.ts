/**
 * X.509 v2 CRLs (RFC 5280 §5): full CRLs and delta CRLs. Entries are written straight to DER
 * (see der.ts for why); each entry carries its reason code (certificateHold for suspensions,
 * removeFromCRL in a delta for a released hold), the CRL carries its number, the authority key
 * identifier and, for a delta, the critical deltaCRLIndicator naming its base.
 */
import type { RevocationReason } from '../../shared/schemas/certificates';
import type { CaSigner } from './ca-signer';
import { bitString, bool, enumerated, explicit, integer, integerBytes, octetString, oid, seq, tlv, time } from './der';
import { authorityKeyIdentifier, extension } from './extensions';
import { OID } from './oids';

/** RFC 5280 §5.3.1 CRLReason values. */
export const reasonCodes: Readonly<Record<RevocationReason | 'certificateHold' | 'removeFromCRL', number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

export interface CrlEntry {
  /** Upper-case hex. */
  readonly serial: string;
  readonly date: Date;
  readonly reason: keyof typeof reasonCodes;
}

export interface CrlOptions {
  readonly issuerName: Buffer;
  readonly issuerKeyId: Buffer;
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Set for a delta CRL: the number of the full CRL it completes. */
  readonly baseNumber?: number;
}

const reasonExtensions = new Map<number, Buffer>();
function entryExtensions(code: number): Buffer {
  let cached = reasonExtensions.get(code);
  if (cached === undefined) {
    cached = seq(seq(oid(OID.reasonCode), octetString(enumerated(code))));
    reasonExtensions.set(code, cached);
  }
  return cached;
}

function entry(item: CrlEntry): Buffer {
  const code = reasonCodes[item.reason];
  // RFC 5280 §5.3.1: the reason code unspecified SHOULD be left out.
  return seq(integerBytes(Buffer.from(item.serial, 'hex')), time(item.date), ...(code === 0 ? [] : [entryExtensions(code)]));
}

export async function buildCrl(entries: readonly CrlEntry[], options: CrlOptions, signer: CaSigner): Promise<Buffer> {
  const crlExtensions = [
    authorityKeyIdentifier(options.issuerKeyId),
    extension(OID.crlNumber, false, integer(options.number)),
    ...(options.baseNumber === undefined ? [] : [seq(oid(OID.deltaCrlIndicator), bool(true), octetString(integer(options.baseNumber)))]),
  ];
  const revoked = entries.length === 0 ? [] : [seq(...entries.map(entry))];
  const tbs = seq(
    integer(1),
    signer.algorithmIdentifier,
    options.issuerName,
    time(options.thisUpdate),
    time(options.nextUpdate),
    ...revoked,
    explicit(0, seq(...crlExtensions)),
  );
  const signature = await signer.sign(tbs);
  return tlv(0x30, Buffer.concat([tbs, signer.algorithmIdentifier, bitString(signature)]));
}
