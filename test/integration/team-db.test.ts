/**
 * The team database's setup (issue 18 §2, §6) against a real PostgreSQL (Debian's server programs,
 * a private cluster on its own port): init, refusals, versioned migrations under concurrency and
 * failure, stations of an older build refused, `carddesk db status`, and `carddesk db import` of
 * a vault with holders, cards, certificates and contracts, through the real CLI (bin/carddesk.cjs).
 * Each test has its own database and its own CARDDESK_HOME.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { ContractStore } from '../../electron/core/contracts/contract-store';
import { silentLogger } from '../../electron/core/log/logger';
import { openPool } from '../../electron/core/store/pg/connection';
import { assertWritable, databaseStatus, initDatabase, migrateDatabase, type MigrationPlan } from '../../electron/core/store/pg/migrate';
import { CURRENT_PG_SCHEMA_VERSION, pgMigrations } from '../../electron/core/store/pg/schema';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { VaultStorage } from '../../electron/core/vault/vault-storage';
import { carddesk } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { freshHome } from '../support/host-process';
import { openssl } from '../support/openssl';
import { TestPostgres } from '../support/postgres';
import { holderInput, operator, PASSPHRASE } from '../support/vault-fixtures';

let server: TestPostgres;

beforeAll(async () => {
  server = await TestPostgres.start();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

const versions = async (url: string): Promise<number[]> => (await query<{ version: number }>(url, 'SELECT version FROM carddesk_schema ORDER BY version')).map((row) => row.version);
const exists = async (url: string, table: string): Promise<boolean> => ((await query<{ found: string | null }>(url, 'SELECT to_regclass($1)::text AS found', [table]))[0]?.found ?? null) !== null;

/** The released steps plus a step 2 (good or failing), as a newer build would have them. */
function planWithStep2(sql: string): MigrationPlan {
  return { migrations: [...pgMigrations, { version: 2, description: 'a later step', sql }], buildVersion: 2 };
}
const bootstrapOnly: MigrationPlan = { migrations: [], buildVersion: 0 };

describe('the schema runner', () => {
  it('init makes the CardDesk tables in an empty database and registers the station', async () => {
    const url = await server.createDatabase();
    const result = await initDatabase(url);
    expect(result).toEqual({ created: true, from: 0, to: CURRENT_PG_SCHEMA_VERSION, applied: [1] });
    expect(await versions(url)).toEqual([1]);
    for (const table of ['carddesk_schema', 'stations', 'vault_meta', 'records', 'pending_events', 'blobs']) expect(await exists(url, table), table).toBe(true);
    const stations = await query<{ kind: string; schema_version: number }>(url, 'SELECT kind, schema_version FROM stations');
    expect(stations).toEqual([{ kind: 'cli', schema_version: 1 }]);
  });

  it('init refuses a database holding someone else’s tables and changes nothing', async () => {
    const url = await server.createDatabase();
    await query(url, 'CREATE TABLE invoices (id int PRIMARY KEY)');
    await expect(initDatabase(url)).rejects.toMatchObject({ code: 'DATABASE_NOT_EMPTY', message: expect.stringContaining('not a CardDesk database') as unknown });
    expect(await exists(url, 'carddesk_schema')).toBe(false);
    expect(await exists(url, 'records')).toBe(false);
  });

  it('migrate and init again are idempotent', async () => {
    const url = await server.createDatabase();
    await initDatabase(url);
    expect(await migrateDatabase(url)).toEqual({ from: 1, to: 1, applied: [] });
    expect(await migrateDatabase(url)).toEqual({ from: 1, to: 1, applied: [] });
    expect(await initDatabase(url)).toMatchObject({ created: false, applied: [] });
    expect(await versions(url)).toEqual([1]);
  });

  it('two stations migrating at once: one applies the step, the other waits and finds nothing to do', async () => {
    const url = await server.createDatabase();
    await initDatabase(url, bootstrapOnly);
    expect(await versions(url)).toEqual([]);
    // A slow step 1, so the second station certainly arrives while the first holds the lock; run twice it would fail (tables exist).
    const slow: MigrationPlan = { migrations: [{ ...pgMigrations[0]!, sql: `${pgMigrations[0]!.sql}\nSELECT pg_sleep(0.5);` }], buildVersion: 1 };
    const results = await Promise.all([migrateDatabase(url, slow, { kind: 'desk', host: 'desk-1' }), migrateDatabase(url, slow, { kind: 'kiosk', host: 'kiosk-1' })]);
    expect(results.map((result) => result.applied).sort((a, b) => b.length - a.length)).toEqual([[1], []]);
    expect(await versions(url)).toEqual([1]);
    const stations = await query<{ id: string }>(url, 'SELECT id FROM stations ORDER BY id');
    expect(stations.map((row) => row.id)).toEqual(['cli:' + (await import('node:os')).hostname(), 'desk:desk-1', 'kiosk:kiosk-1']);
  });

  it('a failing step rolls back whole: the database stays at the version before it', async () => {
    const url = await server.createDatabase();
    await initDatabase(url);
    const bad = planWithStep2('CREATE TABLE half_done (x int); INSERT INTO no_such_table VALUES (1);');
    await expect(migrateDatabase(url, bad)).rejects.toThrow(/no_such_table/);
    expect(await versions(url)).toEqual([1]);
    expect(await exists(url, 'half_done')).toBe(false);
    const pool = openPool(url, { kind: 'desk' });
    try {
      await expect(assertWritable(pool, 2)).rejects.toMatchObject({ code: 'DATABASE_VERSION', message: 'The database has schema version 1; this CardDesk needs 2: run carddesk db migrate.' });
      await expect(assertWritable(pool, 1)).resolves.toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('a station of an older build refuses to write, and its migrate says to update CardDesk', async () => {
    const url = await server.createDatabase();
    await initDatabase(url, planWithStep2('CREATE TABLE later_step (x int);'));
    expect(await versions(url)).toEqual([1, 2]);
    const pool = openPool(url, { kind: 'kiosk' });
    try {
      await expect(assertWritable(pool, 1)).rejects.toMatchObject({ code: 'DATABASE_VERSION', message: 'The database has schema version 2; this CardDesk knows up to 1: update CardDesk.' });
    } finally {
      await pool.end();
    }
    await expect(migrateDatabase(url)).rejects.toMatchObject({ code: 'DATABASE_VERSION', message: expect.stringContaining('update CardDesk') as unknown });
    const empty = await server.createDatabase();
    const fresh = openPool(empty, { kind: 'desk' });
    try {
      await expect(assertWritable(fresh)).rejects.toMatchObject({ code: 'DATABASE_NOT_INITIALISED' });
    } finally {
      await fresh.end();
    }
  });

  it('status names the versions, the pending steps and the stations seen', async () => {
    const url = await server.createDatabase();
    await initDatabase(url);
    await migrateDatabase(url, { migrations: pgMigrations, buildVersion: 1 }, { kind: 'signer', host: 'ca-host' });
    const status = await databaseStatus(url, planWithStep2('SELECT 1'));
    expect(status).toMatchObject({ schemaVersion: 1, buildVersion: 2, pending: [{ version: 2, description: 'a later step' }], applied: [{ version: 1 }] });
    expect(status.stations.map((station) => [station.kind, station.host])).toContainEqual(['signer', 'ca-host']);
  });

  it('an unreachable server is DATABASE_UNREACHABLE, with the password kept out of the message', async () => {
    const url = `postgres://carddesk_test:Hunter2secret@127.0.0.1:1/nothing`;
    const failed = (await databaseStatus(url).then(
      () => new Error('no error'),
      (error: unknown) => error as Error,
    )) as Error & { code?: string };
    expect(failed).toMatchObject({ code: 'DATABASE_UNREACHABLE' });
    expect(failed.message).toContain('postgres://carddesk_test:***@127.0.0.1:1/nothing');
    expect(failed.message).not.toContain('Hunter2secret');
  });
});

describe('carddesk db', () => {
  /** The URL as an administrator would give it, with a password (the test server trusts local connections, so it is not checked). */
  const withPassword = (url: string): string => url.replace('carddesk_test@', 'carddesk_test:S3cret-pw@');

  it('init, status and migrate from the command line, the URL also from CARDDESK_DATABASE_URL', async () => {
    const home = freshHome('carddesk-team-db-');
    const url = withPassword(await server.createDatabase());
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => carddesk(args, { home, env });

    const before = await run(['db', 'status', '--url', url]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('[DATABASE_NOT_INITIALISED]');

    const init = await run(['db', 'init', '--url', url]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('The team database is ready at schema version 1');

    const status = await run(['db', 'status'], { CARDDESK_DATABASE_URL: url });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Schema version: +1\n/);
    expect(status.stdout).toMatch(/This CardDesk: +1\n/);
    expect(status.stdout).toMatch(/Pending steps: +none/);
    expect(status.stdout).toMatch(/cli:\S+ +cli +schema 1/);
    const json = await run(['db', 'status', '--json', '--url', url]);
    expect(JSON.parse(json.stdout)).toMatchObject({ schemaVersion: 1, buildVersion: CURRENT_PG_SCHEMA_VERSION, pending: [] });

    const again = await run(['db', 'migrate', '--url', url]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to do: the team database is at schema version 1.');
    for (const result of [before, init, status, json, again]) expect(result.stdout + result.stderr).not.toContain('S3cret-pw');

    // A database made by an older build (the runner's tables only): migrate brings it up in one step.
    const older = withPassword(await server.createDatabase());
    await initDatabase(older, bootstrapOnly);
    const migrated = await run(['db', 'migrate', '--url', older]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('upgraded from schema version 0 to 1');
    expect(await versions(older)).toEqual([1]);

    const foreign = await server.createDatabase();
    await query(foreign, 'CREATE TABLE payroll (id int)');
    const refused = await run(['db', 'init'], { CARDDESK_DATABASE_URL: foreign });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[DATABASE_NOT_EMPTY]');

    const missing = await run(['db', 'status']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No database URL');
    expect(await unrecordedCommands('team-db', run)).toEqual(['db import']);
  }, 120_000);

  it('import moves a vault with holders, cards, certificates and contracts into a new database, once', async () => {
    const home = freshHome('carddesk-team-import-');
    const services = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger });
    const contracts = new ContractStore(services.access);
    try {
      await services.vault.init(Buffer.from(PASSPHRASE), operator);
      await services.ca.init({ algorithm: 'p384', rootSubject: 'CN=Team Root, O=CardDesk Test', issuingSubject: 'CN=Team Issuing, O=CardDesk Test', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null }, operator);
      const holders = [];
      for (const n of [1, 2, 3]) {
        const saved = await services.directory.create(holderInput(n), operator);
        if (!saved.ok) throw new Error('holder not saved');
        holders.push(saved.holder);
      }
      await services.directory.registerCard('TEAM-0001', holders[0]!.id, operator);
      await services.directory.registerCard('TEAM-0002', holders[1]!.id, operator);
      for (const n of [1, 2]) {
        const made = openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(home, `k${n}.key`), '-subj', `/CN=team ${n}`, '-out', join(home, `k${n}.csr`));
        expect(made.code, made.stderr).toBe(0);
        const request = await readFile(join(home, `k${n}.csr`), 'utf8');
        await services.certificates.issue({ profile: 'authentication', request, holderId: holders[0]!.id, cardSerial: null, subject: '' }, operator);
      }
      const added = await contracts.add({ id: 'CTR-TEAM-1', holderId: holders[0]!.id, holderName: 'Team One', cardSerial: 'TEAM-0001', certificateSerials: [], language: 'en', kind: 'issue', generatedAt: new Date().toISOString(), pages: 1, bytes: Buffer.from('%PDF-1.7\n% a contract\n%%EOF\n') });
      expect(added.ok).toBe(true);
    } finally {
      await services.close();
    }
    const source = VaultStorage.open(home);
    const dump = source.records.dump();
    const meta = source.meta;
    await source.close();
    expect(dump['holders']).toHaveLength(3);
    expect(dump['cards']).toHaveLength(2);
    expect(dump['certificates']?.length).toBeGreaterThanOrEqual(2);

    const url = await server.createDatabase();
    const run = (args: string[]) => carddesk(args, { home });
    expect((await run(['db', 'init', '--url', url])).code).toBe(0);

    // Held by another process (here: this one), the vault is not imported.
    const holder = VaultStorage.open(home);
    const busy = await run(['db', 'import', '--url', url]).finally(() => holder.close());
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('[VAULT_IN_USE]');

    const imported = await run(['db', 'import', '--url', url]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1 contract files');

    const counts = await query<{ collection: string; count: string }>(url, 'SELECT collection, count(*) AS count FROM records GROUP BY collection');
    expect(Object.fromEntries(counts.map((row) => [row.collection, Number(row.count)]))).toEqual(Object.fromEntries(Object.entries(dump).map(([name, list]) => [name, list.length])));
    const holderId = dump['holders']![1]!.id;
    const [row] = await query<{ data: unknown; version: string }>(url, "SELECT data, version FROM records WHERE collection = 'holders' AND id = $1", [holderId]);
    expect(row?.data).toEqual(dump['holders']![1]);
    const [metaRow] = await query<{ data: unknown }>(url, 'SELECT data FROM vault_meta WHERE id = 1');
    expect(metaRow?.data).toEqual(JSON.parse(JSON.stringify(meta)));
    const blobs = await query<{ name: string; bytes: Buffer; sha256: string }>(url, 'SELECT name, bytes, sha256 FROM blobs');
    expect(blobs.map((blob) => blob.name)).toEqual(['CTR-TEAM-1.unsigned.pdf']);
    expect(blobs[0]?.sha256).toBe(createHash('sha256').update(blobs[0]!.bytes).digest('hex'));
    expect(blobs[0]?.bytes.toString('latin1')).toContain('a contract');

    const twice = await run(['db', 'import', '--url', url]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('[DATABASE_NOT_EMPTY]');
    const after = await query<{ count: string }>(url, 'SELECT count(*) AS count FROM records');
    expect(Number(after[0]?.count)).toBe(Object.values(dump).reduce((sum, list) => sum + list.length, 0));
    expect(await unrecordedCommands('team-db', run)).toEqual(['db migrate']); // run in the test above
  }, 180_000);
});
