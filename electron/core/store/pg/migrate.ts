/**
 * The team database's versioned migrations (issue 18 §2, §3). `carddesk_schema` lists the steps
 * applied; the runner's own tables (it and `stations`) are made by `initDatabase`, not by a step.
 *
 * Each step runs in ONE transaction holding a transaction-level advisory lock: two stations
 * migrating at once queue on the lock, and the second finds the step applied and does nothing; a
 * failing step rolls back whole, so the database stays at the version before it and no station
 * ever sees a half-upgraded schema.
 */
import type pg from 'pg';
import { CardDeskError } from '../../../shared/errors';
import { inTransaction, withPool, redactUrl, type PoolOptions } from './connection';
import { CURRENT_PG_SCHEMA_VERSION, pgMigrations, type PgMigration } from './schema';
import { listStations, registerStation, type StationRow } from './stations';

/** The advisory lock key every schema change takes ("CardDesk" in ASCII, as a bigint). */
export const SCHEMA_LOCK_KEY = '4855563441746107755';

const BOOTSTRAP_DDL = `
CREATE TABLE IF NOT EXISTS carddesk_schema (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS stations (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('desk', 'kiosk', 'signer', 'cli')),
  host text NOT NULL,
  schema_version integer NOT NULL,
  last_seen timestamptz NOT NULL DEFAULT now()
);
`;

/** Which steps and which version this build knows (tests inject a failing step). */
export interface MigrationPlan {
  readonly migrations: readonly PgMigration[];
  readonly buildVersion: number;
}

const releasedPlan: MigrationPlan = { migrations: pgMigrations, buildVersion: CURRENT_PG_SCHEMA_VERSION };
const cliStation: PoolOptions = { kind: 'cli' };

/** Whether the CardDesk tables exist; null when they do not (not a CardDesk database, or not yet). */
async function schemaVersionOf(db: pg.Pool | pg.PoolClient): Promise<number | null> {
  const exists = await db.query<{ found: string | null }>(`SELECT to_regclass('carddesk_schema')::text AS found`);
  if ((exists.rows[0]?.found ?? null) === null) return null;
  const result = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM carddesk_schema');
  return result.rows[0]?.version ?? 0;
}

/** The number of tables, views and sequences in the database's own schemas. */
async function userRelations(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ count: string }>(
    `SELECT count(*) AS count FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'v', 'm', 'S', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`,
  );
  return Number(result.rows[0]?.count ?? 0);
}

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

/** Applies the pending steps on `pool`, each in its own locked transaction. */
export async function migratePool(pool: pg.Pool, plan: MigrationPlan = releasedPlan): Promise<MigrationResult> {
  const steps = [...plan.migrations].filter((step) => step.version <= plan.buildVersion).sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  let from: number | null = null;
  for (;;) {
    const done = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      const current = await schemaVersionOf(client);
      if (current === null) throw new CardDeskError('DATABASE_NOT_INITIALISED', 'This database has no CardDesk schema: run carddesk db init first.');
      from ??= current;
      if (current > plan.buildVersion) throw versionTooNew(current, plan.buildVersion);
      const next = steps.find((step) => step.version > current);
      if (next === undefined) return true;
      if (next.version !== current + 1) throw new CardDeskError('INTERNAL', `No migration from schema version ${current} to ${current + 1}: a CardDesk bug.`);
      await client.query(next.sql);
      await client.query('INSERT INTO carddesk_schema (version, description) VALUES ($1, $2)', [next.version, next.description]);
      applied.push(next.version);
      return false;
    });
    if (done) break;
  }
  const start = from ?? 0;
  return { from: start, to: applied.at(-1) ?? start, applied };
}

/**
 * `carddesk db init`: makes the runner's tables and applies every step. Refuses a database that
 * holds anything else (someone else's tables); on a CardDesk database it only applies what is pending.
 */
export async function initDatabase(url: string, plan: MigrationPlan = releasedPlan, station: PoolOptions = cliStation): Promise<MigrationResult & { created: boolean }> {
  return withPool(url, station, async (pool) => {
    const created = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      if ((await schemaVersionOf(client)) !== null) return false;
      const relations = await userRelations(client);
      if (relations > 0) {
        throw new CardDeskError('DATABASE_NOT_EMPTY', `The database at ${redactUrl(url)} already holds ${relations} tables or sequences and is not a CardDesk database: give CardDesk an empty database of its own.`);
      }
      await client.query(BOOTSTRAP_DDL);
      return true;
    });
    const result = await migratePool(pool, plan);
    await registerStation(pool, { kind: station.kind, ...(station.host === undefined ? {} : { host: station.host }), schemaVersion: plan.buildVersion });
    return { ...result, created };
  });
}

/** `carddesk db migrate`. */
export async function migrateDatabase(url: string, plan: MigrationPlan = releasedPlan, station: PoolOptions = cliStation): Promise<MigrationResult> {
  return withPool(url, station, async (pool) => {
    const result = await migratePool(pool, plan);
    await registerStation(pool, { kind: station.kind, ...(station.host === undefined ? {} : { host: station.host }), schemaVersion: plan.buildVersion });
    return result;
  });
}

export interface DatabaseStatus {
  /** The URL without its password. */
  readonly url: string;
  readonly schemaVersion: number;
  readonly buildVersion: number;
  readonly pending: readonly { version: number; description: string }[];
  readonly applied: readonly { version: number; description: string; appliedAt: string }[];
  readonly stations: readonly StationRow[];
}

/** `carddesk db status`: the database's version, this build's, what is pending and the stations seen. */
export async function databaseStatus(url: string, plan: MigrationPlan = releasedPlan, station: PoolOptions = cliStation): Promise<DatabaseStatus> {
  return withPool(url, station, async (pool) => {
    const version = await schemaVersionOf(pool);
    if (version === null) throw new CardDeskError('DATABASE_NOT_INITIALISED', `The database at ${redactUrl(url)} has no CardDesk schema: run carddesk db init.`);
    const applied = await pool.query<{ version: number; description: string; applied_at: Date }>('SELECT version, description, applied_at FROM carddesk_schema ORDER BY version');
    return {
      url: redactUrl(url),
      schemaVersion: version,
      buildVersion: plan.buildVersion,
      pending: plan.migrations.filter((step) => step.version > version && step.version <= plan.buildVersion).map(({ version: v, description }) => ({ version: v, description })),
      applied: applied.rows.map((row) => ({ version: row.version, description: row.description, appliedAt: row.applied_at.toISOString() })),
      stations: await listStations(pool),
    };
  });
}

function versionTooNew(database: number, build: number): CardDeskError {
  return new CardDeskError('DATABASE_VERSION', `The database has schema version ${database}; this CardDesk knows up to ${build}: update CardDesk.`);
}

/**
 * Before a station writes (issue 18 §3): refuses unless the database's schema version is exactly
 * the one this build knows. Older stations must not write into a schema they do not understand;
 * a database behind the build needs `carddesk db migrate` first.
 */
export async function assertWritable(pool: pg.Pool, buildVersion = CURRENT_PG_SCHEMA_VERSION): Promise<void> {
  const version = await schemaVersionOf(pool);
  if (version === null) throw new CardDeskError('DATABASE_NOT_INITIALISED', 'This database has no CardDesk schema: run carddesk db init.');
  if (version > buildVersion) throw versionTooNew(version, buildVersion);
  if (version < buildVersion) throw new CardDeskError('DATABASE_VERSION', `The database has schema version ${version}; this CardDesk needs ${buildVersion}: run carddesk db migrate.`);
}
