/**
 * One team station appending audit events, as its own process (issue 18 §6, §7):
 *   node --import tsx test/support/pg-audit-station.ts URL STATION COUNT|--seconds=S [CONCURRENCY]
 * URL is a postgres:// URL, or `dir:<folder>` for the embedded log in that folder (the benchmark's
 * anchor: several processes append to one embedded log under its writer lock).
 * Records COUNT events (or for S seconds) with CONCURRENCY recorders each awaiting its event,
 * every event naming the station and its number (details.n, in order per recorder 0), then
 * prints one JSON line: { station, acknowledged, batches, lockHeldMs, ms }.
 */
import pg from 'pg';
import { AuditLog } from '../../electron/core/audit/audit-log';
import { PgAuditLog } from '../../electron/core/store/pg/pg-audit-log';

const [url, stationArg, amount, concurrencyText] = process.argv.slice(2);
if (url === undefined || stationArg === undefined || amount === undefined) throw new Error('usage: pg-audit-station.ts URL STATION COUNT|--seconds=S [CONCURRENCY]');
const station: string = stationArg;
const concurrency = Number(concurrencyText ?? '32');
const seconds = amount.startsWith('--seconds=') ? Number(amount.slice('--seconds='.length)) : null;
const count = seconds === null ? Number(amount) : Number.POSITIVE_INFINITY;

const embedded = url.startsWith('dir:');
const pool = embedded ? null : new pg.Pool({ connectionString: url, max: 3 });
pool?.on('error', () => undefined);
const log = pool === null ? new AuditLog({ dir: url.slice('dir:'.length) }) : new PgAuditLog({ pool, station });
await (log instanceof AuditLog ? log.open() : Promise.resolve());
// Stations started together begin together (STATION_START_AT, epoch ms), after their start-up.
const startAt = Number(process.env['STATION_START_AT'] ?? 0);
if (startAt > Date.now()) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
let next = 0;
let acknowledged = 0;
const started = performance.now();
const deadline = seconds === null ? Number.POSITIVE_INFINITY : started + seconds * 1000;

async function recorder(): Promise<void> {
  while (next < count && performance.now() < deadline) {
    const n = next++;
    await log.record({
      action: 'card.pinVerify',
      outcome: n % 7 === 3 ? 'failure' : 'success',
      actor: { kind: 'operator', id: `${station}-operator-${n % 10}` },
      channel: 'desk',
      holderId: `holder-${n % 1000}`,
      details: { station, n },
    });
    acknowledged += 1;
  }
}

await Promise.all(Array.from({ length: concurrency }, () => recorder()));
const ms = performance.now() - started;
await log.close();
await pool?.end();
console.log(JSON.stringify({ station, acknowledged, batches: log.stats.batches, lockHeldMs: log instanceof PgAuditLog ? log.stats.lockHeldMs : null, ms }));
