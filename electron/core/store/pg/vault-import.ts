/**
 * `carddesk db import` (issue 18 §2): moves an embedded vault into a new team database in ONE
 * transaction: the main document (vault.json) into vault_meta, every record into records, audit
 * events not yet in the audit log into pending_events, and the contract files into blobs. Either
 * all of it is there afterwards or none of it. The vault is read through an open VaultStorage, so
 * it holds the vault's lock: no other CardDesk changes it meanwhile.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type pg from 'pg';
import { CardDeskError } from '../../../shared/errors';
import type { VaultStore } from '../../vault/records';
import { VaultStorage } from '../../vault/vault-storage';
import { inTransaction, redactUrl, withPool } from './connection';
import { assertWritable, SCHEMA_LOCK_KEY } from './migrate';
import { CURRENT_PG_SCHEMA_VERSION } from './schema';
import { registerStation } from './stations';

export interface ImportCounts {
  /** Records per collection. */
  readonly collections: Record<string, number>;
  readonly records: number;
  readonly pendingEvents: number;
  readonly blobs: number;
}

const BATCH = 500;

/** Every file under `dir`, as paths relative to it with `/` separators (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/')).sort();
}

async function refuseIfNotEmpty(client: pg.PoolClient, url: string): Promise<void> {
  const result = await client.query<{ meta: string; records: string; blobs: string; pending: string }>(
    'SELECT (SELECT count(*) FROM vault_meta) AS meta, (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM blobs) AS blobs, (SELECT count(*) FROM pending_events) AS pending',
  );
  const row = result.rows[0];
  const total = Number(row?.meta ?? 0) + Number(row?.records ?? 0) + Number(row?.blobs ?? 0) + Number(row?.pending ?? 0);
  if (total > 0) throw new CardDeskError('DATABASE_NOT_EMPTY', `The database at ${redactUrl(url)} already holds a vault: import only into a new database (carddesk db init on an empty one).`);
}

/** Imports `storage` (open, so locked) and the contract files in `contractsDir` into the database at `url`. */
export async function importVault(url: string, storage: VaultStore, contractsDir: string): Promise<ImportCounts> {
  // With CARDDESK_DATABASE_URL set the vault services open the team database: there is no embedded vault to move.
  if (!(storage instanceof VaultStorage)) throw new CardDeskError('INVALID_STATE', 'carddesk db import moves the embedded vault: run it without CARDDESK_DATABASE_URL and give the database with --url.');
  return withPool(url, { kind: 'cli' }, async (pool) => {
    await assertWritable(pool);
    const counts = await inTransaction(pool, async (client) => {
      // Shared with migrations: no schema change runs under an import.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      await refuseIfNotEmpty(client, url);
      await client.query('INSERT INTO vault_meta (id, data, version) VALUES (1, $1::jsonb, 1)', [JSON.stringify(storage.meta)]);
      const collections: Record<string, number> = {};
      let records = 0;
      for (const [collection, list] of Object.entries(storage.records.dump())) {
        collections[collection] = list.length;
        for (let start = 0; start < list.length; start += BATCH) {
          const batch = list.slice(start, start + BATCH);
          await client.query(
            `INSERT INTO records (collection, id, data, version, change_seq)
             SELECT $1, r.id, r.data, 1, nextval('record_change_seq') FROM unnest($2::text[], $3::jsonb[]) AS r(id, data)`,
            [collection, batch.map((record) => record.id), batch.map((record) => JSON.stringify(record))],
          );
          records += batch.length;
        }
      }
      const pending = storage.records.pendingEvents();
      for (const event of pending) {
        await client.query('INSERT INTO pending_events (change_id, at, event) VALUES ($1, $2, $3::jsonb)', [event.id, event.at, JSON.stringify(event.event)]);
      }
      const names = await filesUnder(contractsDir);
      for (const name of names) {
        const bytes = await readFile(join(contractsDir, name));
        await client.query('INSERT INTO blobs (name, bytes, sha256) VALUES ($1, $2, $3)', [name, bytes, createHash('sha256').update(bytes).digest('hex')]);
      }
      return { collections, records, pendingEvents: pending.length, blobs: names.length };
    });
    await registerStation(pool, { kind: 'cli', schemaVersion: CURRENT_PG_SCHEMA_VERSION });
    return counts;
  });
}
