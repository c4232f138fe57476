/**
 * The vault in the team database (issue 18 §1): the main document in `vault_meta` (one row,
 * versioned) and the records in a PgRecordStore, over one pool and one listening connection.
 *
 * `updateMeta` runs its change on the latest row inside a transaction that holds the row
 * (`SELECT … FOR UPDATE`), so two stations' updates serialize: a CRL number bumped at two
 * stations at once gives two numbers, strictly increasing. Other stations read the row again on
 * `NOTIFY carddesk_meta`. There is no file lock: many stations share the database.
 */
import pg from 'pg';
import { CardDeskError } from '../../../shared/errors';
import type { VaultStore } from '../../vault/records';
import { CURRENT_SCHEMA_VERSION } from '../../vault/migrations';
import { defaultSettings, type VaultMeta } from '../../vault/vault-meta';
import { isConnectionError, PgListener, type DatabaseStatusListener } from './pg-listener';
import { databaseUnavailable, PgRecordStore } from './pg-record-store';

export const META_CHANNEL = 'carddesk_meta';

export interface PgVaultStorageOptions {
  /** The version this CardDesk writes (tests). */
  readonly currentVersion?: number;
  /** How long the listener waits between reconnect attempts (ms). */
  readonly reconnectMs?: number;
  readonly poolSize?: number;
}

/** The URL without its password, for messages. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'the team database';
  }
}

export class PgVaultStorage implements VaultStore {
  readonly records: PgRecordStore;
  readonly #pool: pg.Pool;
  readonly #listener: PgListener;
  #meta: VaultMeta;
  #metaVersion: number;
  #metaUpdates: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(readonly dir: string, pool: pg.Pool, listener: PgListener, records: PgRecordStore, meta: VaultMeta, version: number) {
    this.#pool = pool;
    this.#listener = listener;
    this.records = records;
    this.#meta = meta;
    this.#metaVersion = version;
  }

  static async open(url: string, options: PgVaultStorageOptions = {}): Promise<PgVaultStorage> {
    const current = options.currentVersion ?? CURRENT_SCHEMA_VERSION;
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 2000 });
    // An idle connection cut by a restart: the pool drops it; the next query takes a new one.
    pool.on('error', () => undefined);
    const listener = new PgListener(url, options.reconnectMs);
    try {
      const initial: VaultMeta = { format: 'carddesk-vault', schemaVersion: current, createdAt: new Date().toISOString(), keystore: null, settings: defaultSettings, ca: null };
      await pool.query('INSERT INTO vault_meta (id, data, version) VALUES (1, $1, 1) ON CONFLICT (id) DO NOTHING', [JSON.stringify(initial)]);
      const row = await pool.query<{ data: VaultMeta; version: string }>('SELECT data, version FROM vault_meta WHERE id = 1');
      const meta = row.rows[0]?.data ?? initial;
      if (meta.format !== 'carddesk-vault') throw new CardDeskError('VAULT_CORRUPT', 'The team database does not hold a CardDesk vault.');
      if (meta.schemaVersion !== current) {
        throw new CardDeskError(
          'VAULT_VERSION_UNSUPPORTED',
          meta.schemaVersion > current
            ? `The team database's vault has schema version ${meta.schemaVersion}; this CardDesk reads up to ${current}. Update CardDesk.`
            : `The team database's vault has schema version ${meta.schemaVersion}; this CardDesk needs ${current}. Run carddesk db migrate.`,
        );
      }
      const records = await PgRecordStore.open(pool, listener, meta.schemaVersion);
      const storage = new PgVaultStorage(describeDatabase(url), pool, listener, records, meta, Number(row.rows[0]?.version ?? 1));
      await listener.start({ ...records.channels(), [META_CHANNEL]: () => void storage.#readMeta().catch(() => undefined) });
      listener.onReconnect(() => storage.#readMeta());
      listener.ready();
      return storage;
    } catch (error) {
      await listener.close();
      await pool.end().catch(() => undefined);
      throw isConnectionError(error) ? databaseUnavailable(error) : error;
    }
  }

  get meta(): VaultMeta {
    return this.#meta;
  }

  get connected(): boolean {
    return this.#listener.connected;
  }

  /** Called with false when the database is lost and true when it is back. */
  onDatabaseStatus(listener: DatabaseStatusListener): () => void {
    return this.#listener.onStatus(listener);
  }

  async #readMeta(): Promise<void> {
    const row = await this.#pool.query<{ data: VaultMeta; version: string }>('SELECT data, version FROM vault_meta WHERE id = 1');
    const first = row.rows[0];
    if (first !== undefined && Number(first.version) > this.#metaVersion) {
      this.#meta = first.data;
      this.#metaVersion = Number(first.version);
    }
  }

  /**
   * Runs `change` on the latest document while holding its row, and writes the result: updates
   * from all stations serialize. Resolves with the new document once committed.
   */
  updateMeta(change: (meta: VaultMeta) => VaultMeta): Promise<VaultMeta> {
    const update = this.#metaUpdates.then(async () => {
      if (this.#closed) throw new Error('The vault is closed.');
      if (!this.#listener.connected) throw databaseUnavailable();
      const client = await this.#pool.connect().catch((error: unknown) => {
        throw databaseUnavailable(error);
      });
      let broken = false;
      try {
        await client.query('BEGIN');
        const row = await client.query<{ data: VaultMeta; version: string }>('SELECT data, version FROM vault_meta WHERE id = 1 FOR UPDATE');
        const first = row.rows[0];
        if (first === undefined) throw new CardDeskError('VAULT_CORRUPT', 'The team database has no vault document.');
        const after = change(first.data);
        const version = Number(first.version) + 1;
        await client.query('UPDATE vault_meta SET data = $1, version = $2 WHERE id = 1', [JSON.stringify(after), version]);
        await client.query('SELECT pg_notify($1, $2)', [META_CHANNEL, String(version)]);
        await client.query('COMMIT');
        if (version > this.#metaVersion) {
          this.#meta = after;
          this.#metaVersion = version;
        }
        return after;
      } catch (error) {
        broken = isConnectionError(error);
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        throw broken ? databaseUnavailable(error) : error;
      } finally {
        client.release(broken);
      }
    });
    this.#metaUpdates = update.catch(() => undefined);
    return update;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#metaUpdates;
    this.#closed = true;
    try {
      await this.records.close();
    } finally {
      await this.#listener.close();
      await this.#pool.end().catch(() => undefined);
    }
  }
}
