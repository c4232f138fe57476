/**
 * Escrow of holders' encryption keys (the 9D key management key), so a lost card's encrypted mail
 * and files can be opened again. Each escrowed key is encrypted for the vault's recovery key pair
 * (RSA-OAEP-SHA256 around a one-time AES-256-GCM key): escrowing needs only the recovery public
 * key, recovering needs its private key, which is sealed in the vault — the split a separate
 * recovery-officer role will use. Every escrow and every recovery is recorded.
 */
import { constants, createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCallback, privateDecrypt, publicEncrypt, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { CardDeskError } from '../../shared/errors';
import type { AsymmetricAlgorithm } from '../../smartcard/piv';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { VaultKeyring } from '../vault/keyring';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';

export const ESCROW = 'escrow';
const RECOVERY_ID = '#recovery-key';
const RECOVERY_PURPOSE = 'escrow-recovery-key';

interface RecoveryKeyRecord {
  readonly id: typeof RECOVERY_ID;
  /** SPKI DER, base64. */
  readonly publicKey: string;
  readonly sealedPrivateKey: Sealed;
  readonly createdAt: string;
}

export interface EscrowRecord {
  readonly id: string;
  readonly cardSerial: string;
  readonly holderId: string;
  readonly algorithm: AsymmetricAlgorithm;
  /** The certificate issued for the key, once there is one. */
  readonly certificateSerial: string | null;
  /** The one-time AES key, RSA-OAEP encrypted for the recovery key; base64. */
  readonly wrappedKey: string;
  readonly iv: string;
  readonly tag: string;
  /** The private key (PKCS#8 DER) under the one-time key; base64. */
  readonly ciphertext: string;
  readonly createdAt: string;
}

const curves: Partial<Record<AsymmetricAlgorithm, string>> = { eccp256: 'prime256v1', eccp384: 'secp384r1' };

/** Key generation in Node's thread pool: an RSA key takes up to a second, which the core's event loop does not wait out. */
const generate = promisify(generateKeyPairCallback);

/** A new key pair of a PIV algorithm, made in the vault's process. */
export function generateSoftwareKeyPair(algorithm: AsymmetricAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const curve = curves[algorithm];
  if (curve !== undefined) return generate('ec', { namedCurve: curve });
  return generate('rsa', { modulusLength: Number(algorithm.slice(3)) });
}

export class KeyEscrow {
  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The recovery key being made, so that escrows at the same moment make one, not one each. */
  #makingRecoveryKey: Promise<KeyObject> | null = null;

  #records() {
    return this.access.storage().records;
  }

  /** The recovery public key; made (RSA-3072) on first use, its private half sealed in the vault. */
  #recoveryPublicKey(): Promise<KeyObject> {
    const stored = this.#records().get<RecoveryKeyRecord>(ESCROW, RECOVERY_ID);
    if (stored !== undefined) return Promise.resolve(createPublicKey({ key: Buffer.from(stored.publicKey, 'base64'), format: 'der', type: 'spki' }));
    this.#makingRecoveryKey ??= this.#makeRecoveryKey().finally(() => (this.#makingRecoveryKey = null));
    return this.#makingRecoveryKey;
  }

  async #makeRecoveryKey(): Promise<KeyObject> {
    const pair = await generate('rsa', { modulusLength: 3072 });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const record: RecoveryKeyRecord = {
      id: RECOVERY_ID,
      publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      sealedPrivateKey: this.keyring.seal(pkcs8, RECOVERY_PURPOSE),
      createdAt: this.clock().toISOString(),
    };
    pkcs8.fill(0);
    await this.#records().commit([{ collection: ESCROW, id: RECOVERY_ID, record }]);
    return pair.publicKey;
  }

  /** Escrows `privateKey` for a card and holder; returns the escrow record's id. */
  async escrow(privateKey: KeyObject, owner: { cardSerial: string; holderId: string; algorithm: AsymmetricAlgorithm }, op: OperationContext): Promise<string> {
    const recovery = await this.#recoveryPublicKey();
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const oneTime = randomBytes(32);
    const iv = randomBytes(12);
    const id = randomUUID();
    try {
      const cipher = createCipheriv('aes-256-gcm', oneTime, iv);
      cipher.setAAD(Buffer.from(id));
      const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
      const record: EscrowRecord = {
        id,
        ...owner,
        certificateSerial: null,
        wrappedKey: publicEncrypt({ key: recovery, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, oneTime).toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        createdAt: this.clock().toISOString(),
      };
      await this.#records().commit([{ collection: ESCROW, id, record }]);
    } finally {
      pkcs8.fill(0);
      oneTime.fill(0);
    }
    await this.audit.record({ action: 'escrow.keyEscrow', outcome: 'success', cardSerial: owner.cardSerial, holderId: owner.holderId, details: { escrowId: id, algorithm: owner.algorithm }, ...op });
    return id;
  }

  attachCertificate(id: string, certificateSerial: string): Promise<void> {
    const record: EscrowRecord = { ...this.entry(id), certificateSerial };
    return this.#records().commit([{ collection: ESCROW, id, record }]);
  }

  entry(id: string): EscrowRecord {
    const record = id === RECOVERY_ID ? undefined : this.#records().get<EscrowRecord>(ESCROW, id);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no escrowed key ${id}.`);
    return record;
  }

  /** The escrowed keys of a card, oldest first. */
  forCard(cardSerial: string): EscrowRecord[] {
    return [...this.#records().values<EscrowRecord>(ESCROW)]
      .filter((record) => record.id !== RECOVERY_ID && record.cardSerial === cardSerial)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Decrypts an escrowed key with the recovery key (the vault must be unlocked) and records the recovery. */
  async recover(id: string, purpose: string, op: OperationContext): Promise<KeyObject> {
    const record = this.entry(id);
    const stored = this.#records().get<RecoveryKeyRecord>(ESCROW, RECOVERY_ID);
    if (stored === undefined) throw new CardDeskError('VAULT_CORRUPT', 'The escrow recovery key is missing from the vault.');
    const recoveryPkcs8 = this.keyring.open(stored.sealedPrivateKey, RECOVERY_PURPOSE);
    let pkcs8: Buffer | null = null;
    try {
      const recovery = createPrivateKey({ key: recoveryPkcs8, format: 'der', type: 'pkcs8' });
      const oneTime = privateDecrypt({ key: recovery, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(record.wrappedKey, 'base64'));
      const decipher = createDecipheriv('aes-256-gcm', oneTime, Buffer.from(record.iv, 'base64'));
      decipher.setAAD(Buffer.from(record.id));
      decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
      pkcs8 = Buffer.concat([decipher.update(Buffer.from(record.ciphertext, 'base64')), decipher.final()]);
      oneTime.fill(0);
      const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      await this.audit.record({
        action: 'escrow.keyRecover',
        outcome: 'success',
        reason: purpose,
        cardSerial: record.cardSerial,
        holderId: record.holderId,
        ...(record.certificateSerial === null ? {} : { certificateSerial: record.certificateSerial }),
        details: { escrowId: id },
        ...op,
      });
      return key;
    } catch (error) {
      if (error instanceof CardDeskError) throw error;
      await this.audit.record({ action: 'escrow.keyRecover', outcome: 'failure', reason: 'the escrowed key did not decrypt', cardSerial: record.cardSerial, holderId: record.holderId, details: { escrowId: id }, ...op });
      throw new CardDeskError('VAULT_CORRUPT', `The escrowed key ${id} does not decrypt; it was changed or damaged.`, { cause: error });
    } finally {
      recoveryPkcs8.fill(0);
      pkcs8?.fill(0);
    }
  }
}
