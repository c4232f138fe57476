/**
 * `npm run bench -- audit [--events N] [--queries Q] [--seconds S]`: the audit log against SQLite
 * (better-sqlite3, WAL, indexes on time, outcome+time, holder+time, action+time) with the same
 * generated events in the same run:
 *   - durable append rate with group commit: C concurrent recorders, each awaiting its record;
 *     both stores make every batch durable before answering it (the log: write + fdatasync;
 *     SQLite: one transaction per batch, journal_mode=WAL with synchronous=FULL, so every commit
 *     fsyncs the WAL). Goals: one recorder ≥ SQLite's rate; 256 recorders ≥ 20,000 events/s.
 *   - p95 of a date range + outcome query returning a page of 50, newest first, over N events
 *     (default 1,000,000), random ranges. Goal ≤ 20 ms and ≤ 2× SQLite.
 *   - open time with N events: cold (index rebuilt from the segments, goal ≤ 1 s) and warm
 *     (index file, goal ≤ 50 ms).
 *   - full verification time (every hash, link and signature), next to SQLite's integrity_check
 *     (which checks structure only, and proves nothing about tampering). Goal: at least as fast.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import type { AuditEventInput } from '../electron/core/audit/audit-trail';
import { AuditLog } from '../electron/core/audit/audit-log';
import { queryPage } from '../electron/core/audit/audit-queries';
import { KeyAuditSigner } from '../electron/core/audit/audit-signer';
import { verifyAuditLog } from '../electron/core/audit/audit-verify';
import { AUDIT_WORKER_BUNDLE, type AuditWorkerStarter } from '../electron/core/audit/audit-workers';
import { auditActions, type AuditOutcome } from '../electron/shared/schemas/audit';
import type { Benchmark } from './run';
import { absolute, compare, formatMs, percentile } from './report';

const DAY = 86_400_000;

/** Reproducible events: 2 years of desk life, 40 operators, 20,000 holders, 1 in 7 failing. */
class EventSource {
  readonly times: Float64Array;
  #state = 0x2545f491;

  constructor(readonly count: number) {
    this.times = new Float64Array(count);
    const start = Date.now() - 730 * DAY;
    const step = (730 * DAY) / count;
    let time = start;
    for (let i = 0; i < count; i += 1) {
      time += this.#next() % (2 * step);
      this.times[i] = Math.floor(time);
    }
  }

  #next(): number {
    this.#state ^= this.#state << 13;
    this.#state ^= this.#state >>> 17;
    this.#state ^= this.#state << 5;
    return this.#state >>> 0;
  }

  event(i: number): AuditEventInput {
    const failure = i % 7 === 3;
    const action = auditActions[(i * 31) % 40] ?? 'card.pinVerify';
    return {
      action,
      outcome: failure ? 'failure' : 'success',
      ...(failure ? { reason: 'wrongPin' } : {}),
      actor: i % 5 === 0 ? { kind: 'holder', id: `holder-${i % 20_000}` } : { kind: 'operator', id: `operator-${i % 40}` },
      channel: i % 5 === 0 ? 'kiosk' : i % 11 === 0 ? 'cli' : 'desk',
      holderId: `holder-${(i * 7) % 20_000}`,
      cardSerial: String(30_000_000 + ((i * 13) % 25_000)),
      details: { reader: 'CardDesk Virtual Reader', triesLeft: failure ? 2 : 3 },
    };
  }
}

/** The same group commit for SQLite: callers wait; whatever queued meanwhile goes in one transaction. */
class SqliteRecorder {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #commit: (rows: unknown[][]) => void;
  #pending: { row: unknown[]; resolve: () => void }[] = [];
  #scheduled = false;
  batches = 0;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO events (time, actor_kind, actor, channel, action, outcome, reason, holder, card, details) VALUES (?,?,?,?,?,?,?,?,?,?)');
    this.#commit = this.#db.transaction((rows: unknown[][]) => {
      for (const row of rows) this.#insert.run(...row);
    });
  }

  static row(event: AuditEventInput, time: number): unknown[] {
    return [time, event.actor.kind, event.actor.id, event.channel, event.action, event.outcome, event.reason ?? null, event.holderId ?? null, event.cardSerial ?? null, JSON.stringify(event.details ?? {})];
  }

  record(event: AuditEventInput, time: number): Promise<void> {
    return new Promise((resolve) => {
      this.#pending.push({ row: SqliteRecorder.row(event, time), resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending.splice(0);
    this.#commit(batch.map((p) => p.row));
    this.batches += 1;
    for (const pending of batch) pending.resolve();
  }

  bulk(rows: unknown[][]): void {
    this.#commit(rows);
  }
}

function openSqlite(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor_kind TEXT, actor TEXT, channel TEXT, action TEXT, outcome TEXT, reason TEXT, holder TEXT, card TEXT, details TEXT);
    CREATE INDEX IF NOT EXISTS events_time ON events(time);
    CREATE INDEX IF NOT EXISTS events_outcome_time ON events(outcome, time);
    CREATE INDEX IF NOT EXISTS events_holder_time ON events(holder, time);
    CREATE INDEX IF NOT EXISTS events_action_time ON events(action, time);`);
  return db;
}

/** One in-memory audit key per data folder for the whole run (the desk's is sealed in the vault). */
const signers = new Map<string, KeyAuditSigner>();

async function openLog(dir: string, now: () => number): Promise<AuditLog> {
  let signer = signers.get(dir);
  if (signer === undefined) signers.set(dir, (signer = await KeyAuditSigner.generate()));
  return new AuditLog({ dir: join(dir, 'audit'), signer, now });
}

/** C recorders, each awaiting its own record before the next, until `total` are recorded. */
async function appendRate(concurrency: number, total: number, record: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await record(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/**
 * The verification workers as the app starts them: the worker bundled on its own (as the app's
 * build puts it beside its bundles), not the TypeScript source through tsx in every worker.
 */
async function bundledWorkers(work: string): Promise<AuditWorkerStarter> {
  const file = join(work, AUDIT_WORKER_BUNDLE);
  await build({ entryPoints: [join(import.meta.dirname, '..', 'electron', 'core', 'audit', 'audit-worker.ts')], outfile: file, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return () => new Worker(file, { name: 'audit' });
}

/** Opens the big store in a fresh process (bench/audit-open.ts) and returns its milliseconds. */
function openInChild(what: 'log' | 'sqlite', path: string): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'audit-open.ts'), what, path], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`opening ${what} failed: ${child.stderr}`);
  return (JSON.parse(child.stdout) as { ms: number }).ms;
}

function goal(what: string, text: string, met: boolean): boolean {
  console.log(`${what} | goal ${text}: ${met ? 'met' : 'NOT met'}`);
  return met;
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export const benchmark: Benchmark = {
  description: 'tamper-evident audit log vs SQLite (better-sqlite3, WAL, indexes): durable group-commit appends, date+outcome page queries, open, verification',
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { events: { type: 'string', default: '1000000' }, queries: { type: 'string', default: '500' }, appends: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false } },
    });
    const count = Number(values.events);
    const appends = Number(values.appends);
    const queries = Number(values.queries);
    const work = mkdtempSync(join(tmpdir(), 'carddesk-bench-audit-'));
    console.log(`data in ${work}; ${count.toLocaleString('en-US')} events; ${process.platform} ${process.arch}, Node ${process.version}, SQLite ${(new Database(':memory:').prepare('select sqlite_version() v').get() as { v: string }).v}`);
    const source = new EventSource(count);
    const met: boolean[] = [];

    // 1. Durable append rate with group commit, on empty stores.
    console.log('\n## Durable appends with group commit (each record answered only once its batch is on disk)');
    for (const concurrency of [1, 64, 256]) {
      const total = concurrency === 1 ? Math.min(2000, appends) : appends;
      const logDir = mkdtempSync(join(work, 'append-'));
      const log = await openLog(logDir, Date.now);
      await log.open();
      const ours = await appendRate(concurrency, total, (i) => log.record(source.event(i)));
      const batches = log.stats.batches;
      await log.close();
      const db = openSqlite(join(logDir, 'anchor.sqlite'));
      const sqlite = new SqliteRecorder(db);
      const anchor = await appendRate(concurrency, total, (i) => sqlite.record(source.event(i), Date.now()));
      db.close();
      // One recorder awaiting each event is the desk's usual case: issue 12 wants at least SQLite's rate.
      const judged = compare({
        what: `append, ${concurrency} concurrent recorder(s), ${total.toLocaleString('en-US')} events (${batches} batches)`,
        ours,
        anchor,
        anchorName: 'SQLite (WAL, synchronous=FULL)',
        unit: 'events/s',
        better: 'higher',
        ...(concurrency === 1 ? { goal: { ratio: 1, text: '≥ SQLite' } } : {}),
      });
      if (concurrency === 1) met.push(judged);
      if (concurrency === 256) met.push(goal(`  durable append rate with group commit: ${Math.round(ours).toLocaleString('en-US')} events/s`, '≥ 20,000 events/s', ours >= 20_000));
    }

    // 2. The big stores: the same N events in both (the log through record(), batches of 5,000).
    console.log(`\n## ${count.toLocaleString('en-US')} events in each store`);
    const bigDir = join(work, 'big');
    // The log's clock walks through the generated times, one reading per record.
    let clock = 0;
    const fill = await openLog(bigDir, () => source.times[Math.min(clock++, count - 1)] ?? Date.now());
    const filled = await timed(async () => {
      await fill.open();
      for (let start = 0; start < count; start += 5000) {
        const batch: Promise<void>[] = [];
        for (let j = start; j < Math.min(count, start + 5000); j += 1) batch.push(fill.record(source.event(j)));
        await Promise.all(batch);
      }
    });
    await fill.close();
    const db = openSqlite(join(work, 'anchor.sqlite'));
    const sqlite = new SqliteRecorder(db);
    const sqliteFilled = await timed(() => {
      for (let start = 0; start < count; start += 5000) {
        const rows: unknown[][] = [];
        for (let j = start; j < Math.min(count, start + 5000); j += 1) rows.push(SqliteRecorder.row(source.event(j), source.times[j] ?? 0));
        sqlite.bulk(rows);
      }
    });
    console.log(`fill: CardDesk ${formatMs(filled.ms)} (${Math.round(count / (filled.ms / 1000)).toLocaleString('en-US')} events/s), SQLite ${formatMs(sqliteFilled.ms)}`);

    // 3. Open: in a fresh process each time, as at app start, three times each (the median is
    // judged; the test machine is shared, so the spread is printed too). Cold: no index file
    // (rebuilt from the segments); warm: with the index file the cold open saved.
    console.log('\n## Open with the whole log and show its newest page of 50 (fresh process; median of 3)');
    db.close();
    const runs = (open: () => number): number[] => [open(), open(), open()];
    const colds = runs(() => {
      rmSync(join(bigDir, 'audit', 'index'), { recursive: true, force: true });
      return openInChild('log', bigDir);
    });
    const warms = runs(() => openInChild('log', bigDir));
    const sqliteOpen = percentile(runs(() => openInChild('sqlite', join(work, 'anchor.sqlite'))), 50);
    const spread = (values: number[]): string => `runs ${values.map((v) => formatMs(v)).join(', ')}`;
    const openGoals = [
      ['open, cold (index rebuilt)', colds, { max: 1000, text: '≤ 1 s' }],
      ['open, warm (index file)', warms, { max: 50, text: '≤ 50 ms' }],
    ] as const;
    for (const [what, values, openGoal] of openGoals) {
      const median = percentile(values, 50);
      compare({ what: `${what}, ${spread(values)}`, ours: median, anchor: sqliteOpen, anchorName: 'SQLite open + first page', unit: 'ms', better: 'lower' });
      met.push(absolute({ what: `  ${what}, median`, value: median, unit: 'ms', goal: openGoal }));
    }

    // 4. Date range + outcome, a page of 50, newest first.
    console.log(`\n## Date range + outcome, page of 50, newest first (${queries} random queries each)`);
    const log = await openLog(bigDir, Date.now);
    const { index, reader } = await log.index();
    const anchorDb = openSqlite(join(work, 'anchor.sqlite'));
    const statement = anchorDb.prepare('SELECT * FROM events WHERE outcome = ? AND time >= ? AND time < ? ORDER BY time DESC, seq DESC LIMIT 50');
    const first = source.times[0] ?? 0;
    const span = (source.times[count - 1] ?? 0) - first;
    let state = 12345;
    const pick = (n: number): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    const ranges = Array.from({ length: queries }, () => {
      const from = first + pick(Math.floor(span));
      const length = [DAY, 7 * DAY, 30 * DAY, 365 * DAY][pick(4)] ?? DAY;
      return { from, to: from + length, outcome: (['success', 'failure'] as AuditOutcome[])[pick(2)] ?? 'failure' };
    });
    const ourTimes: number[] = [];
    const sqliteTimes: number[] = [];
    let mismatches = 0;
    for (const [round, range] of ranges.entries()) {
      // Alternate who goes first, so neither always finds the page cache warmed by the other.
      const runOurs = () => timed(() => queryPage(index, reader, { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), outcome: range.outcome, limit: 50, count: false }));
      const runSqlite = () => timed(() => statement.all(range.outcome, range.from, range.to) as { time: number }[]);
      const [a, b] = round % 2 === 0 ? [await runOurs(), await runSqlite()] : [undefined, await runSqlite()];
      const ours = a ?? (await runOurs());
      ourTimes.push(ours.ms);
      sqliteTimes.push(b.ms);
      if (ours.value.entries.length !== b.value.length) mismatches += 1;
    }
    const p95 = percentile(ourTimes, 95);
    const sqliteP95 = percentile(sqliteTimes, 95);
    console.log(`median: CardDesk ${formatMs(percentile(ourTimes, 50))}, SQLite ${formatMs(percentile(sqliteTimes, 50))}; pages of different length: ${mismatches}`);
    met.push(compare({ what: 'p95 date range + outcome, page of 50', ours: p95, anchor: sqliteP95, anchorName: 'SQLite', unit: 'ms', better: 'lower', goal: { ratio: 0.5, text: '≤ 2× SQLite' } }));
    met.push(absolute({ what: '  p95 date range + outcome, page of 50', value: p95, unit: 'ms', goal: { max: 20, text: '≤ 20 ms' } }));
    await log.close();

    // 5. Full verification.
    console.log('\n## Full verification');
    // Judged as the app verifies today: in this thread (its build has no worker bundle yet, and
    // on this 2-vCPU machine the workers measured no faster: hashing did not scale across them).
    const verified = await timed(() => verifyAuditLog(join(bigDir, 'audit'), { workers: null }));
    const integrity = await timed(() => anchorDb.pragma('integrity_check'));
    const workers = await bundledWorkers(work);
    const onWorkers = await timed(() => verifyAuditLog(join(bigDir, 'audit'), { workers }));
    console.log(`verify on worker threads (the bundled audit-worker.cjs): ${formatMs(onWorkers.ms)} (intact: ${onWorkers.value.intact})`);
    anchorDb.close();
    met.push(
      compare({
        what: `verify ${verified.value.records.toLocaleString('en-US')} records in this thread (intact: ${verified.value.intact})`,
        ours: verified.ms,
        anchor: integrity.ms,
        anchorName: 'SQLite integrity_check (structure only)',
        unit: 'ms',
        better: 'lower',
        goal: { ratio: 1, text: 'at least as fast as SQLite' },
      }),
    );
    if (!verified.value.intact || !onWorkers.value.intact) throw new Error(`the benchmark log does not verify: ${JSON.stringify(verified.value.problems.slice(0, 3))}`);

    console.log(`\n${met.every(Boolean) ? 'All goals met.' : 'Some goals NOT met (see above).'}`);
    if (values.keep !== true) rmSync(work, { recursive: true, force: true });
  },
};
