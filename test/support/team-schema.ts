/**
 * A new database with the team schema applied, for tests of the team stores. Applies the
 * migrations directly until the migration runner (`carddesk db`, electron/core/store/pg/migrate.ts)
 * is there to call instead.
 */
import pg from 'pg';
import { pgMigrations } from '../../electron/core/store/pg/schema';
import type { TestPostgres } from './postgres';

export async function freshTeamDatabase(server: TestPostgres): Promise<string> {
  const url = await server.createDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const migration of pgMigrations) await client.query(migration.sql);
  } finally {
    await client.end();
  }
  return url;
}
