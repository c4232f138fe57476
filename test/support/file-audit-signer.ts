/**
 * For tests and benchmarks only: an audit key in a 0600 PKCS#8 file, so several processes
 * (a writer child process and the test) share one key. The desk itself keeps its audit key
 * sealed in the vault (electron/core/vault/audit-key.ts) and never writes it in clear.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyIdOf, type AuditSigner } from '../../electron/core/audit/audit-signer';

export function testAuditKeyPath(dataDir: string): string {
  return join(dataDir, 'test-audit-key.pem');
}

/** An Ed25519 key in a 0600 file, created on first use. */
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
