import type { AuditEventInput } from '../audit/audit-trail';
import type { RecordChange } from './record-store';
import { VaultStorage, type VaultStorageOptions } from './vault-storage';

/**
 * Adds records to a change recorded with its event, in the same journal line (see
 * change-events.ts): e.g. the outbox message that tells a holder about the change. Runs
 * synchronously inside the commit; returns no changes when it has nothing to add.
 */
export type ChangeFollower = (changes: readonly RecordChange[], event: AuditEventInput) => readonly RecordChange[];

/**
 * Opens the vault on first use and keeps it open, so a process that could not get the lock
 * (another CardDesk has it) answers VAULT_IN_USE per call and succeeds once the other one quits.
 */
export class VaultAccess {
  #storage: VaultStorage | null = null;
  readonly #openListeners = new Set<(storage: VaultStorage) => void>();
  readonly #followers = new Set<ChangeFollower>();

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

  /** Adds `follower` to every `ChangeRecorder.commit` over this vault; returns its removal. */
  followChanges(follower: ChangeFollower): () => void {
    this.#followers.add(follower);
    return () => this.#followers.delete(follower);
  }

  /** What the followers add to a change (a follower that throws adds nothing: the change itself goes ahead). */
  followersOf(changes: readonly RecordChange[], event: AuditEventInput, onError?: (error: unknown) => void): RecordChange[] {
    const out: RecordChange[] = [];
    for (const follower of this.#followers) {
      try {
        out.push(...follower(changes, event));
      } catch (error) {
        onError?.(error);
      }
    }
    return out;
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
