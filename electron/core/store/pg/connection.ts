/**
 * Connections to the team database (issue 18 §2): a pg Pool opened from a URL, named after the
 * station in `pg_stat_activity` (application_name), with timeouts so an unreachable server is an
 * error in seconds rather than a hang, and failures turned into CardDeskErrors whose messages
 * show the URL without its password (never log this; it is a credential).
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { CardDeskError } from '../../../shared/errors';

export type StationKind = 'desk' | 'kiosk' | 'signer' | 'cli';

export interface PoolOptions {
  readonly kind: StationKind;
  readonly host?: string;
  /** How long opening a connection may take (ms). */
  readonly connectTimeoutMs?: number;
  readonly max?: number;
}

/** The URL with its password replaced by `***`: for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (a libpq key=value string, a typo): hide anything that looks like a password.
    return url.replace(/(:\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@').replace(/(password\s*=\s*)\S+/gi, '$1***');
  }
}

/** What node-postgres and the server say, as a CardDeskError people can act on. */
export function databaseError(error: unknown, url: string): CardDeskError {
  if (error instanceof CardDeskError) return error;
  const where = redactUrl(url);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const clean = message.split(url).join(where);
  if (code === '28P01' || code === '28000') return new CardDeskError('DATABASE_UNREACHABLE', `The database at ${where} refused the user name or password.`, { cause: error });
  if (code === '3D000') return new CardDeskError('DATABASE_UNREACHABLE', `The database named in ${where} does not exist: create it first (createdb), then run carddesk db init.`, { cause: error });
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new CardDeskError('DATABASE_UNREACHABLE', `The database server at ${where} cannot be reached (${code}).`, { cause: error });
  if (/timeout|terminat|Connection ended|connect/i.test(message) && typeof code !== 'string') {
    return new CardDeskError('DATABASE_UNREACHABLE', `The database server at ${where} cannot be reached: ${clean}`, { cause: error });
  }
  return new CardDeskError('INTERNAL', `The database at ${where} failed: ${clean}`, { cause: error });
}

/** A pool for one station; `end()` it when done. Connection errors of idle clients are absorbed (the next query reports them). */
export function openPool(url: string, options: PoolOptions): pg.Pool {
  if (url.trim() === '') throw new CardDeskError('DATABASE_UNREACHABLE', 'No database URL: give --url postgres://… or set CARDDESK_DATABASE_URL.');
  const pool = new pg.Pool({
    connectionString: url,
    application_name: `carddesk ${options.kind} ${options.host ?? hostname()}`.slice(0, 63),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    max: options.max ?? 10,
  });
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` with a pool for `url`, ended afterwards; failures become CardDeskErrors with the URL redacted. */
export async function withPool<T>(url: string, options: PoolOptions, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = openPool(url, options);
  try {
    return await work(pool);
  } catch (error) {
    throw databaseError(error, url);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** Runs `work` in one transaction on one connection of `pool`: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
