/**
 * One dedicated connection per station that LISTENs on the team database's channels (issue 18
 * §4). Notifications are lost while it is disconnected, so when the connection comes back it
 * tells its users (`onReconnect`) to read what changed meanwhile. It reconnects by itself and
 * reports the database lost and back (`onStatus`), which the stores use to refuse writes at once.
 */
import pg from 'pg';

export type DatabaseStatusListener = (connected: boolean) => void;

export class PgListener {
  #client: pg.Client | null = null;
  #connected = false;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;
  readonly #channels = new Map<string, (payload: string) => void>();
  readonly #reconnects = new Set<() => Promise<void>>();
  readonly #status = new Set<DatabaseStatusListener>();

  constructor(
    private readonly url: string,
    private readonly retryMs = 250,
  ) {}

  get connected(): boolean {
    return this.#connected;
  }

  /** Connects and listens; throws when the database cannot be reached at open. */
  async start(channels: Record<string, (payload: string) => void>): Promise<void> {
    for (const [channel, handler] of Object.entries(channels)) this.#channels.set(channel, handler);
    await this.#connect();
  }

  onStatus(listener: DatabaseStatusListener): () => void {
    this.#status.add(listener);
    return () => this.#status.delete(listener);
  }

  /** Runs after every reconnect, before the station is reported connected again. */
  onReconnect(catchUp: () => Promise<void>): void {
    this.#reconnects.add(catchUp);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => this.#channels.get(message.channel)?.(message.payload ?? ''));
    try {
      await client.connect();
      for (const channel of this.#channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#client = client;
  }

  #setStatus(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const listener of this.#status) listener(connected);
  }

  /** Marks the start: the first connection is up. */
  ready(): void {
    this.#setStatus(true);
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    client.end().catch(() => undefined);
    this.#setStatus(false);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#reconnect();
    }, this.retryMs);
  }

  async #reconnect(): Promise<void> {
    try {
      await this.#connect();
      for (const catchUp of this.#reconnects) await catchUp();
      if (this.#closed) return;
      this.#setStatus(true);
    } catch {
      const client = this.#client;
      this.#client = null;
      await client?.end().catch(() => undefined);
      this.#scheduleRetry();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    client?.removeAllListeners('end');
    await client?.end().catch(() => undefined);
  }
}

/** Whether an error from the driver means the database could not be reached (rather than a refused statement). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|57P01|57P02|57P03|08\w{3})$/.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}
