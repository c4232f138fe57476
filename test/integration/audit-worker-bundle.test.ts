/**
 * The audit log's verification as the app runs it: the core and the CLI find the worker bundle
 * (dist/audit-worker.cjs) beside theirs and check segments on worker threads. The bundle answers
 * every segment and gives the report the in-thread check gives, a changed record included.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../electron/core/audit/audit-verify';
import { allLines, openTestLog, rewriteSegment, sampleEvent } from '../support/audit';
import { repoRoot } from '../support/host-process';
import { copyLog } from '../support/tamper';

let dir = '';
let deskKeyId = '';
let answered = 0;
const bundled = (): Worker => {
  const worker = new Worker(join(repoRoot, 'dist', 'audit-worker.cjs'), { name: 'audit' });
  worker.on('message', () => (answered += 1));
  return worker;
};

beforeAll(async () => {
  const { log, dir: logDir } = openTestLog(undefined, { checkpointEvery: 25, segmentBytes: 8 * 1024 });
  for (let i = 0; i < 60; i += 1) await Promise.all(Array.from({ length: 3 }, (_, j) => log.record(sampleEvent(i * 3 + j))));
  await log.close();
  dir = logDir;
  deskKeyId = log.deskKeyId ?? '';
});

describe('the bundled audit worker', () => {
  it('checks every segment and reports as the in-thread check does', async () => {
    const inThread = await verifyAuditLog(dir, { deskKeyId, workers: null });
    answered = 0;
    const onWorkers = await verifyAuditLog(dir, { deskKeyId, workers: bundled });
    expect(answered).toBe(onWorkers.segments);
    expect(onWorkers.segments).toBeGreaterThan(2);
    const { checkedAt: _a, durationMs: _b, ...expected } = inThread;
    expect(onWorkers).toMatchObject({ ...expected, intact: true });
  });

  it('finds a changed record where it is', async () => {
    const copy = copyLog(dir);
    const target = allLines(copy).filter((line) => line.text.includes('"type":"event"'))[70];
    if (target === undefined) throw new Error('log too short');
    rewriteSegment(copy, target.segment, (all) => all.map((text, i) => (i === target.line - 1 ? text.replace(/"outcome":"(success|failure)"/, (_m, o: string) => `"outcome":"${o === 'success' ? 'failure' : 'success'}"`) : text)));
    const report = await verifyAuditLog(copy, { deskKeyId, workers: bundled });
    expect(report.intact).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'changed', segment: target.segment, line: target.line });
  });
});
