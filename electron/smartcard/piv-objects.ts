/**
 * Contents of the PIV data objects a card issuer writes (SP 800-73-4 Part 1 Tables 8, 9, 10):
 * the CHUID, the Card Capability Container and the discovery object. The virtual card's
 * factory and CardDesk's issuance write them the same way.
 */
import { PIV_AID } from './piv';
import { concatBytes, encodeTlv } from './tlv';

/** FASC-N for non-federal issuers (agency code 9999), as SP 800-73-4 Part 1 §3.1.2 allows with a GUID. */
const NON_FEDERAL_FASCN = Buffer.from('D4E739DA739CED39CE739D836858210842108421C84210C3EB', 'hex');

/** CHUID with the non-federal FASC-N, the card's GUID and its expiry date; the signature is left empty. */
export function chuid(guid: Uint8Array, expires: Date): Uint8Array {
  const date = expires.toISOString().slice(0, 10).replaceAll('-', '');
  return concatBytes(
    encodeTlv(0x30, NON_FEDERAL_FASCN),
    encodeTlv(0x34, guid),
    encodeTlv(0x35, Buffer.from(date)),
    encodeTlv(0x3e, new Uint8Array(0)),
    encodeTlv(0xfe, new Uint8Array(0)),
  );
}

export function cardCapabilityContainer(cardId: Uint8Array): Uint8Array {
  const empty = new Uint8Array(0);
  return concatBytes(
    // GSC-RID, manufacturer FF, card type 02 (Java Card), then the card's own identifier.
    encodeTlv(0xf0, concatBytes(Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x16, 0xff, 0x02), cardId)),
    encodeTlv(0xf1, Uint8Array.of(0x21)),
    encodeTlv(0xf2, Uint8Array.of(0x21)),
    encodeTlv(0xf3, empty),
    encodeTlv(0xf4, Uint8Array.of(0x00)),
    encodeTlv(0xf5, Uint8Array.of(0x10)),
    encodeTlv(0xf6, empty),
    encodeTlv(0xf7, empty),
    encodeTlv(0xfa, empty),
    encodeTlv(0xfb, empty),
    encodeTlv(0xfc, empty),
    encodeTlv(0xfd, empty),
    encodeTlv(0xfe, empty),
  );
}

/** Discovery object: the PIV AID and a PIN usage policy of "PIV PIN only" (Part 1 §3.3.2). */
export const DISCOVERY_OBJECT = concatBytes(encodeTlv(0x4f, PIV_AID), encodeTlv(0x5f2f, Uint8Array.of(0x40, 0x00)));

/**
 * Key History object (Part 1 Table 19): how many retired key-management keys the card holds whose
 * certificates are on the card (C1) and off it (C2); the retired slots 82… are filled from the first.
 */
export function keyHistory(onCard: number, offCard = 0): Uint8Array {
  return concatBytes(encodeTlv(0xc1, Uint8Array.of(onCard)), encodeTlv(0xc2, Uint8Array.of(offCard)), encodeTlv(0xfe, new Uint8Array(0)));
}
