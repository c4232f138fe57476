/**
 * The vault's data key wrapped for an operator card's key-management key (slot 9D, issue 17 §2),
 * so the card (with its PIN) opens the vault and the passphrase is only the recovery unlock.
 *
 * - EC (P-256, P-384): an ephemeral key on the card key's curve; ECDH with the card's public key
 *   (on unlock the card does the ECDH through GENERAL AUTHENTICATE), HKDF-SHA-256 over the shared
 *   x coordinate (salt: the ephemeral point) gives the wrapping key.
 * - RSA: a fresh 32-byte wrapping key encrypted with RSA-OAEP (SHA-256, MGF1-SHA-256) to the card's
 *   public key; on unlock the card does the raw RSA operation and the host removes the OAEP padding
 *   (decodeOaep below, RFC 8017 §7.1.2). OAEP rather than PKCS#1 v1.5: the card is a decryption
 *   oracle for whoever holds its PIN, and OAEP's check is not open to Bleichenbacher's attack.
 *
 * The data key itself is then sealed with AES-256-GCM (sealing.ts) under the wrapping key, bound to
 * the card's serial and certificate. Secrets are zeroed after use and never logged.
 */
import { constants, createECDH, createHash, hkdf, publicEncrypt, randomBytes, timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { AsymmetricAlgorithm } from '../../smartcard/piv';
import { promisify } from 'node:util';
import { algorithmOfKey } from '../piv/piv-client';
import { seal, unseal, type Sealed } from './sealing';

/** One operator card able to open the vault (kept in vault.json, `cardWrappings`). */
export interface CardWrapping {
  readonly operatorId: string;
  readonly cardSerial: string;
  /** The 9D (encryption profile) certificate whose key the data key is wrapped for, upper-case hex serial. */
  readonly certificateSerial: string;
  /** SHA-256 of that certificate's DER (hex): the card's 9D certificate must be this one. */
  readonly fingerprint: string;
  readonly algorithm: AsymmetricAlgorithm;
  /** EC: the ephemeral public point (uncompressed, base64). RSA: the OAEP-encrypted wrapping key (base64). */
  readonly exchange: string;
  readonly sealed: Sealed;
  readonly addedAt: string;
}

/** The card-side private operation an unwrap needs (PivClient.decrypt and .ecdh on slot 9D). */
export interface CardKeyOperations {
  decrypt(slot: string, algorithm: AsymmetricAlgorithm, block: Uint8Array): Promise<Uint8Array>;
  ecdh(slot: string, algorithm: AsymmetricAlgorithm, peerPoint: Uint8Array): Promise<Uint8Array>;
}

const SLOT = '9D';
const HKDF_INFO = 'carddesk-vault-card-wrap';

function purposeOf(cardSerial: string, fingerprint: string): string {
  return `carddesk-vault-card:${cardSerial}:${fingerprint}`;
}

export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

function curveOf(algorithm: AsymmetricAlgorithm): string {
  return algorithm === 'eccp256' ? 'prime256v1' : 'secp384r1';
}

async function ecWrappingKey(shared: Uint8Array, ephemeralPoint: Buffer): Promise<Buffer> {
  return Buffer.from(await promisify(hkdf)('sha256', shared, ephemeralPoint, HKDF_INFO, 32));
}

/** Wraps `dek` for the key of the card's 9D certificate `certificateDer`. */
export async function wrapForCard(dek: Buffer, certificateDer: Buffer, owner: { operatorId: string; cardSerial: string; certificateSerial: string }, now: Date): Promise<CardWrapping> {
  const publicKey: KeyObject = new X509Certificate(certificateDer).publicKey;
  const algorithm = algorithmOfKey(publicKey);
  const fingerprint = certificateFingerprint(certificateDer);
  let kek: Buffer;
  let exchange: Buffer;
  if (algorithm === 'eccp256' || algorithm === 'eccp384') {
    const ephemeral = createECDH(curveOf(algorithm));
    exchange = ephemeral.generateKeys();
    const peer = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(peer.x ?? '', 'base64url'), Buffer.from(peer.y ?? '', 'base64url')]);
    const shared = ephemeral.computeSecret(point);
    kek = await ecWrappingKey(shared, exchange);
    shared.fill(0);
  } else {
    kek = randomBytes(32);
    exchange = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, kek);
  }
  try {
    return { ...owner, fingerprint, algorithm, exchange: exchange.toString('base64'), sealed: seal(kek, dek, purposeOf(owner.cardSerial, fingerprint)), addedAt: now.toISOString() };
  } finally {
    kek.fill(0);
  }
}

/**
 * The data key from a wrapping, with the card's 9D key (its PIN verified already), or null when the
 * card's key does not open it. The caller zeroes the key.
 */
export async function unwrapWithCard(card: CardKeyOperations, wrapping: CardWrapping): Promise<Buffer | null> {
  const exchange = Buffer.from(wrapping.exchange, 'base64');
  let kek: Buffer | null;
  if (wrapping.algorithm === 'eccp256' || wrapping.algorithm === 'eccp384') {
    const shared = Buffer.from(await card.ecdh(SLOT, wrapping.algorithm, exchange));
    kek = await ecWrappingKey(shared, exchange);
    shared.fill(0);
  } else {
    const block = Buffer.from(await card.decrypt(SLOT, wrapping.algorithm, exchange));
    kek = decodeOaep(block);
    block.fill(0);
  }
  if (kek === null) return null;
  try {
    return unseal(kek, wrapping.sealed, purposeOf(wrapping.cardSerial, wrapping.fingerprint));
  } finally {
    kek.fill(0);
  }
}

function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EME-OAEP decoding (RFC 8017 §7.1.2 step 3) with SHA-256 and an empty label; null when the block is not valid. */
export function decodeOaep(block: Buffer): Buffer | null {
  const hLen = 32;
  if (block.length < 2 * hLen + 2) return null;
  const maskedSeed = block.subarray(1, 1 + hLen);
  const maskedDb = block.subarray(1 + hLen);
  const seedMask = mgf1(maskedDb, hLen);
  const seed = Buffer.from(maskedSeed.map((byte, i) => byte ^ seedMask[i]!));
  const dbMask = mgf1(seed, maskedDb.length);
  const db = Buffer.from(maskedDb.map((byte, i) => byte ^ dbMask[i]!));
  const labelHash = createHash('sha256').digest();
  let good = block[0] === 0 && timingSafeEqual(db.subarray(0, hLen), labelHash);
  let separator = -1;
  for (let i = hLen; i < db.length; i++) {
    if (db[i] === 1) {
      separator = i;
      break;
    }
    if (db[i] !== 0) {
      good = false;
      break;
    }
  }
  if (!good || separator < 0) return null;
  const message = Buffer.from(db.subarray(separator + 1));
  db.fill(0);
  seed.fill(0);
  if (message.length !== 32) throw new CardDeskError('VAULT_CORRUPT', 'A card wrapping of the vault key is damaged.');
  return message;
}
