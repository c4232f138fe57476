import { CardDeskError } from '../../shared/errors';
import { seal, unseal, type Sealed } from './sealing';

/**
 * Holds the vault's data-encryption key while the vault is unlocked, and forgets it (zeroed) on
 * lock or after the idle time. Every use of a secret counts as activity. Never log the key.
 */
export class VaultKeyring {
  #dek: Buffer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #idleMs: number;
  readonly #onLock: () => void;

  constructor(options: { idleMinutes: number; onLock?: () => void }) {
    this.#idleMs = options.idleMinutes * 60_000;
    this.#onLock = options.onLock ?? (() => {});
  }

  get unlocked(): boolean {
    return this.#dek !== null;
  }

  /** Takes ownership of `dek` (zeroed on lock). */
  unlock(dek: Buffer): void {
    this.#forget();
    this.#dek = dek;
    this.#touch();
  }

  lock(): void {
    const was = this.unlocked;
    this.#forget();
    if (was) this.#onLock();
  }

  setIdleMinutes(minutes: number): void {
    this.#idleMs = minutes * 60_000;
    if (this.unlocked) this.#touch();
  }

  #forget(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dek?.fill(0);
    this.#dek = null;
  }

  #touch(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.lock(), this.#idleMs);
    // An idle timer must not keep a CLI process alive.
    this.#timer.unref();
  }

  #key(): Buffer {
    if (this.#dek === null) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first.');
    this.#touch();
    return this.#dek;
  }

  seal(plaintext: Buffer, purpose: string): Sealed {
    return seal(this.#key(), plaintext, purpose);
  }

  /** The secret in a Buffer the caller zeroes after use. */
  open(sealed: Sealed, purpose: string): Buffer {
    const plain = unseal(this.#key(), sealed, purpose);
    if (plain === null) throw new CardDeskError('VAULT_CORRUPT', `A sealed vault secret (${purpose}) failed its integrity check.`);
    return plain;
  }

  /** A copy of the key, for rewrapping under a new passphrase or sealing a backup. Zero it after use. */
  exportKey(): Buffer {
    return Buffer.from(this.#key());
  }
}
