import { VaultStorage, type VaultStorageOptions } from './vault-storage';

/**
 * Opens the vault on first use and keeps it open, so a process that could not get the lock
 * (another CardDesk has it) answers VAULT_IN_USE per call and succeeds once the other one quits.
 */
export class VaultAccess {
  #storage: VaultStorage | null = null;
  readonly #openListeners = new Set<(storage: VaultStorage) => void>();

  constructor(
    readonly dataDir: string,
    private readonly options: VaultStorageOptions = {},
  ) {}

  storage(): VaultStorage {
    if (this.#storage === null) {
      this.#storage = VaultStorage.open(this.dataDir, this.options);
      for (const listener of this.#openListeners) listener(this.#storage);
    }
    return this.#storage;
  }

  get isOpen(): boolean {
    return this.#storage !== null;
  }

  /** Called with each newly opened storage (also after a restore), so indexes can be rebuilt. */
  onOpen(listener: (storage: VaultStorage) => void): void {
    this.#openListeners.add(listener);
  }

  /** Closes and opens again (after a restore replaced the files). */
  async reopen(): Promise<VaultStorage> {
    await this.close();
    return this.storage();
  }

  async close(): Promise<void> {
    const storage = this.#storage;
    this.#storage = null;
    await storage?.close();
  }
}
