/**
 * Hears other stations' audit appends (issue 18 §4): LISTEN carddesk_audit on a connection of its
 * own. Notifications sent while it is disconnected are lost, so after every (re)connect it reads
 * the head and reports it: a live screen then reloads what is newer than what it shows.
 */
import type pg from 'pg';
import type { Logger } from '../../log/logger';

export interface HeardAppend {
  readonly lastSeq: number;
  readonly count: number;
}

const RETRY_MS = 500;

export class PgAuditListener {
  readonly #pool: pg.Pool;
  readonly #station: string;
  readonly #heard: (appended: HeardAppend) => void;
  readonly #log: Logger | undefined;
  #client: { readonly client: pg.PoolClient; readonly release: (error?: Error) => void } | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;

  constructor(pool: pg.Pool, station: string, heard: (appended: HeardAppend) => void, log?: Logger) {
    this.#pool = pool;
    this.#station = station;
    this.#heard = heard;
    this.#log = log;
  }

  async start(): Promise<void> {
    const client = await this.#pool.connect();
    let released = false;
    const release = (error?: Error): void => {
      if (released) return;
      released = true;
      if (this.#client?.client === client) this.#client = null;
      client.release(error);
    };
    const onLost = (error?: unknown): void => {
      if (released) return;
      release(error instanceof Error ? error : new Error('the audit listener connection ended'));
      if (!this.#stopped) {
        this.#log?.warn('audit listener lost the database; reconnecting', { error });
        this.#schedule();
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      const [seq, count, station] = (message.payload ?? '').split(' ');
      // This station's own appends were reported when they committed.
      if (station === this.#station) return;
      this.#heard({ lastSeq: Number(seq), count: Number(count) });
    });
    try {
      await client.query('LISTEN carddesk_audit');
      const { rows } = await client.query<{ seq: string }>('SELECT seq FROM audit_head WHERE id = 1');
      this.#client = { client, release };
      this.#heard({ lastSeq: Number(rows[0]?.seq ?? 0), count: 0 });
    } catch (error) {
      onLost(error);
      throw error;
    }
  }

  #schedule(): void {
    if (this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#stopped) return;
      this.start().catch(() => this.#schedule());
    }, RETRY_MS);
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    const held = this.#client;
    if (held === null) return;
    await held.client.query('UNLISTEN carddesk_audit').catch(() => undefined);
    held.release();
  }
}
