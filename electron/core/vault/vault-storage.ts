/**
 * The vault on disk, in `<CARDDESK_HOME>/vault/`:
 *   vault.lock            the single-writer lock (PID of the owner)
 *   vault.json            the main document through lowdb: schema version, keystore, settings, CA
 *   records/records.json  the directory snapshot (lowdb) and records/journal-N.log its journal
 * Opening takes the lock, reads both parts, and runs pending migrations.
 */
import { join } from 'node:path';
import { LowSync } from 'lowdb';
import { CardDeskError } from '../../shared/errors';
import { ensurePrivateDir, writeFileDurably } from '../files/safe-file';
import { DurableJsonFile } from './json-file-adapter';
import { CURRENT_SCHEMA_VERSION, migrations as releasedMigrations, type Migration } from './migrations';
import { RecordStore, type RecordStoreOptions } from './record-store';
import type { VaultStore } from './records';
import { defaultSettings, type VaultMeta } from './vault-meta';
import { VaultLock } from './vault-lock';

export interface VaultStorageOptions {
  readonly compactAfterBytes?: number;
  /** Tests replace the migrations and the version they lead to. */
  readonly migrations?: readonly Migration[];
  readonly currentVersion?: number;
  /** How the record store's journal lines reach the disk (tests: a failing disk, a kill right after a write). */
  readonly appendLines?: RecordStoreOptions['appendLines'];
}

export function vaultDirOf(dataDir: string): string {
  return join(dataDir, 'vault');
}

export class VaultStorage implements VaultStore {
  readonly records: RecordStore;
  readonly #meta: LowSync<VaultMeta>;
  readonly #lock: VaultLock;
  #closed = false;
  /** The last asynchronous update of vault.json: the next one starts after it. */
  #metaUpdates: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string, meta: LowSync<VaultMeta>, records: RecordStore, lock: VaultLock) {
    this.#meta = meta;
    this.records = records;
    this.#lock = lock;
  }

  static open(dataDir: string, options: VaultStorageOptions = {}): VaultStorage {
    const dir = vaultDirOf(dataDir);
    ensurePrivateDir(dir);
    const lock = VaultLock.acquire(dir);
    try {
      const current = options.currentVersion ?? CURRENT_SCHEMA_VERSION;
      const meta = new LowSync<VaultMeta>(new DurableJsonFile(join(dir, 'vault.json')), {
        format: 'carddesk-vault',
        schemaVersion: current,
        createdAt: new Date().toISOString(),
        keystore: null,
        settings: defaultSettings,
        ca: null,
      });
      meta.read();
      if (meta.data.format !== 'carddesk-vault') throw new CardDeskError('VAULT_CORRUPT', 'vault.json is not a CardDesk vault.');
      const startVersion = meta.data.schemaVersion;
      if (startVersion > current) {
        throw new CardDeskError('VAULT_VERSION_UNSUPPORTED', `This vault has schema version ${startVersion}; this CardDesk reads up to ${current}. Update CardDesk.`);
      }
      meta.write(); // Creates vault.json on first open.
      const records = RecordStore.open(join(dir, 'records'), {
        schemaVersion: startVersion,
        ...(options.compactAfterBytes === undefined ? {} : { compactAfterBytes: options.compactAfterBytes }),
        ...(options.appendLines === undefined ? {} : { appendLines: options.appendLines }),
      });
      const storage = new VaultStorage(dir, meta, records, lock);
      storage.#migrate(options.migrations ?? releasedMigrations, current);
      return storage;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  #migrate(steps: readonly Migration[], current: number): void {
    const pending = (from: number) => steps.filter((step) => step.version > from && step.version <= current).sort((a, b) => a.version - b.version);
    if (this.records.schemaVersion < current) {
      const collections = this.records.dump();
      for (const step of pending(this.records.schemaVersion)) {
        if (step.record === undefined) continue;
        const migrate = step.record.bind(step);
        for (const [name, list] of Object.entries(collections)) collections[name] = list.map((record) => migrate(name, record));
      }
      this.records.replaceAllAtOpen(collections, current);
    }
    if (this.#meta.data.schemaVersion < current) {
      let meta = this.#meta.data;
      for (const step of pending(meta.schemaVersion)) meta = step.meta?.(meta) ?? meta;
      this.updateMetaBlocking(() => ({ ...meta, schemaVersion: current }));
    }
  }

  get meta(): VaultMeta {
    return this.#meta.data;
  }

  /**
   * Replaces the main document durably without holding the event loop; on failure the old one
   * stays, in memory and on disk. Updates run one after another, each on the document the one
   * before left; the new document is visible in `meta` once it is on disk.
   */
  updateMeta(change: (meta: VaultMeta) => VaultMeta): Promise<VaultMeta> {
    const path = join(this.dir, 'vault.json');
    const update = this.#metaUpdates.then(async () => {
      for (;;) {
        const before = this.#meta.data;
        const after = change(before);
        await writeFileDurably(path, JSON.stringify(after));
        // A blocking update (below) landed meanwhile: apply this change on top of it and write again.
        if (this.#meta.data !== before) continue;
        this.#meta.data = after;
        return after;
      }
    });
    this.#metaUpdates = update.catch(() => undefined);
    return update;
  }

  /** `updateMeta` done before returning, holding the event loop for the write: for the migration at open. */
  updateMetaBlocking(change: (meta: VaultMeta) => VaultMeta): VaultMeta {
    const before = this.#meta.data;
    this.#meta.data = change(before);
    try {
      this.#meta.write();
    } catch (error) {
      this.#meta.data = before;
      throw error;
    }
    return this.#meta.data;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#metaUpdates;
      await this.records.close();
    } finally {
      this.#lock.release();
    }
  }
}
