/**
 * The vault's cryptography: scrypt turns the passphrase into a key-encryption key (KEK) that
 * wraps a random data-encryption key (DEK); the DEK seals each secret (CA keys, card management
 * keys) with AES-256-GCM, bound to its purpose by the additional data, so a sealed value cannot
 * be swapped for another. Changing the passphrase rewraps the DEK only.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

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

/**
 * What CardDesk accepts from a vault or backup file before running scrypt: a crafted file with
 * N = 2^30 would take gigabytes and minutes and stall every session (issue 11 §4). CardDesk writes
 * N = 2^17, r = 8, p = 1 (128 MiB); these bounds leave room for stronger settings, not for that.
 */
export const KDF_BOUNDS = { minN: 2 ** 14, maxN: 2 ** 20, maxR: 32, maxP: 16, maxMemoryBytes: 256 * 1024 * 1024, maxCost: 2 ** 17 * 8 * 8 } as const;

const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0;

/** scrypt's working memory for these parameters (RFC 7914: 128·r·N for V, plus 128·r·p for B). */
export function kdfMemoryBytes(kdf: Pick<KdfParams, 'N' | 'r' | 'p'>): number {
  return 128 * kdf.r * kdf.N + 128 * kdf.r * kdf.p;
}

/** Null when `kdf` is within the bounds; otherwise what is wrong, as a sentence fragment. */
export function kdfOutOfBounds(kdf: unknown): string | null {
  const k = kdf as Partial<Record<keyof KdfParams, unknown>> | null;
  if (k === null || typeof k !== 'object' || k.algorithm !== 'scrypt') return 'its key derivation is not scrypt';
  const { N, r, p, salt } = k;
  if (typeof N !== 'number' || !isPowerOfTwo(N) || N < KDF_BOUNDS.minN || N > KDF_BOUNDS.maxN) return `scrypt N = ${String(N)} is outside 2^14 to 2^20 (a power of two)`;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > KDF_BOUNDS.maxR) return `scrypt r = ${String(r)} is outside 1 to ${KDF_BOUNDS.maxR}`;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > KDF_BOUNDS.maxP) return `scrypt p = ${String(p)} is outside 1 to ${KDF_BOUNDS.maxP}`;
  if (kdfMemoryBytes({ N, r, p }) > KDF_BOUNDS.maxMemoryBytes) return `scrypt would need ${Math.ceil(kdfMemoryBytes({ N, r, p }) / 2 ** 20)} MiB (at most 256 MiB)`;
  if (N * r * p > KDF_BOUNDS.maxCost) return `scrypt work N·r·p = ${N * r * p} is more than ${KDF_BOUNDS.maxCost}`;
  if (typeof salt !== 'string' || salt.length < 16 || salt.length > 128) return 'its salt is missing or of the wrong size';
  return null;
}

/**
 * The KEK for a passphrase, computed on libuv's thread pool (never on the thread that serves the
 * windows). The caller checks `kdfOutOfBounds` first and zeroes both buffers after use.
 */
export function deriveKey(passphrase: Buffer, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: kdfMemoryBytes(kdf) + 1024 * 1024 }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
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
