/**
 * The audit key signs the log's checkpoints and its head. The log only needs this interface;
 * where the private key lives is the signer's business.
 *
 * For now the key is an Ed25519 key in a PKCS#8 file in the data folder, readable by its owner
 * only (mode 0600). The CA vault will hold it instead (sealed with the vault's key, signing in
 * the vault service); it then provides an `AuditSigner` and this file-based one goes away.
 * Until then anyone who can read the data folder as the desk's user can read the key, and so
 * could re-sign a rewritten log: the checkpoint signatures protect against edits by anyone who
 * cannot read that file.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface AuditSigner {
  /** SHA-256 (hex) of the DER public key: how records and reports name the key. */
  readonly keyId: string;
  /** The signature algorithm, as Node's crypto names the key type ('ed25519', 'ec'). */
  readonly algorithm: string;
  /** DER SubjectPublicKeyInfo: written into the log so verification needs nothing else. */
  readonly publicKeySpki: Buffer;
  sign(message: Buffer): Promise<Buffer>;
}

export function keyIdOf(spki: Buffer): string {
  return hash('sha256', spki);
}

/** Checks a signature made by an `AuditSigner` (Ed25519, or ECDSA with SHA-256). */
export function verifyAuditSignature(spki: Buffer, message: Buffer, signature: Buffer): boolean {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', message, key, signature);
  } catch {
    return false;
  }
}

export function auditKeyPath(dataDir: string): string {
  return join(dataDir, 'audit-signing-key.pem');
}

/** The stopgap signer: an Ed25519 key in a 0600 file, created on first use. */
export class FileAuditSigner implements AuditSigner {
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKeySpki: Buffer;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.algorithm = privateKey.asymmetricKeyType ?? 'unknown';
    this.publicKeySpki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.keyId = keyIdOf(this.publicKeySpki);
  }

  static open(path: string): FileAuditSigner {
    const existing = readKey(path);
    if (existing !== null) return new FileAuditSigner(existing);
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    // Written whole to a private temporary file, then linked into place: another process starting
    // at the same moment either finds no key or the complete one (link fails if it exists).
    const temporary = `${path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, pem);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
    const key = readKey(path);
    if (key === null) throw new Error(`The audit key ${path} could not be created.`);
    return new FileAuditSigner(key);
  }

  sign(message: Buffer): Promise<Buffer> {
    return Promise.resolve(sign(this.#privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', message, this.#privateKey));
  }
}

function readKey(path: string): KeyObject | null {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // Key material: readable by the desk's user only, whatever the umask made of it.
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  try {
    return createPrivateKey(pem);
  } finally {
    pem.fill(0);
  }
}
