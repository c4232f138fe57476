/**
 * The vault's cryptography: scrypt turns the passphrase into a key-encryption key (KEK) that
 * wraps a random data-encryption key (DEK); the DEK seals each secret (CA keys, card management
 * keys) with AES-256-GCM, bound to its purpose by the additional data, so a sealed value cannot
 * be swapped for another. Changing the passphrase rewraps the DEK only.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export interface Sealed {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export interface KdfParams {
  readonly algorithm: 'scrypt';
  /** CPU/memory cost (a power of two), block size and parallelism, as in RFC 7914. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
}

/** 2^17 × 8 × 128 bytes = 128 MiB and about half a second: OWASP's recommended scrypt minimum. */
export function newKdfParams(): KdfParams {
  return { algorithm: 'scrypt', N: 2 ** 17, r: 8, p: 1, salt: randomBytes(16).toString('base64') };
}

/** The KEK for a passphrase. The caller zeroes both buffers after use. */
export function deriveKey(passphrase: Buffer, kdf: KdfParams): Buffer {
  return scryptSync(passphrase, Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r + 1024 * 1024,
  });
}

export function seal(key: Buffer, plaintext: Buffer, purpose: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Opens a sealed value; returns null when the key is wrong or the value was changed. */
export function unseal(key: Buffer, sealed: Sealed, purpose: string): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
  } catch {
    return null;
  }
}
