/**
 * The audit key signs the log's checkpoints and its head. The log only needs this interface;
 * where the private key lives is the signer's business.
 *
 * The desk's audit key is an Ed25519 key the CA vault generates and keeps sealed under the
 * vault's key (see vault/audit-key.ts): it exists in clear only in this process's memory, as a
 * `KeyAuditSigner`, while the vault is unlocked. No private audit key is ever written in clear.
 */
import { createPublicKey, generateKeyPair, hash, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { AuditAnchorKeeper } from './audit-anchor';

export interface AuditSigner {
  /** SHA-256 (hex) of the DER public key: how records and reports name the key. */
  readonly keyId: string;
  /** The signature algorithm, as Node's crypto names the key type ('ed25519', 'ec'). */
  readonly algorithm: string;
  /** DER SubjectPublicKeyInfo: written into the log so verification needs nothing else. */
  readonly publicKeySpki: Buffer;
  sign(message: Buffer): Promise<Buffer>;
}

/** What the vault needs of the audit log: to name the desk's key, give or take the key, and keep the anchor. */
export interface AuditSigning {
  setDeskKeyId(keyId: string | null): void;
  useSigner(signer: AuditSigner | null): Promise<void>;
  useAnchorKeeper(keeper: AuditAnchorKeeper | null): Promise<void>;
}

export function keyIdOf(spki: Buffer): string {
  return hash('sha256', spki);
}

/** Checks a signature made by an `AuditSigner` (Ed25519, or ECDSA with SHA-256). */
/**
 * Keys already parsed, by the buffer holding their SPKI (verification checks many checkpoints
 * with one key); used only while that buffer still holds the same bytes.
 */
const parsedKeys = new WeakMap<Buffer, { readonly der: Buffer; readonly key: KeyObject }>();

export function verifyAuditSignature(spki: Buffer, message: Buffer, signature: Buffer): boolean {
  try {
    let parsed = parsedKeys.get(spki);
    if (parsed === undefined || !parsed.der.equals(spki)) {
      parsed = { der: Buffer.from(spki), key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
      parsedKeys.set(spki, parsed);
    }
    const { key } = parsed;
    return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', message, key, signature);
  } catch {
    return false;
  }
}

/** Signs with a private key held in memory only (the vault's unsealed audit key; tests; benchmarks). */
export class KeyAuditSigner implements AuditSigner {
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKeySpki: Buffer;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.algorithm = privateKey.asymmetricKeyType ?? 'unknown';
    this.publicKeySpki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.keyId = keyIdOf(this.publicKeySpki);
  }

  /** A new Ed25519 key that lives and dies with this object (generated in the thread pool). */
  static async generate(): Promise<KeyAuditSigner> {
    const { privateKey } = await promisify(generateKeyPair)('ed25519');
    return new KeyAuditSigner(privateKey);
  }

  sign(message: Buffer): Promise<Buffer> {
    return Promise.resolve(sign(this.#privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', message, this.#privateKey));
  }
}
