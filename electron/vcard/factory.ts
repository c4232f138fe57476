/**
 * A factory-fresh virtual PIV card: its ATR, the application property template SELECT returns,
 * the mandatory data objects (CHUID, CCC, discovery object), factory PIN/PUK/management key, and
 * an attestation key with its certificate.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { ALG, APPLICATION_PROPERTY, OBJECT, PIV_AID, PIV_RID } from '../smartcard/piv';
import { encodeAtr } from '../smartcard/atr';
import { cardCapabilityContainer, chuid, DISCOVERY_OBJECT } from '../smartcard/piv-objects';
import { encodeTlv } from '../smartcard/tlv';
import { generateCardKey, privateKeyToPkcs8 } from './card-crypto';
import { factoryReferences, newSerial, type CardState } from './card-state';
import { buildCertificate, CA_EXTENSIONS } from './certificate-builder';

export const CARD_LABEL = 'CardDesk virtual PIV';
/** The vendor-extension level this card implements (GET VERSION). */
export const CARD_VERSION: [number, number, number] = [5, 7, 1];

/**
 * ATR: T=1, IFSC 254, and historical bytes in compact-TLV form (category 80): the card
 * capabilities (selection by full DF name, command chaining and extended Lc/Le) and card issuer's
 * data "CardDesk", so middleware can tell it is our card without mistaking it for another.
 */
export const ATR: Uint8Array = encodeAtr({ issuerData: Buffer.from('CardDesk'), commandChaining: true, extendedLength: true });

/** What SELECT of the PIV AID answers (SP 800-73-4 Part 2 Table 3). */
export const APPLICATION_PROPERTY_TEMPLATE = encodeTlv(
  APPLICATION_PROPERTY.TEMPLATE,
  encodeTlv(APPLICATION_PROPERTY.AID, PIV_AID.subarray(PIV_RID.length)),
  encodeTlv(APPLICATION_PROPERTY.ALLOCATION_AUTHORITY, encodeTlv(APPLICATION_PROPERTY.AID, PIV_RID)),
  encodeTlv(APPLICATION_PROPERTY.LABEL, Buffer.from(CARD_LABEL)),
  encodeTlv(
    APPLICATION_PROPERTY.ALGORITHMS,
    ...[ALG.TDES, ALG.AES_128, ALG.AES_192, ALG.AES_256, ALG.RSA_2048, ALG.RSA_3072, ALG.RSA_4096, ALG.ECC_P256, ALG.ECC_P384].map((id) =>
      encodeTlv(APPLICATION_PROPERTY.ALGORITHM, Uint8Array.of(id)),
    ),
    // The template ends with the object identifier tag, its value 00 (no further algorithm information).
    encodeTlv(APPLICATION_PROPERTY.OBJECT_IDENTIFIER, Uint8Array.of(0)),
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
    extensions: CA_EXTENSIONS,
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
