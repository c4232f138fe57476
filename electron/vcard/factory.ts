/**
 * A factory-fresh virtual PIV card: its ATR, the application property template SELECT returns,
 * the mandatory data objects (CHUID, CCC, discovery object), factory PIN/PUK/management key, and
 * an attestation key with its certificate.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { ALG, OBJECT, PIV_AID, PIV_RID } from '../smartcard/piv';
import { cardCapabilityContainer, chuid, DISCOVERY_OBJECT } from '../smartcard/piv-objects';
import { encodeTlv } from '../smartcard/tlv';
import { generateCardKey, privateKeyToPkcs8 } from './card-crypto';
import { factoryReferences, newSerial, type CardState } from './card-state';
import { buildCertificate } from './certificate-builder';

export const CARD_LABEL = 'CardDesk virtual PIV';
/** The vendor-extension level this card implements (GET VERSION). */
export const CARD_VERSION: [number, number, number] = [5, 7, 1];

/**
 * ATR: T=1, IFSC 254, and historical bytes in compact-TLV form (category 80): the card
 * capabilities (tag 7: selection by full DF name, command chaining and extended Lc/Le, ISO/IEC
 * 7816-4 Table 88) and card issuer's data "CardDesk" (tag 5), so middleware can tell it is our card
 * without mistaking it for another.
 */
export const ATR: Uint8Array = (() => {
  const historical = Uint8Array.from([0x80, 0x73, 0x80, 0x21, 0xc0, 0x58, ...Buffer.from('CardDesk')]);
  const body = Uint8Array.from([0xf0 | historical.length, 0x13, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x15, ...historical]);
  const tck = body.reduce((xor, byte) => xor ^ byte, 0);
  return Uint8Array.from([0x3b, ...body, tck]);
})();

/** What SELECT of the PIV AID answers (SP 800-73-4 Part 2 Table 3). */
export const APPLICATION_PROPERTY_TEMPLATE = encodeTlv(
  0x61,
  encodeTlv(0x4f, PIV_AID.subarray(5)),
  encodeTlv(0x79, encodeTlv(0x4f, PIV_RID)),
  encodeTlv(0x50, Buffer.from(CARD_LABEL)),
  encodeTlv(
    0xac,
    ...[ALG.TDES, ALG.AES_128, ALG.AES_192, ALG.AES_256, ALG.RSA_2048, ALG.RSA_3072, ALG.RSA_4096, ALG.ECC_P256, ALG.ECC_P384].map((id) =>
      encodeTlv(0x80, Uint8Array.of(id)),
    ),
    encodeTlv(0x06, Uint8Array.of(0x00)),
  ),
);

export function tagKey(tag: number): string {
  return tag.toString(16).toUpperCase();
}

export function factoryObjects(): Record<string, string> {
  const expires = new Date();
  expires.setUTCFullYear(expires.getUTCFullYear() + 10);
  return {
    [tagKey(OBJECT.CHUID)]: Buffer.from(chuid(randomBytes(16), expires)).toString('base64'),
    [tagKey(OBJECT.CARD_CAPABILITY_CONTAINER)]: Buffer.from(cardCapabilityContainer(randomBytes(14))).toString('base64'),
    [tagKey(OBJECT.DISCOVERY)]: Buffer.from(DISCOVERY_OBJECT).toString('base64'),
  };
}

/** A new card as it leaves the factory: default PIN 123456, PUK 12345678, the well-known 3DES management key. */
export async function factoryState(options: { serial?: number } = {}): Promise<CardState> {
  const serial = options.serial ?? newSerial();
  const attestationKey = await generateCardKey('rsa2048');
  const now = new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(now.getUTCFullYear() + 20);
  const commonName = `CardDesk virtual PIV attestation ${serial}`;
  const certificate = buildCertificate({
    subjectCommonName: commonName,
    issuerCommonName: commonName,
    subjectPublicKeyDer: createPublicKey(attestationKey).export({ format: 'der', type: 'spki' }),
    signer: attestationKey,
    notBefore: now,
    notAfter,
    // basicConstraints cA=TRUE, keyUsage keyCertSign: the attestation key signs slot attestations.
    extensions: [
      { oid: '2.5.29.19', critical: true, value: Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0xff) },
      { oid: '2.5.29.15', critical: true, value: Uint8Array.of(0x03, 0x02, 0x02, 0x04) },
    ],
  });
  return {
    format: 1,
    serial,
    version: CARD_VERSION,
    ...factoryReferences(),
    keys: {},
    objects: factoryObjects(),
    attestation: { privateKey: privateKeyToPkcs8(attestationKey), certificate: Buffer.from(certificate).toString('base64') },
  };
}
