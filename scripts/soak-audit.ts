/**
 * `npm run soak:audit [-- --records N --trials T]`: the tamper trials of the unit tests on a
 * larger log, many more times. Every trial changes, deletes, swaps or cuts at a random place;
 * verification must find it and name the right record and line. Exits 1 on any miss.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAuditLog } from '../electron/core/audit/audit-verify';
import { openTestLog, sampleEvent } from '../test/support/audit';
import { copyLog, random, tamper, type TamperKind } from '../test/support/tamper';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, trials: { type: 'string', default: '500' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } } });
const records = Number(values.records);
const trials = Number(values.trials);
const pick = random(Number(values.seed));

const { log, dir } = openTestLog(undefined, { checkpointEvery: 100, segmentBytes: 256 * 1024 });
for (let i = 0; i < records; i += 500) await Promise.all(Array.from({ length: Math.min(500, records - i) }, (_, j) => log.record(sampleEvent(i + j))));
await log.close();
console.log(`log of ${records} events in ${dir}; ${trials} trials per kind; seed ${values.seed}`);

let misses = 0;
for (const kind of ['change', 'delete', 'swap', 'truncate'] as TamperKind[]) {
  let found = 0;
  let placed = 0;
  for (let trial = 0; trial < trials; trial += 1) {
    const copy = copyLog(dir);
    const want = tamper(copy, kind, pick);
    const report = await verifyAuditLog(copy, { deskKeyId: log.deskKeyId });
    const first = report.problems[0];
    if (!report.intact) found += 1;
    if (first?.kind === want.kind && first.seq === want.seq && first.segment === want.segment && first.line === want.line) placed += 1;
    else console.log(`  miss: ${want.what}: expected ${want.kind} ${want.seq} at ${want.segment}:${want.line}, got ${first === undefined ? 'nothing' : `${first.kind} ${first.seq} at ${first.segment}:${first.line}`}`);
    rmSync(copy, { recursive: true });
  }
  misses += trials - placed;
  console.log(`${kind.padEnd(8)} detected ${found}/${trials} (${((100 * found) / trials).toFixed(1)}%), pinpointed ${placed}/${trials}`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(misses === 0 ? 0 : 1);
