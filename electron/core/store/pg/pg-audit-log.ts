/**
 * The audit log of a team (issue 18 §3) in PostgreSQL: the same records as the embedded log
 * (audit-record.ts, chained and signed by audit-batch.ts's `planBatch`, so the format is not
 * forked), in one hash chain for every station.
 *
 * Appends are group commits: `record()` resolves once its event's transaction has committed
 * (durable: COMMIT returns after the WAL is flushed); events recorded while a batch is in flight
 * go together in the next. A batch's transaction locks the one-row `audit_head` FOR UPDATE,
 * chains its records after the head, inserts them in one statement (unnest of arrays), moves the
 * head and NOTIFYs `carddesk_audit` with the new end, then commits. So batches of all stations
 * follow one another, and a failed or cut transaction leaves no trace: its `record()` calls
 * reject (AUDIT_UNAVAILABLE), never resolve for an event that is not there.
 *
 * One chain rather than one per station tied together by signed checkpoints, by measurement
 * (`npm run bench -- team`: 3 station processes, fsync on, a 2-core machine shared with other
 * work, load average ~12, so absolute numbers are low and noisy):
 *   - 256 recorders per station: one chain 6,984–8,977 events/s in total (goal ≥ 5,000 met);
 *     one chain per station (3 databases on the same server, so one WAL, and no checkpoints
 *     tying them, so an upper bound) 6,694–11,568 events/s: 0.87–1.29× the one chain.
 *   - 64 recorders per station: one chain 4,574 events/s, per-station chains 6,289 (1.38×).
 *   - A batch of 256 holds the head lock ~32–39 ms: ~4 ms chaining (hashes), ~16 ms the insert,
 *     ~12 ms the COMMIT's WAL flush. Under load the lock is held nearly all the time; each batch
 *     holds every event its station's recorders wait with, so throughput is batch size / hold
 *     time and grows with the stations' concurrency, not their number.
 * Per-station chains would save the lock wait (their flushes could share one fsync) but gain at
 * most ~1.3–1.4× here, and would need checkpoints signed by a key every station holds — kiosks
 * hold none (§2) — plus an order between chains for verification. One chain keeps `audit verify`
 * the embedded walk and the record format unchanged; the goal is met with it.
 *
 * The audit key (in the vault of desks that unlock) is given with `useSigner`, as to the embedded
 * log: the batch then writes the key record when new and signed checkpoints every
 * `checkpointEvery` records, in the chain. Not done here: a signed head (the embedded head file);
 * the head row is unsigned, so cutting records off the end AND moving the head back is seen only
 * against a later checkpoint or an exported witness.
 */
import type pg from 'pg';
import { CardDeskError } from '../../../shared/errors';
import type { AuditEntry, AuditFilter, AuditPage, AuditVerifyReport } from '../../../shared/schemas/audit';
import type { AuditAnchorKeeper } from '../../audit/audit-anchor';
import type { AuditStore } from '../../audit/audit-store';
import type { VerifyOptions } from '../../audit/audit-verify';
import type { SignedHead } from '../../audit/head-file';
import type { AuditQuery } from '../../audit/audit-queries';
import { planBatch } from '../../audit/audit-batch';
import type { EventRecord } from '../../audit/audit-record';
import type { AuditSigner } from '../../audit/audit-signer';
import type { AuditEventInput } from '../../audit/audit-trail';
import { eventFields, type EventFields } from '../../audit/event-input';
import type { LogTail } from '../../audit/log-tail';
import type { Logger } from '../../log/logger';
import { PgAuditListener } from './pg-audit-listen';
import { exportPgAuditMatches, queryPgAuditPage } from './pg-audit-queries';
import { verifyPgAuditLog } from './pg-audit-verify';

export const AUDIT_CHANNEL = 'carddesk_audit';

export interface PgAuditLogOptions {
  readonly pool: pg.Pool;
  /** This station's name, kept beside each record (not in it: the chain is the stations' one). */
  readonly station: string;
  readonly signer?: AuditSigner | null;
  readonly deskKeyId?: string | null;
  readonly checkpointEvery?: number;
  readonly log?: Logger;
  readonly now?: () => number;
  /** Where the log is, for reports (the database URL without its password). */
  readonly where?: string;
  /** End the pool when the log closes (a station's own pool, opened by desk-audit-log.ts). */
  readonly endPoolOnClose?: boolean;
}

export interface PgAuditAppended {
  readonly lastSeq: number;
  readonly count: number;
}

interface Pending {
  readonly fields: EventFields;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH = 5_000;

const INSERT_AND_MOVE_HEAD = `
WITH inserted AS (
  INSERT INTO audit_events (seq, station, type, at, action, outcome, actor_id, holder_id, change_id, line)
  SELECT seq, $2, type, at, action, outcome, actor_id, holder_id, change_id, line
  FROM unnest($1::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
    AS r(seq, type, at, action, outcome, actor_id, holder_id, change_id, line)
), head AS (
  UPDATE audit_head SET seq = $11, hash = $12, time_ms = $13, anchor_seq = $14, key_id = $15 WHERE id = 1
)
SELECT pg_notify('${AUDIT_CHANNEL}', $16)`;

function unavailable(error: unknown): CardDeskError {
  if (error instanceof CardDeskError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new CardDeskError('AUDIT_UNAVAILABLE', `The audit log could not be written to the database (${why}); the event was not acknowledged.`, { cause: error });
}

function notInTeamMode(what: string): CardDeskError {
  return new CardDeskError('INVALID_STATE', `Not in team mode yet: ${what} exists for the embedded audit log only; the team database's chain has no signed head (run carddesk audit verify).`);
}

export class PgAuditLog implements AuditStore {
  readonly station: string;
  readonly where: string;
  readonly #endPoolOnClose: boolean;
  readonly #pool: pg.Pool;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  readonly #checkpointEvery: number;
  #signer: AuditSigner | null;
  #deskKeyId: string | null;
  #queue: Pending[] = [];
  #pumping = false;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  #lastSeq = 0;
  readonly #listeners = new Set<(appended: PgAuditAppended) => void>();
  #listener: PgAuditListener | null = null;
  /**
   * Batches committed, events in them, how long this station waited for the head row's lock
   * (BEGIN and SELECT … FOR UPDATE, ms) and held it (from then to COMMIT's return, ms).
   */
  readonly stats = { batches: 0, events: 0, lockWaitMs: 0, lockHeldMs: 0 };

  constructor(options: PgAuditLogOptions) {
    this.#pool = options.pool;
    this.station = options.station;
    this.where = options.where ?? 'the team database';
    this.#endPoolOnClose = options.endPoolOnClose ?? false;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#checkpointEvery = options.checkpointEvery ?? 1000;
    this.#signer = options.signer ?? null;
    this.#deskKeyId = options.deskKeyId ?? this.#signer?.keyId ?? null;
  }

  /** The last record this station wrote or heard of (0 before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  get signer(): AuditSigner | null {
    return this.#signer;
  }

  /** Runs `work` after everything queued before it: one batch of this station at a time. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Gives the log the audit key (vault unlocked) or takes it away (null). A new key gets its key
   * record and at once a signed checkpoint covering every record before it (as the embedded log).
   */
  useSigner(signer: AuditSigner | null): Promise<void> {
    return this.#exclusive(async () => {
      if (signer === this.#signer) return;
      this.#signer = signer;
      if (signer !== null) {
        this.#deskKeyId = signer.keyId;
        await this.#commit([], true);
      }
    });
  }

  setDeskKeyId(keyId: string | null): void {
    this.#deskKeyId = keyId ?? this.#signer?.keyId ?? null;
  }

  async record(event: AuditEventInput): Promise<void> {
    if (this.#closed) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The audit log is closed.');
    const fields = eventFields(event, this.#log);
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ fields, resolve, reject });
      this.#pump();
    });
  }

  /** Which of these vault change ids have an event in the log, among events at or after `sinceMs`. */
  async changeEventsIn(ids: ReadonlySet<string>, sinceMs: number): Promise<Set<string>> {
    if (ids.size === 0) return new Set();
    const { rows } = await this.#pool.query<{ change_id: string }>('SELECT change_id FROM audit_events WHERE change_id = ANY($1::text[]) AND at >= to_timestamp($2::double precision / 1000)', [
      [...ids],
      sinceMs,
    ]);
    return new Set(rows.map((row) => row.change_id));
  }

  /** Group commit: while one batch is in flight, new events queue up for the next. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#exclusive(async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          await this.#commit(batch.map((pending) => pending.fields));
          for (const pending of batch) pending.resolve();
        } catch (error) {
          const failure = unavailable(error);
          this.#log?.error('audit events could not be recorded', { count: batch.length, error });
          for (const pending of batch) pending.reject(failure);
        }
      }
    }).finally(() => {
      this.#pumping = false;
      if (this.#queue.length > 0) this.#pump();
    });
  }

  /** One transaction: lock the head, chain the records after it, insert them, move the head, notify. */
  async #commit(events: readonly EventFields[], checkpoint = false): Promise<void> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // A connection cut between two queries is reported here, and the next query fails with it.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      const started = performance.now();
      const results = (await client.query('BEGIN; SELECT seq, hash, time_ms, anchor_seq, key_id FROM audit_head WHERE id = 1 FOR UPDATE')) as unknown as pg.QueryResult[];
      const locked = performance.now();
      const head = results[1]?.rows[0] as { seq: string; hash: string; time_ms: string; anchor_seq: string; key_id: string | null } | undefined;
      if (head === undefined) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The database has no audit head: run carddesk db migrate.');
      const tail: LogTail = { seq: Number(head.seq), hash: head.hash, timeMs: Number(head.time_ms), anchorSeq: Number(head.anchor_seq), keyId: head.key_id, segment: null, size: 0 };
      const planned = await planBatch(tail, events, { signer: this.#signer, checkpointEvery: this.#checkpointEvery, segmentBytes: Number.MAX_SAFE_INTEGER, now: this.#now, checkpoint });
      const lines = planned.writes.flatMap((write) => write.lines);
      if (lines.length === 0) {
        await client.query('COMMIT');
        return;
      }
      const eventsBySeq = new Map<number, EventRecord>();
      for (const write of planned.writes) for (const { record } of write.events) eventsBySeq.set(record.seq, record);
      const columns = { seq: [] as number[], type: [] as string[], at: [] as string[], action: [] as (string | null)[], outcome: [] as (string | null)[], actor: [] as (string | null)[], holder: [] as (string | null)[], change: [] as (string | null)[], line: [] as string[] };
      lines.forEach((text, i) => {
        const seq = tail.seq + 1 + i;
        const line = text.endsWith('\n') ? text.slice(0, -1) : text;
        const event = eventsBySeq.get(seq);
        const other = event === undefined ? (JSON.parse(line) as { type: string; time: string }) : null;
        columns.seq.push(seq);
        columns.type.push(event?.type ?? other?.type ?? 'event');
        columns.at.push(event?.time ?? other?.time ?? new Date(this.#now()).toISOString());
        columns.action.push(event?.action ?? null);
        columns.outcome.push(event?.outcome ?? null);
        columns.actor.push(event?.actor.id ?? null);
        columns.holder.push(event?.holder ?? null);
        columns.change.push(event?.change ?? null);
        columns.line.push(line);
      });
      const end = planned.tail;
      const notice = `${end.seq} ${lines.length} ${this.station}`;
      // Named: parsed and planned once per connection, not per batch.
      await client.query({ name: 'carddesk-audit-append', text: INSERT_AND_MOVE_HEAD, values: [
        columns.seq,
        this.station,
        columns.type,
        columns.at,
        columns.action,
        columns.outcome,
        columns.actor,
        columns.holder,
        columns.change,
        columns.line,
        end.seq,
        end.hash,
        end.timeMs,
        end.anchorSeq,
        end.keyId,
        notice,
      ] });
      await client.query('COMMIT');
      this.stats.lockWaitMs += locked - started;
      this.stats.lockHeldMs += performance.now() - locked;
      this.stats.batches += 1;
      this.stats.events += eventsBySeq.size;
      this.#lastSeq = Math.max(this.#lastSeq, end.seq);
      this.#notify({ lastSeq: end.seq, count: eventsBySeq.size });
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      // A connection that failed mid-transaction is thrown away, not reused.
      client.release(broken);
    }
  }

  #notify(appended: PgAuditAppended): void {
    for (const listener of this.#listeners) {
      try {
        listener(appended);
      } catch (error) {
        this.#log?.warn('an audit listener failed', { error });
      }
    }
  }

  /** Called after new events reach the log, from this station or (once `listen()`ed) another. */
  subscribe(listener: (appended: PgAuditAppended) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * LISTENs for other stations' appends (for live screens). After a reconnect, listeners hear the
   * head as it is then, so a screen reloads what it may have missed while notifications were lost.
   */
  async listen(): Promise<void> {
    if (this.#listener !== null) return;
    this.#listener = new PgAuditListener(this.#pool, this.station, (appended) => {
      this.#lastSeq = Math.max(this.#lastSeq, appended.lastSeq);
      this.#notify(appended);
    }, this.#log);
    await this.#listener.start();
  }

  /** A page of the access history (see pg-audit-queries.ts). */
  query(args: AuditQuery): Promise<AuditPage> {
    return queryPgAuditPage(this.#pool, args);
  }

  /** Every entry `filter` matches, oldest first (operator names are not looked up: `actor` is an id). */
  exportMatches(filter: AuditFilter, limit: number, onEntries: (entries: AuditEntry[]) => void | Promise<void>): Promise<{ rows: number; truncated: boolean }> {
    return exportPgAuditMatches(this.#pool, filter, limit, onEntries);
  }

  /** Checks the database has the audit head, so a command stops before it changes anything. */
  async open(): Promise<void> {
    if (this.#closed) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The audit log is closed.');
    const { rows } = await this.#pool.query('SELECT seq FROM audit_head WHERE id = 1').catch((error: unknown) => {
      throw unavailable(error);
    });
    if (rows.length === 0) throw new CardDeskError('AUDIT_UNAVAILABLE', 'The database has no audit head: run carddesk db migrate.');
  }

  /**
   * Not kept in team mode: the vault's document and the chain are in the same database, so an
   * anchor in one would not witness the other. The vault's anchor keeper is accepted and unused.
   */
  useAnchorKeeper(_keeper: AuditAnchorKeeper | null): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Walks the whole chain in the database (see pg-audit-verify.ts), against the audit key named
   * by the team vault's document when the log was not told one. A witness head is not checked in
   * team mode yet.
   */
  async verify(options: Pick<VerifyOptions, 'vault' | 'witness'> = {}): Promise<AuditVerifyReport> {
    if (options.witness !== undefined) throw notInTeamMode('checking the log against a witness head (verify --witness)');
    const deskKeyId = this.#deskKeyId ?? (await this.#pool.query<{ key_id: string | null }>("SELECT data->'auditKey'->>'keyId' AS key_id FROM vault_meta WHERE id = 1")).rows[0]?.key_id ?? null;
    return verifyPgAuditLog(this.#pool, { deskKeyId });
  }

  exportHead(): Promise<SignedHead> {
    return Promise.reject(notInTeamMode('a signed head (audit head)'));
  }

  acknowledgeLoss(): Promise<void> {
    return Promise.reject(notInTeamMode('acknowledging a lost log (audit acknowledge-loss)'));
  }

  /**
   * Waits for queued events, signs a last checkpoint (with the key at hand, as the embedded log
   * does on close), then stops listening. The pool is the caller's, unless `endPoolOnClose`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#pumping) await this.#chain;
    if (this.#signer !== null) {
      await this.#exclusive(() => this.#commit([], true)).catch((error: unknown) => this.#log?.error('the closing audit checkpoint could not be written', { error }));
    }
    await this.#listener?.stop();
    if (this.#endPoolOnClose) await this.#pool.end().catch(() => undefined);
  }
}
