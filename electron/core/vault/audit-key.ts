/**
 * The desk's audit key, kept by the vault: an Ed25519 key made at `vault init` (or at the first
 * unlock of a vault that has none), its PKCS#8 form sealed under the vault's key in vault.json,
 * its public key and key id in clear beside it so verification can name the desk's key while the
 * vault is locked. The private key is in clear only in memory, while the vault is unlocked.
 */
import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyAuditSigner, keyIdOf, type AuditSigner } from '../audit/audit-signer';
import type { VaultKeyring } from './keyring';
import type { Sealed } from './sealing';

export const AUDIT_KEY_PURPOSE = 'carddesk-audit-key';

export interface StoredAuditKey {
  /** SHA-256 (hex) of the SubjectPublicKeyInfo, as the log names its keys. */
  readonly keyId: string;
  readonly algorithm: 'ed25519';
  /** DER SubjectPublicKeyInfo, base64. */
  readonly publicKey: string;
  /** The PKCS#8 DER private key, sealed with the vault's key. */
  readonly sealed: Sealed;
}

/** A new audit key, sealed with the unlocked keyring. */
export async function newAuditKey(keyring: VaultKeyring): Promise<StoredAuditKey> {
  // Made in the thread pool: the core's event loop keeps answering meanwhile.
  const { privateKey } = await promisify(generateKeyPair)('ed25519');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    return { keyId: keyIdOf(spki), algorithm: 'ed25519', publicKey: spki.toString('base64'), sealed: keyring.seal(der, AUDIT_KEY_PURPOSE) };
  } finally {
    der.fill(0);
  }
}

/** The signer for a stored key (the vault must be unlocked); the caller drops it on lock. */
export function openAuditKey(keyring: VaultKeyring, stored: StoredAuditKey): AuditSigner {
  const der = keyring.open(stored.sealed, AUDIT_KEY_PURPOSE);
  try {
    const signer = new KeyAuditSigner(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    if (signer.keyId !== stored.keyId) throw new Error('The vault audit key does not match its public key.');
    return signer;
  } finally {
    der.fill(0);
  }
}
