/**
 * Proof that a card holds the private key of a certificate: the card's key in a slot signs a fresh
 * random challenge (SP 800-73-4 Part 2 §3.2.4 GENERAL AUTHENTICATE, through `signSha256WithSlot`)
 * and the signature verifies with the certificate's public key. The kiosk proves a card genuine
 * with it (9E, or 9A after the PIN) and the desk's operator sign-in proves the operator card (9A).
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { AsymmetricAlgorithm } from '../../smartcard/piv';
import { parseCertificate } from '../ca/certificate-reader';
import type { PivClient } from './piv-client';
import { signSha256WithSlot } from './piv-signing';

const CHALLENGE_BYTES = 32;

/** The PIV algorithm of a public key, or null for one a PIV card does not hold. */
export function algorithmOfKey(key: KeyObject): AsymmetricAlgorithm | null {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details?.modulusLength;
    return bits === 2048 ? 'rsa2048' : bits === 3072 ? 'rsa3072' : bits === 4096 ? 'rsa4096' : null;
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details?.namedCurve;
    return curve === 'prime256v1' ? 'eccp256' : curve === 'secp384r1' ? 'eccp384' : null;
  }
  return null;
}

/**
 * Whether the key in `slot` is the private key of `certificate` (DER). A card that will not sign
 * answers false; a pulled or busy card stays an error (CARD_REMOVED, NO_CARD, CARD_IN_USE), so the
 * caller tells "card removed" apart from "not the card". The PIN must be verified first where the
 * slot's PIN policy asks for it (9A).
 */
export async function proveSlotKey(client: PivClient, slot: string, certificate: Buffer): Promise<boolean> {
  const publicKey = createPublicKey({ key: parseCertificate(certificate).publicKeyInfo, format: 'der', type: 'spki' });
  const algorithm = algorithmOfKey(publicKey);
  if (algorithm === null) return false;
  const challenge = randomBytes(CHALLENGE_BYTES);
  let signature: Uint8Array;
  try {
    signature = await signSha256WithSlot(client, slot, algorithm, challenge);
  } catch (error) {
    if (error instanceof CardDeskError && ['CARD_REMOVED', 'NO_CARD', 'CARD_IN_USE'].includes(error.code)) throw error;
    return false;
  }
  return verify('sha256', challenge, publicKey, signature);
}
