/**
 * The team audit log on a real PostgreSQL (issue 18 §3, §5, §6): three station processes
 * appending at once into one chain, `verify` finding a changed and a removed row, and the
 * database restarted under appends (nothing acknowledged is lost, nothing lost is acknowledged).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { AuditLog } from '../../electron/core/audit/audit-log';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { KeyAuditSigner } from '../../electron/core/audit/audit-signer';
import { AuditQueryArgsSchema, type AuditQueryArgs } from '../../electron/shared/schemas/audit';
import { PgAuditLog, type PgAuditAppended } from '../../electron/core/store/pg/pg-audit-log';
import { pgMigrations } from '../../electron/core/store/pg/schema';
import { TestPostgres } from '../support/postgres';

const STATION = join(import.meta.dirname, '../support/pg-audit-station.ts');

let server: TestPostgres;

beforeAll(async () => {
  server = await TestPostgres.start();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function freshDatabase(): Promise<{ url: string; pool: pg.Pool }> {
  const url = await server.createDatabase('audit');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    for (const migration of pgMigrations) await client.query(migration.sql);
  } finally {
    client.release();
  }
  return { url, pool };
}

function runStation(url: string, station: string, count: number): Promise<{ acknowledged: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', STATION, url, station, String(count), '32'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { acknowledged: number }) : reject(new Error(`station ${station} exited ${code}: ${err}`))));
  });
}

const event = (n: number) => ({ action: 'card.pinVerify' as const, outcome: 'success' as const, actor: { kind: 'operator' as const, id: 'op-1' }, channel: 'desk' as const, details: { n } });

describe('team audit log on PostgreSQL', () => {
  it('three station processes append 2,000 events each into one intact chain', async () => {
    const { url, pool } = await freshDatabase();
    try {
      const results = await Promise.all(['desk-a', 'desk-b', 'kiosk-c'].map((station) => runStation(url, station, 2000)));
      expect(results.map((r) => r.acknowledged)).toEqual([2000, 2000, 2000]);

      const { rows } = await pool.query<{ seq: string; station: string; n: number }>("SELECT seq, station, (line::jsonb->'details'->>'n')::int AS n FROM audit_events ORDER BY seq");
      expect(rows).toHaveLength(6000);
      rows.forEach((row, i) => expect(Number(row.seq)).toBe(i + 1));
      for (const station of ['desk-a', 'desk-b', 'kiosk-c']) {
        const ns = rows.filter((row) => row.station === station).map((row) => row.n);
        // Every event of the station, in the order it recorded them.
        expect(ns).toEqual(Array.from({ length: 2000 }, (_, i) => i));
      }
      // Batches from different stations interleave (one chain, not three runs one after another).
      const switches = rows.filter((row, i) => i > 0 && row.station !== rows[i - 1]?.station).length;
      expect(switches).toBeGreaterThan(2);

      const log = new PgAuditLog({ pool, station: 'verifier' });
      const report = await log.verify();
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ intact: true, records: 6000, events: 6000, lastSeq: 6000 });
    } finally {
      await pool.end();
    }
  }, 120_000);

  it('verify reports a changed row and a removed row at their seq', async () => {
    const { pool } = await freshDatabase();
    const log = new PgAuditLog({ pool, station: 'desk-a' });
    try {
      await Promise.all(Array.from({ length: 300 }, (_, n) => log.record(event(n))));
      expect((await log.verify()).intact).toBe(true);

      await pool.query(`UPDATE audit_events SET line = replace(line, '"op-1"', '"op-2"') WHERE seq = 100`);
      const changed = await log.verify();
      expect(changed.intact).toBe(false);
      expect(changed.problems).toEqual([expect.objectContaining({ kind: 'changed', seq: 100 })]);

      await pool.query('DELETE FROM audit_events WHERE seq = 200');
      const removed = await log.verify();
      expect(removed.problems.map((p) => [p.kind, p.seq, p.toSeq])).toEqual([
        ['changed', 100, null],
        ['removed', 200, 200],
      ]);
    } finally {
      await log.close();
      await pool.end();
    }
  }, 60_000);

  it('signs checkpoints with the audit key and verifies them', async () => {
    const { pool } = await freshDatabase();
    const signer = await KeyAuditSigner.generate();
    const log = new PgAuditLog({ pool, station: 'desk-a', checkpointEvery: 50 });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, n) => log.record(event(n))));
      await log.useSigner(signer);
      await Promise.all(Array.from({ length: 200 }, (_, n) => log.record(event(n))));
      // Closing signs what the last checkpoint has not.
      await log.close();
      const report = await log.verify();
      expect(report.problems).toEqual([]);
      expect(report.keyIds).toEqual([signer.keyId]);
      expect(report.checkpoints).toBeGreaterThanOrEqual(5);
      expect(report.lastSeq).toBeGreaterThan(220);
      expect(report.signedThrough).toBe((report.lastSeq ?? 0) - 1);
      expect(report.unsigned).toBe(1);

      // A record rewritten with its own hash recomputed, and the links after it: the checkpoint breaks.
      const { rows } = await pool.query<{ line: string }>('SELECT line FROM audit_events WHERE seq = 30');
      const line = rows[0]?.line ?? '';
      const { encodeRecord } = await import('../../electron/core/audit/audit-record');
      const record: Record<string, unknown> = { ...(JSON.parse(line) as Record<string, unknown>), outcome: 'failure' };
      delete record['hash'];
      const forged = encodeRecord(record as never);
      await pool.query('UPDATE audit_events SET line = $1 WHERE seq = 30', [forged.line.slice(0, -1)]);
      const forgedReport = await log.verify();
      expect(forgedReport.intact).toBe(false);
      expect(forgedReport.problems[0]).toMatchObject({ kind: 'changed', seq: 30 });
    } finally {
      await log.close();
      await pool.end();
    }
  }, 60_000);

  it('answers access-history queries as the embedded log does for the same events', async () => {
    const { pool } = await freshDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'carddesk-team-audit-'));
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    let clock = base;
    const team = new PgAuditLog({ pool, station: 'desk-a', now: () => clock });
    const embedded = new AuditLog({ dir, now: () => clock });
    try {
      for (let round = 0; round < 10; round += 1) {
        clock = base + round * 3_600_000;
        const events = Array.from({ length: 30 }, (_, i) => {
          const n = round * 30 + i;
          return {
            action: (['card.pinVerify', 'card.pinReset', 'card.suspend'] as const)[n % 3] ?? 'card.pinVerify',
            outcome: n % 4 === 0 ? ('failure' as const) : ('success' as const),
            actor: { kind: 'operator' as const, id: `op-${n % 5}` },
            channel: 'desk' as const,
            holderId: `holder-${n % 7}`,
            ...(n % 4 === 0 ? { reason: n % 8 === 0 ? 'wrongPin' : 'cardRemoved' } : {}),
            details: { n },
          };
        });
        await Promise.all(events.flatMap((e) => [team.record(e), embedded.record(e)]));
      }
      const { index, reader } = await embedded.index();
      const queries: AuditQueryArgs[] = [
        { limit: 25 },
        { limit: 10, actor: 'op-3', count: true },
        { limit: 10, holderId: 'holder-2', outcome: 'failure', count: true },
        { limit: 200, actions: ['card.pinReset', 'card.suspend'], from: new Date(base + 2 * 3_600_000).toISOString(), to: new Date(base + 5 * 3_600_000).toISOString(), count: true },
        { limit: 20, before: 150, actor: 'op-1' },
        { limit: 50, after: 280 },
        { limit: 7, text: 'wrongpin' },
      ];
      for (const args of queries) {
        const parsed = AuditQueryArgsSchema.parse(args);
        const ours = await team.query(parsed);
        const theirs = await queryPage(index, reader, parsed);
        expect(ours, JSON.stringify(args)).toEqual(theirs);
        expect(ours.entries.length).toBeGreaterThan(0);
      }
    } finally {
      await team.close();
      await embedded.close();
      await pool.end();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('hears other stations through LISTEN and reports changes of recorded vault changes', async () => {
    const { pool } = await freshDatabase();
    const desk = new PgAuditLog({ pool, station: 'desk-a' });
    const kiosk = new PgAuditLog({ pool, station: 'kiosk-b' });
    try {
      await kiosk.listen();
      const heard: PgAuditAppended[] = [];
      kiosk.subscribe((appended) => heard.push(appended));
      const since = Date.now();
      await desk.record({ ...event(1), changeId: 'change-1' });
      await expect.poll(() => heard.at(-1)?.lastSeq, { timeout: 1000 }).toBe(1);
      expect(await kiosk.changeEventsIn(new Set(['change-1', 'change-2']), since)).toEqual(new Set(['change-1']));
      expect(await kiosk.changeEventsIn(new Set(['change-1']), Date.now() + 60_000)).toEqual(new Set());
    } finally {
      await desk.close();
      await kiosk.close();
      await pool.end();
    }
  }, 30_000);

  it('the database restarted under appends: pending records reject, acknowledged ones stay, appends resume', async () => {
    const { pool } = await freshDatabase();
    const log = new PgAuditLog({ pool, station: 'desk-a' });
    const acknowledged: number[] = [];
    const rejected: number[] = [];
    let n = 0;
    let running = true;
    const recorder = async (): Promise<void> => {
      while (running) {
        const mine = n++;
        try {
          await log.record(event(mine));
          acknowledged.push(mine);
        } catch (error) {
          expect(error).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
          rejected.push(mine);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    try {
      const recorders = Array.from({ length: 16 }, () => recorder());
      await expect.poll(() => acknowledged.length, { timeout: 10_000 }).toBeGreaterThan(500);
      await server.stopServer();
      // While it is down, records are refused, not queued.
      await expect.poll(() => rejected.length, { timeout: 10_000 }).toBeGreaterThan(16);
      const before = acknowledged.length;
      await server.startServer();
      await expect.poll(() => acknowledged.length, { timeout: 15_000 }).toBeGreaterThan(before + 500);
      running = false;
      await Promise.all(recorders);

      const { rows } = await pool.query<{ n: number }>("SELECT (line::jsonb->'details'->>'n')::int AS n FROM audit_events");
      const stored = new Set(rows.map((row) => row.n));
      // Every acknowledged event is there; a rejected one may be (its COMMIT's reply was cut) or not.
      expect(acknowledged.filter((a) => !stored.has(a))).toEqual([]);
      expect(rejected.length).toBeGreaterThan(0);
      const report = await log.verify();
      expect(report.problems).toEqual([]);
      expect(report.records).toBe(rows.length);
    } finally {
      running = false;
      await log.close();
      await pool.end();
    }
  }, 90_000);
});
