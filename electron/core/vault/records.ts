/**
 * The seam between the services and where the vault's records and main document live (issue 18
 * §1): the embedded files (RecordStore, VaultStorage) or the team database (PgRecordStore,
 * PgVaultStorage). Services use only these interfaces and never know which store they have.
 *
 * Reads are synchronous (every record is in memory); `commit` applies a change in memory at once
 * (a service's check and its change stay one step) and resolves once the change is durable, or
 * rejects with the change undone. In the team store another station's change may make a commit
 * fail with CONFLICT, and a lost database makes it fail with DATABASE_UNAVAILABLE.
 */
import type { PendingEvent, RecordChange, StoredRecord } from './record-store';
import type { VaultMeta } from './vault-meta';

export type { PendingEvent, RecordChange, StoredRecord } from './record-store';

export type RecordChangeListener = (changes: readonly RecordChange[]) => void;

export interface Records {
  readonly schemaVersion: number;
  /** Changes whenever committed changes were undone or records replaced: indexes built before are stale. */
  readonly revision: number;
  get<T extends StoredRecord>(collection: string, id: string): T | undefined;
  values<T extends StoredRecord>(collection: string): IterableIterator<T>;
  size(collection: string): number;
  /** Called with every change applied in memory: this station's commits, their undos and (team) other stations' changes. */
  onChange(listener: RecordChangeListener): () => void;
  commit(changes: readonly RecordChange[], event?: PendingEvent): Promise<void>;
  markRecorded(id: string): void;
  pendingEvents(): PendingEvent[];
  /** Replaces every record at once (a restore). */
  replaceAll(collections: Record<string, StoredRecord[]>, schemaVersion: number): Promise<void>;
  dump(): Record<string, StoredRecord[]>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface VaultStore {
  /** Where the vault is: its folder, or the team database (without credentials). */
  readonly dir: string;
  readonly records: Records;
  readonly meta: VaultMeta;
  /** Replaces the main document durably with `change` applied to its latest state; resolves with the new document. */
  updateMeta(change: (meta: VaultMeta) => VaultMeta): Promise<VaultMeta>;
  close(): Promise<void>;
}
