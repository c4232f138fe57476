/**
 * Contents of the PIV data objects a card issuer writes (SP 800-73-4 Part 1 Tables 8, 9, 10):
 * the CHUID, the Card Capability Container, certificate objects, the discovery object and key history. The virtual card's
 * factory and CardDesk's issuance write them the same way.
 */
import {
  CCC_TAG,
  CERT_INFO,
  CERTIFICATE_OBJECT,
  CCC_VALUE,
  CHUID_TAG,
  DISCOVERY_TAG,
  KEY_HISTORY_TAG,
  PIN_USAGE_POLICY_PIV_PIN_ONLY,
  PIV_AID,
} from './piv';
import { concatBytes, encodeTlv } from './tlv';

/** FASC-N for non-federal issuers (agency code 9999), as SP 800-73-4 Part 1 §3.1.2 allows with a GUID. */
const NON_FEDERAL_FASCN = Buffer.from('D4E739DA739CED39CE739D836858210842108421C84210C3EB', 'hex');

const EMPTY = new Uint8Array(0);

/** CHUID with the non-federal FASC-N, the card's GUID and its expiry date; the signature is left empty. */
export function chuid(guid: Uint8Array, expires: Date): Uint8Array {
  const date = expires.toISOString().slice(0, 10).replaceAll('-', '');
  return concatBytes(
    encodeTlv(CHUID_TAG.FASCN, NON_FEDERAL_FASCN),
    encodeTlv(CHUID_TAG.GUID, guid),
    encodeTlv(CHUID_TAG.EXPIRATION, Buffer.from(date)),
    encodeTlv(CHUID_TAG.SIGNATURE, EMPTY),
    encodeTlv(CHUID_TAG.ERROR_DETECTION, EMPTY),
  );
}

export function cardCapabilityContainer(cardId: Uint8Array): Uint8Array {
  const cardIdentifier = concatBytes(CCC_VALUE.GSC_RID, Uint8Array.of(CCC_VALUE.MANUFACTURER_UNREGISTERED, CCC_VALUE.CARD_TYPE_JAVA_CARD), cardId);
  return concatBytes(
    encodeTlv(CCC_TAG.CARD_IDENTIFIER, cardIdentifier),
    encodeTlv(CCC_TAG.CONTAINER_VERSION, Uint8Array.of(CCC_VALUE.VERSION_2_1)),
    encodeTlv(CCC_TAG.GRAMMAR_VERSION, Uint8Array.of(CCC_VALUE.VERSION_2_1)),
    encodeTlv(CCC_TAG.APPLICATIONS_URL, EMPTY),
    encodeTlv(CCC_TAG.PKCS15, Uint8Array.of(CCC_VALUE.NO_PKCS15)),
    encodeTlv(CCC_TAG.DATA_MODEL, Uint8Array.of(CCC_VALUE.PIV_DATA_MODEL)),
    encodeTlv(CCC_TAG.ACCESS_CONTROL_RULES, EMPTY),
    encodeTlv(CCC_TAG.CARD_APDUS, EMPTY),
    encodeTlv(CCC_TAG.REDIRECTION, EMPTY),
    encodeTlv(CCC_TAG.CAPABILITY_TUPLES, EMPTY),
    encodeTlv(CCC_TAG.STATUS_TUPLES, EMPTY),
    encodeTlv(CCC_TAG.NEXT_CCC, EMPTY),
    encodeTlv(CCC_TAG.ERROR_DETECTION, EMPTY),
  );
}

/** An X.509 certificate object (Part 1 Table 10 and its siblings): the certificate, stored uncompressed. */
export function certificateObject(certificateDer: Uint8Array): Uint8Array {
  return concatBytes(
    encodeTlv(CERTIFICATE_OBJECT.CERTIFICATE, certificateDer),
    encodeTlv(CERTIFICATE_OBJECT.CERT_INFO, Uint8Array.of(CERT_INFO.UNCOMPRESSED)),
    encodeTlv(CERTIFICATE_OBJECT.ERROR_DETECTION, EMPTY),
  );
}

/** Discovery object: the PIV AID and a PIN usage policy of "PIV PIN only" (Part 1 §3.3.2). */
export const DISCOVERY_OBJECT = concatBytes(encodeTlv(DISCOVERY_TAG.AID, PIV_AID), encodeTlv(DISCOVERY_TAG.PIN_USAGE_POLICY, PIN_USAGE_POLICY_PIV_PIN_ONLY));

/**
 * Key History object (Part 1 Table 19): how many retired key-management keys the card holds whose
 * certificates are on the card (C1) and off it (C2); the retired slots 82… are filled from the first.
 */
export function keyHistory(onCard: number, offCard = 0): Uint8Array {
  return concatBytes(
    encodeTlv(KEY_HISTORY_TAG.ON_CARD, Uint8Array.of(onCard)),
    encodeTlv(KEY_HISTORY_TAG.OFF_CARD, Uint8Array.of(offCard)),
    encodeTlv(KEY_HISTORY_TAG.ERROR_DETECTION, EMPTY),
  );
}
