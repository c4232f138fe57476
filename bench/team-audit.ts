/**
 * The `team` benchmark's audit case (issue 18 §7): durable audit appends from 3 station processes
 * at once for S seconds, each with C recorders awaiting their events (group commit), into
 *   - the team log: one hash chain in one PostgreSQL database (pg-audit-log.ts), fsync on;
 *   - the alternative it was chosen over, roughly: one chain per station (3 databases on the same
 *     server, so one WAL, as per-station chains in one database would share), without the signed
 *     checkpoints tying them together, so an upper bound for it;
 *   - the anchor: the embedded log (audit-log.ts), the same 3 processes appending to one folder.
 * Goal: ≥ 5,000 events/s in total into the team log. Then the team log is verified.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { verifyPgAuditLog } from '../electron/core/store/pg/pg-audit-verify';
import { pgMigrations } from '../electron/core/store/pg/schema';
import { TestPostgres } from '../test/support/postgres';
import { compare } from './report';

const STATION = join(import.meta.dirname, '../test/support/pg-audit-station.ts');
const STATIONS = ['desk-a', 'desk-b', 'kiosk-c'];
const GOAL = 5_000;

interface StationResult {
  readonly acknowledged: number;
  readonly batches: number;
  readonly lockHeldMs: number | null;
  readonly ms: number;
}

function station(url: string, name: string, seconds: number, concurrency: number, startAt: number): Promise<StationResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', STATION, url, name, `--seconds=${seconds}`, String(concurrency)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STATION_START_AT: String(startAt) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as StationResult) : reject(new Error(`station ${name} exited ${code}: ${err}`))));
  });
}

/** Runs the 3 stations together (each against its own URL) and gives the total rate. */
async function together(urls: readonly string[], seconds: number, concurrency: number): Promise<{ rate: number; events: number; results: StationResult[] }> {
  const startAt = Date.now() + 4_000;
  const results = await Promise.all(urls.map((url, i) => station(url, STATIONS[i] ?? `station-${i}`, seconds, concurrency, startAt)));
  const events = results.reduce((sum, r) => sum + r.acknowledged, 0);
  const wall = Math.max(...results.map((r) => r.ms));
  return { rate: events / (wall / 1000), events, results };
}

async function migrated(server: TestPostgres): Promise<string> {
  const url = await server.createDatabase('bench_audit');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const migration of pgMigrations) await client.query(migration.sql);
  } finally {
    await client.end();
  }
  return url;
}

export async function teamAuditAppends(seconds: number, concurrency: number): Promise<boolean> {
  const server = await TestPostgres.start();
  const folder = await mkdtemp(join(tmpdir(), 'carddesk-bench-team-audit-'));
  try {
    console.log(`durable audit appends: 3 station processes × ${concurrency} recorders, ${seconds} s each run, PostgreSQL fsync=on`);
    const url = await migrated(server);
    const team = await together([url, url, url], seconds, concurrency);
    const wall = Math.max(...team.results.map((r) => r.ms));
    const held = team.results.reduce((sum, r) => sum + (r.lockHeldMs ?? 0), 0);
    const batches = team.results.reduce((sum, r) => sum + r.batches, 0);
    console.log(`  one chain: ${team.events} events in ${batches} batches (${(team.events / batches).toFixed(0)} per batch); head lock held (from each station's lock to its COMMIT reply, summed) ${((100 * held) / wall).toFixed(0)} % of the time, ${(held / batches).toFixed(2)} ms per batch`);

    const perStation = await together(await Promise.all(STATIONS.map(() => migrated(server))), seconds, concurrency);
    console.log(`  one chain per station (3 databases, one WAL; no checkpoints tying them): ${perStation.rate.toFixed(0)} events/s, ${(perStation.rate / team.rate).toFixed(2)}× the one chain`);

    const embedded = await together(STATIONS.map(() => `dir:${folder}`), seconds, concurrency);
    compare({ what: 'durable audit appends, 3 stations', ours: team.rate, anchor: embedded.rate, anchorName: 'embedded log', unit: 'events/s', better: 'higher' });

    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const report = await verifyPgAuditLog(pool);
    await pool.end();
    console.log(`  verify: ${report.intact ? 'intact' : `NOT intact (${report.problemCount} problems)`}, ${report.records} records in ${report.durationMs.toFixed(0)} ms (${((report.records / report.durationMs) * 1000).toFixed(0)} records/s)`);

    const met = team.rate >= GOAL && report.intact && report.records === team.events;
    console.log(`team audit appends: ${team.rate.toFixed(0)} events/s in total | goal ≥ ${GOAL.toLocaleString('en-US')} events/s: ${met ? 'met' : 'NOT met'}`);
    return met;
  } finally {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
  }
}
