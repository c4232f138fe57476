/**
 * The vault's records in the team database (issue 18 §1, §3, §4): the same semantics as the
 * embedded RecordStore (records.ts), with every record in memory so reads stay synchronous.
 *
 * A commit applies its changes in memory at once and writes them in ONE transaction: each row
 * with version + 1 and the transaction's change number, the audit event that records it, the
 * marks of events the audit log now holds, and `NOTIFY carddesk_records`. It resolves after
 * COMMIT. Each row's version is kept in memory: an UPDATE that expects another version (another
 * station changed the record and this one had not caught up), or an INSERT of a record that
 * exists, fails the whole commit with CONFLICT; the change is undone in memory and the record is
 * read again. Commits of one station are written one after another; if one fails, those queued
 * after it (which may build on it) are undone and rejected too, as in the embedded store.
 *
 * Change numbers are taken under a transaction-level advisory lock held to COMMIT, so changes
 * become visible in the order of their numbers: a station that has read up to N has missed
 * nothing below N. On a notification (and after a reconnect, since notifications are lost while
 * disconnected) the station reads the rows numbered after the last it saw, applies them to its
 * maps and tells its listeners. While the database is lost, commits are refused at once with
 * DATABASE_UNAVAILABLE, never queued.
 */
import type pg from 'pg';
import { CardDeskError } from '../../../shared/errors';
import type { PendingEvent, RecordChange, RecordChangeListener, Records, StoredRecord } from '../../vault/records';
import { isConnectionError, type PgListener } from './pg-listener';

export const RECORDS_CHANNEL = 'carddesk_records';
/** The advisory lock key that orders change numbers (any constant shared by all stations). */
const CHANGE_ORDER_LOCK = 0x43445231;

interface Row {
  collection: string;
  id: string;
  data: StoredRecord | null;
  version: string;
  change_seq: string;
}

interface QueuedCommit {
  readonly changes: readonly RecordChange[];
  readonly undo: readonly RecordChange[];
  readonly event: PendingEvent | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const keyOf = (collection: string, id: string): string => `${collection}\u0000${id}`;

export function databaseUnavailable(cause?: unknown): CardDeskError {
  const error = new CardDeskError('DATABASE_UNAVAILABLE', 'The team database cannot be reached; nothing was changed. Try again when it is back.');
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}

export class PgRecordStore implements Records {
  readonly #pool: pg.Pool;
  readonly #listener: PgListener;
  readonly #maps = new Map<string, Map<string, StoredRecord>>();
  /** Each row's version as this station last saw it (tombstones included). */
  readonly #versions = new Map<string, number>();
  readonly #listeners = new Set<RecordChangeListener>();
  readonly #remoteListeners = new Set<RecordChangeListener>();
  readonly #pending = new Map<string, PendingEvent>();
  #marks: string[] = [];
  #lastSeen = 0;
  #schemaVersion: number;
  #revision = 0;
  #closed = false;
  readonly #queue: QueuedCommit[] = [];
  #writing: Promise<void> | null = null;
  /** Keys changed in memory by commits not yet written: another station's row for them waits. */
  readonly #inFlight = new Map<string, number>();
  /** Keys another station changed while a commit of ours was writing them: read again once it is done. */
  readonly #deferred = new Set<string>();
  #catchUp: Promise<void> = Promise.resolve();
  #catchUpAgain = false;

  private constructor(pool: pg.Pool, listener: PgListener, schemaVersion: number) {
    this.#pool = pool;
    this.#listener = listener;
    this.#schemaVersion = schemaVersion;
  }

  /** Loads every record and the pending events; the listener is started by the caller with `channels()`. */
  static async open(pool: pg.Pool, listener: PgListener, schemaVersion: number): Promise<PgRecordStore> {
    const store = new PgRecordStore(pool, listener, schemaVersion);
    const client = await pool.connect();
    try {
      // One snapshot for the rows and the number they reach.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const rows = await client.query<Row>('SELECT collection, id, data, version, change_seq FROM records');
      const events = await client.query<{ change_id: string; at: string; event: PendingEvent['event'] }>('SELECT change_id, at, event FROM pending_events ORDER BY at');
      await client.query('COMMIT');
      store.#applyRows(rows.rows, false);
      for (const row of events.rows) store.#pending.set(row.change_id, { id: row.change_id, at: Number(row.at), event: row.event });
    } finally {
      client.release();
    }
    listener.onReconnect(() => store.#readChanges());
    return store;
  }

  /** The channel handler for the station's listener. */
  channels(): Record<string, (payload: string) => void> {
    return { [RECORDS_CHANNEL]: () => this.#scheduleCatchUp() };
  }

  get schemaVersion(): number {
    return this.#schemaVersion;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Whether the database is reachable (the listener's connection is up). */
  get connected(): boolean {
    return this.#listener.connected;
  }

  get<T extends StoredRecord>(collection: string, id: string): T | undefined {
    return this.#maps.get(collection)?.get(id) as T | undefined;
  }

  values<T extends StoredRecord>(collection: string): IterableIterator<T> {
    return (this.#maps.get(collection) ?? new Map<string, StoredRecord>()).values() as IterableIterator<T>;
  }

  size(collection: string): number {
    return this.#maps.get(collection)?.size ?? 0;
  }

  onChange(listener: RecordChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called, after `onChange`'s listeners, with the changes that came from other stations only (live screens, §4). */
  onRemoteChange(listener: RecordChangeListener): () => void {
    this.#remoteListeners.add(listener);
    return () => this.#remoteListeners.delete(listener);
  }

  #apply(changes: readonly RecordChange[]): RecordChange[] {
    const undo: RecordChange[] = [];
    for (const change of changes) {
      let map = this.#maps.get(change.collection);
      if (map === undefined) this.#maps.set(change.collection, (map = new Map<string, StoredRecord>()));
      undo.unshift({ collection: change.collection, id: change.id, record: map.get(change.id) ?? null });
      if (change.record === null) map.delete(change.id);
      else map.set(change.id, change.record);
    }
    return undo;
  }

  #tell(changes: readonly RecordChange[], remote = false): void {
    if (changes.length === 0) return;
    for (const listener of this.#listeners) listener(changes);
    if (remote) for (const listener of this.#remoteListeners) listener(changes);
  }

  /** Applies rows read from the database that are newer than what this station holds. */
  #applyRows(rows: readonly Row[], tell: boolean): string[] {
    const changes: RecordChange[] = [];
    const deferred: string[] = [];
    for (const row of rows) {
      const key = keyOf(row.collection, row.id);
      const version = Number(row.version);
      this.#lastSeen = Math.max(this.#lastSeen, Number(row.change_seq));
      if ((this.#versions.get(key) ?? 0) >= version) continue; // This station's own write, or already seen.
      if (this.#inFlight.has(key)) {
        deferred.push(key); // A commit of ours is writing it: read again once it is done.
        this.#deferred.add(key);
        continue;
      }
      this.#versions.set(key, version);
      changes.push({ collection: row.collection, id: row.id, record: row.data === null ? null : { ...row.data, id: row.id } });
    }
    this.#apply(changes);
    if (tell && changes.length > 0) {
      this.#revision += 1;
      this.#tell(changes, true);
    }
    return deferred;
  }

  #scheduleCatchUp(): void {
    if (this.#catchUpAgain) return;
    this.#catchUpAgain = true;
    this.#catchUp = this.#catchUp.then(async () => {
      this.#catchUpAgain = false;
      await this.#readChanges().catch(() => undefined); // Lost connection: the reconnect reads again.
    });
  }

  /** Reads every row numbered after the last one seen (after a notification or a reconnect). */
  async #readChanges(): Promise<void> {
    if (this.#closed) return;
    const result = await this.#pool.query<Row>('SELECT collection, id, data, version, change_seq FROM records WHERE change_seq > $1 ORDER BY change_seq', [this.#lastSeen]);
    this.#applyRows(result.rows, true);
  }

  /** Reads `keys` again (after a conflict): what another station wrote replaces what this one had. */
  async #refresh(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const pairs = keys.map((key) => key.split('\u0000') as [string, string]);
    const result = await this.#pool.query<Row>(
      'SELECT r.collection, r.id, r.data, r.version, r.change_seq FROM records r JOIN unnest($1::text[], $2::text[]) AS k(collection, id) ON r.collection = k.collection AND r.id = k.id',
      [pairs.map(([collection]) => collection), pairs.map(([, id]) => id)],
    );
    const changes: RecordChange[] = [];
    for (const row of result.rows) {
      const key = keyOf(row.collection, row.id);
      if (this.#inFlight.has(key) || (this.#versions.get(key) ?? 0) >= Number(row.version)) continue;
      this.#versions.set(key, Number(row.version));
      changes.push({ collection: row.collection, id: row.id, record: row.data === null ? null : { ...row.data, id: row.id } });
    }
    this.#apply(changes);
    if (changes.length > 0) {
      this.#revision += 1;
      this.#tell(changes, true);
    }
  }

  commit(changes: readonly RecordChange[], event?: PendingEvent): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error('The record store is closed.'));
    if (!this.#listener.connected) {
      // Callers update their indexes right after this call, before awaiting it: once they have, those indexes are stale.
      return Promise.resolve().then(() => {
        this.#revision += 1;
        throw databaseUnavailable();
      });
    }
    if (event !== undefined) this.#pending.set(event.id, event);
    const undo = this.#apply(changes);
    for (const change of changes) {
      const key = keyOf(change.collection, change.id);
      this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    }
    this.#tell(changes);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ changes, undo, event, resolve, reject });
      this.#writing ??= this.#writeQueue().finally(() => {
        this.#writing = null;
      });
    });
  }

  #release(changes: readonly RecordChange[]): string[] {
    const keys: string[] = [];
    for (const change of changes) {
      const key = keyOf(change.collection, change.id);
      const count = (this.#inFlight.get(key) ?? 1) - 1;
      if (count <= 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, count);
      keys.push(key);
    }
    return keys;
  }

  async #writeQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const item = this.#queue[0] as QueuedCommit;
      const marks = this.#marks;
      this.#marks = [];
      try {
        const versions = await this.#write(item, marks);
        this.#queue.shift();
        for (const [key, version] of versions) this.#versions.set(key, version);
        this.#release(item.changes);
        item.resolve();
        const again = [...this.#deferred].filter((key) => !this.#inFlight.has(key));
        for (const key of again) this.#deferred.delete(key);
        await this.#refresh(again).catch(() => this.#scheduleCatchUp());
      } catch (error) {
        this.#marks = [...marks, ...this.#marks];
        const failed = this.#queue.splice(0);
        const keys: string[] = [];
        // Undone newest first: later commits may build on the failed one.
        for (const queued of [...failed].reverse()) {
          this.#apply(queued.undo);
          this.#tell(queued.undo);
          if (queued.event !== undefined) this.#pending.delete(queued.event.id);
          keys.push(...this.#release(queued.changes));
        }
        this.#revision += 1;
        const reason = error instanceof CardDeskError ? error : isConnectionError(error) ? databaseUnavailable(error) : error;
        for (const queued of failed) queued.reject(reason);
        if (reason instanceof CardDeskError && reason.code === 'CONFLICT') await this.#refresh(keys).catch(() => undefined);
      }
    }
  }

  /** One transaction for one commit; returns the rows' new versions. */
  async #write(item: QueuedCommit, marks: readonly string[]): Promise<Map<string, number>> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const seqResult = await client.query<{ seq: string }>('SELECT pg_advisory_xact_lock($1), nextval(\'record_change_seq\') AS seq', [CHANGE_ORDER_LOCK]);
      const seq = Number(seqResult.rows[0]?.seq);
      // The last change of a key in this commit is what the row holds.
      const last = new Map<string, RecordChange>();
      for (const change of item.changes) last.set(keyOf(change.collection, change.id), change);
      const versions = new Map<string, number>();
      for (const [key, change] of last) {
        const expected = this.#versions.get(key);
        const data = change.record === null ? null : JSON.stringify(change.record);
        const result =
          expected === undefined
            ? await client.query('INSERT INTO records (collection, id, data, version, change_seq) VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING', [change.collection, change.id, data, seq])
            : await client.query('UPDATE records SET data = $3, version = version + 1, change_seq = $4 WHERE collection = $1 AND id = $2 AND version = $5', [change.collection, change.id, data, seq, expected]);
        if (result.rowCount !== 1) {
          throw new CardDeskError('CONFLICT', `The ${change.collection} record ${change.id} was changed at another station; reload and try again.`);
        }
        versions.set(key, (expected ?? 0) + 1);
      }
      if (item.event !== undefined) {
        await client.query('INSERT INTO pending_events (change_id, at, event) VALUES ($1, $2, $3)', [item.event.id, item.event.at, JSON.stringify(item.event.event)]);
      }
      if (marks.length > 0) await client.query('DELETE FROM pending_events WHERE change_id = ANY($1::text[])', [marks]);
      await client.query('SELECT pg_notify($1, $2)', [RECORDS_CHANNEL, String(seq)]);
      await client.query('COMMIT');
      return versions;
    } catch (error) {
      broken = isConnectionError(error);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  markRecorded(id: string): void {
    if (this.#pending.delete(id)) this.#marks.push(id);
  }

  pendingEvents(): PendingEvent[] {
    return [...this.#pending.values()].sort((a, b) => a.at - b.at);
  }

  /** Replaces every record (a restore) in one transaction: what is not in `collections` becomes a tombstone. */
  async replaceAll(collections: Record<string, StoredRecord[]>, schemaVersion: number): Promise<void> {
    if (!this.#listener.connected) throw databaseUnavailable();
    await this.settled();
    const rows = Object.entries(collections).flatMap(([collection, records]) => records.map((record) => [collection, record.id, JSON.stringify(record)] as const));
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const seqResult = await client.query<{ seq: string }>('SELECT pg_advisory_xact_lock($1), nextval(\'record_change_seq\') AS seq', [CHANGE_ORDER_LOCK]);
      const seq = Number(seqResult.rows[0]?.seq);
      await client.query('UPDATE records SET data = NULL, version = version + 1, change_seq = $1 WHERE data IS NOT NULL', [seq]);
      await client.query(
        `INSERT INTO records (collection, id, data, version, change_seq)
         SELECT c, i, d, 1, $4 FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS r(c, i, d)
         ON CONFLICT (collection, id) DO UPDATE SET data = excluded.data, version = records.version + 1, change_seq = excluded.change_seq`,
        [rows.map((row) => row[0]), rows.map((row) => row[1]), rows.map((row) => row[2]), seq],
      );
      await client.query('SELECT pg_notify($1, $2)', [RECORDS_CHANNEL, String(seq)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw isConnectionError(error) ? databaseUnavailable(error) : error;
    } finally {
      client.release();
    }
    this.#schemaVersion = schemaVersion;
    this.#revision += 1;
    await this.#readChanges();
  }

  dump(): Record<string, StoredRecord[]> {
    const out: Record<string, StoredRecord[]> = {};
    for (const [name, map] of this.#maps) out[name] = [...map.values()];
    return out;
  }

  async settled(): Promise<void> {
    while (this.#writing !== null) await this.#writing.catch(() => undefined);
  }

  /** Waits for queued commits and writes the last marks (a hint only: recovery finds the events in the log). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.settled();
    this.#closed = true;
    await this.#catchUp;
    if (this.#marks.length > 0 && this.#listener.connected) {
      await this.#pool.query('DELETE FROM pending_events WHERE change_id = ANY($1::text[])', [this.#marks]).catch(() => undefined);
      this.#marks = [];
    }
  }
}
