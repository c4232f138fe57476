import type { AuditEventInput } from '../audit/audit-trail';
import { CardDeskError } from '../../shared/errors';
import { PgVaultStorage, type PgVaultStorageOptions } from '../store/pg/pg-vault-storage';
import type { RecordChange } from './record-store';
import type { VaultStore } from './records';
import { VaultStorage, type VaultStorageOptions } from './vault-storage';

export interface VaultAccessOptions extends VaultStorageOptions {
  /** Team mode (issue 18): the vault is in this PostgreSQL database instead of the data folder. */
  readonly databaseUrl?: string;
  readonly team?: PgVaultStorageOptions;
}

/**
 * Adds records to a change recorded with its event, in the same journal line (see
 * change-events.ts): e.g. the outbox message that tells a holder about the change. Runs
 * synchronously inside the commit; returns no changes when it has nothing to add.
 */
export type ChangeFollower = (changes: readonly RecordChange[], event: AuditEventInput) => readonly RecordChange[];

/**
 * Opens the vault on first use and keeps it open, so a process that could not get the lock
 * (another CardDesk has it) answers VAULT_IN_USE per call and succeeds once the other one quits.
 *
 * In team mode (a database URL) opening is asynchronous: `prepare()` opens it (the core awaits it
 * at start), and `storage()` stays synchronous afterwards.
 */
export class VaultAccess {
  #storage: VaultStore | null = null;
  #opening: Promise<VaultStore> | null = null;
  readonly #openListeners = new Set<(storage: VaultStore) => void>();
  readonly #followers = new Set<ChangeFollower>();

  constructor(
    readonly dataDir: string,
    private readonly options: VaultAccessOptions = {},
  ) {}

  /** Whether the vault is in a team database. */
  get team(): boolean {
    return this.options.databaseUrl !== undefined;
  }

  storage(): VaultStore {
    if (this.#storage === null) {
      if (this.options.databaseUrl !== undefined) {
        // Tried again in the background: the next call finds it open once the database answers.
        this.prepare().catch(() => undefined);
        throw new CardDeskError('DATABASE_UNAVAILABLE', 'The team database is not connected yet; nothing was changed. Try again in a moment.');
      }
      this.#opened(VaultStorage.open(this.dataDir, this.options));
    }
    return this.#storage as VaultStore;
  }

  /** Opens the vault if it is not open: in team mode by connecting to the database; embedded, as `storage()` does. */
  async prepare(): Promise<VaultStore> {
    if (this.#storage !== null) return this.#storage;
    const url = this.options.databaseUrl;
    if (url === undefined) return this.storage();
    this.#opening ??= PgVaultStorage.open(url, this.options.team)
      .then((storage) => {
        this.#opened(storage);
        return storage;
      })
      .finally(() => {
        this.#opening = null;
      });
    return this.#opening;
  }

  #opened(storage: VaultStore): void {
    this.#storage = storage;
    for (const listener of this.#openListeners) listener(storage);
  }

  get isOpen(): boolean {
    return this.#storage !== null;
  }

  /** Called with each newly opened storage (also after a restore), so indexes can be rebuilt. */
  onOpen(listener: (storage: VaultStore) => void): void {
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
  async reopen(): Promise<VaultStore> {
    await this.close();
    return this.prepare();
  }

  async close(): Promise<void> {
    const storage = this.#storage;
    this.#storage = null;
    await storage?.close();
  }
}
