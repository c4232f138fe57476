/**
 * X.509 v2 CRLs (RFC 5280 §5): full CRLs and delta CRLs. Entries are written straight to DER
 * (see der.ts for why); each entry carries its reason code (certificateHold for suspensions,
 * removeFromCRL in a delta for a released hold), the CRL carries its number, the authority key
 * identifier and, for a delta, the critical deltaCRLIndicator naming its base.
 */
import type { RevocationReason } from '../../shared/schemas/certificates';
import type { CaSigner } from './ca-signer';
import { bitString, bool, enumerated, explicit, integer, octetString, oid, seq, tlv, time } from './der';
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
  /** Upper-case hex, without leading zero bytes. */
  readonly serial: string;
  /** ISO 8601 revocation time. */
  readonly date: string;
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

/**
 * The revokedCertificates list, written into one buffer in two passes (sizes, then bytes): with
 * 100,000 entries, allocating and concatenating small buffers per entry would dominate the time.
 * Each entry is SEQUENCE { INTEGER serial, Time revocationDate, [extensions { reasonCode }] };
 * an entry is at most 53 bytes, so its length fits in one byte.
 */
function encodeEntries(entries: readonly CrlEntry[]): Buffer {
  const times = new Map<string, Buffer>();
  const timeOf = (iso: string): Buffer => {
    let encoded = times.get(iso);
    if (encoded === undefined) times.set(iso, (encoded = time(new Date(iso))));
    return encoded;
  };
  let total = 0;
  for (const item of entries) {
    const code = reasonCodes[item.reason];
    const serialLength = item.serial.length / 2 + (item.serial.charCodeAt(0) >= 0x38 ? 1 : 0); // '8'-'F' need a 0x00 first
    total += 2 + 2 + serialLength + timeOf(item.date).length + (code === 0 ? 0 : entryExtensions(code).length);
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const item of entries) {
    const code = reasonCodes[item.reason];
    const pad = item.serial.charCodeAt(0) >= 0x38 ? 1 : 0;
    const serialLength = item.serial.length / 2 + pad;
    const date = timeOf(item.date);
    // RFC 5280 §5.3.1: the reason code unspecified SHOULD be left out.
    const extensions = code === 0 ? null : entryExtensions(code);
    out[at++] = 0x30;
    out[at++] = 2 + serialLength + date.length + (extensions?.length ?? 0);
    out[at++] = 0x02;
    out[at++] = serialLength;
    if (pad === 1) out[at++] = 0x00;
    at += out.write(item.serial, at, 'hex');
    at += date.copy(out, at);
    if (extensions !== null) at += extensions.copy(out, at);
  }
  return out;
}

export async function buildCrl(entries: readonly CrlEntry[], options: CrlOptions, signer: CaSigner): Promise<Buffer> {
  const crlExtensions = [
    authorityKeyIdentifier(options.issuerKeyId),
    extension(OID.crlNumber, false, integer(options.number)),
    ...(options.baseNumber === undefined ? [] : [seq(oid(OID.deltaCrlIndicator), bool(true), octetString(integer(options.baseNumber)))]),
  ];
  const revoked = entries.length === 0 ? [] : [tlv(0x30, encodeEntries(entries))];
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
