import { appendFileSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allLines, openTestLog, sampleEvent, segmentFiles, tempHome, testSigner } from '../../../test/support/audit';
import { memoryLogger } from '../../../test/support/memory-logger';
import { type AuditLog } from './audit-log';
import { queryPage } from './audit-queries';
import { decodeLine } from './audit-record';
import { testAuditKeyPath } from '../../../test/support/file-audit-signer';
import { verifyAuditLog } from './audit-verify';
import { createDeskAuditLog } from './desk-audit-log';

const open: AuditLog[] = [];
afterEach(async () => {
  for (const log of open.splice(0)) await log.close();
});

function track<T extends { log: AuditLog }>(value: T): T {
  open.push(value.log);
  return value;
}

async function allEntries(log: AuditLog) {
  const { index, reader } = await log.index();
  return (await queryPage(index, reader, { limit: 200, count: true })).entries;
}

describe('AuditLog', () => {
  it('starts a new log with its key, chains every record and signs the head', async () => {
    const { log, dir } = track(openTestLog());
    await log.record(sampleEvent(1));
    const lines = allLines(dir);
    expect(lines.map((l) => JSON.parse(l.text) as { seq: number; type: string })).toMatchObject([
      { seq: 1, type: 'key' },
      { seq: 2, type: 'event' },
    ]);
    const [first, second] = lines.map((l) => decodeLine(l.text));
    expect(first?.ok && first.hashMatches && second?.ok && second.hashMatches && second.record.prev === first.hash).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'head.json'), 'utf8'))).toMatchObject({ seq: 2, hash: second?.ok ? second.hash : '' });
    expect((await verifyAuditLog(dir, { deskKeyId: log.deskKeyId })).intact).toBe(true);
  });

  it('answers record() only after the batch is written, and batches concurrent records together', async () => {
    const { log, dir } = track(openTestLog());
    await log.open();
    const before = log.stats.batches;
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.record(sampleEvent(i))));
    // Every acknowledged event is in the files when record() resolves.
    expect(allLines(dir).filter((l) => l.text.includes('"type":"event"'))).toHaveLength(500);
    expect(log.stats.batches - before).toBeLessThan(20);
  });

  it('writes a signed checkpoint every N records and one on close', async () => {
    const { log, dir } = openTestLog(tempHome(), { checkpointEvery: 10 });
    for (let i = 0; i < 25; i += 1) await log.record(sampleEvent(i));
    await log.close();
    const types = allLines(dir).map((l) => (JSON.parse(l.text) as { type: string }).type);
    expect(types.filter((t) => t === 'checkpoint')).toHaveLength(3);
    expect(types.at(-1)).toBe('checkpoint');
    const report = await verifyAuditLog(dir, { deskKeyId: log.deskKeyId });
    expect(report).toMatchObject({ intact: true, checkpoints: 3, events: 25, signedThrough: report.lastSeq });
  });

  it('starts a new segment when the current one is full', async () => {
    const { log, dir } = track(openTestLog(tempHome(), { segmentBytes: 2000 }));
    for (let i = 0; i < 30; i += 1) await log.record(sampleEvent(i));
    const segments = segmentFiles(dir);
    expect(segments.length).toBeGreaterThan(3);
    for (const segment of segments) {
      const first = JSON.parse(readFileSync(join(dir, segment), 'utf8').split('\n')[0] ?? '') as { seq: number };
      expect(segment).toBe(`segment-${String(first.seq).padStart(12, '0')}.jsonl`);
    }
    expect((await allEntries(log)).map((e) => e.details['n'])).toEqual(Array.from({ length: 30 }, (_, i) => 29 - i));
  });

  it('never writes a secret: details named like one are redacted, and the mistake is logged', async () => {
    const home = tempHome();
    const logger = memoryLogger();
    const log = createDeskAuditLog(home, { signer: testSigner(home), log: logger });
    open.push(log);
    await log.record(sampleEvent(1, { details: { reader: 'R', pin: '24682468', newPuk: '13571357', managementKey: 'aabbcc' } }));
    const text = allLines(join(home, 'audit'))
      .map((l) => l.text)
      .join('\n');
    expect(text).not.toMatch(/24682468|13571357|aabbcc/);
    expect(text).toContain('"pin":"[redacted]"');
    expect(logger.entries.some((e) => e.level === 'error' && e.message.includes('redacted'))).toBe(true);
  });

  it('keeps time from going backwards when the clock does', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const { log } = track(openTestLog(tempHome(), { now: () => now }));
    await log.record(sampleEvent(1));
    now -= 60_000;
    await log.record(sampleEvent(2));
    const [later, earlier] = await allEntries(log);
    expect(later?.time).toBe('2026-06-01T12:00:00.000Z');
    expect(earlier?.time).toBe(later?.time);
  });

  it('sets an unfinished last line (a crash mid-write) aside on open and records that it did', async () => {
    const { home, dir, log } = openTestLog();
    for (let i = 0; i < 5; i += 1) await log.record(sampleEvent(i));
    await log.close();
    const segment = join(dir, segmentFiles(dir).at(-1) ?? '');
    const torn = '{"seq":8,"time":"2026-06-01T12:00:00.000Z","type":"event","prev":"ab';
    appendFileSync(segment, torn);

    const reopened = track({ log: createDeskAuditLog(home, { signer: testSigner(home) }) }).log;
    await reopened.open();
    expect(readFileSync(`${segment}.torn`, 'utf8')).toBe(torn);
    expect(readFileSync(segment, 'utf8').endsWith('\n')).toBe(true);
    const [repair] = await allEntries(reopened);
    expect(repair).toMatchObject({ action: 'audit.repair', outcome: 'success', actor: { kind: 'system' }, details: { bytes: torn.length } });
    expect((await reopened.verify()).intact).toBe(true);
  });

  it('detects at open that records were cut off the end, records it, and keeps the gap visible', async () => {
    const { home, dir, log } = openTestLog();
    for (let i = 0; i < 6; i += 1) await log.record(sampleEvent(i));
    await log.close();
    const segment = join(dir, segmentFiles(dir).at(-1) ?? '');
    const lines = readFileSync(segment, 'utf8').split('\n').filter(Boolean);
    writeFileSync(segment, `${lines.slice(0, -2).join('\n')}\n`);

    const reopened = track({ log: createDeskAuditLog(home, { signer: testSigner(home) }) }).log;
    await reopened.record(sampleEvent(99));
    const [after, repair] = await allEntries(reopened);
    expect(repair).toMatchObject({ action: 'audit.repair', outcome: 'failure', reason: 'records 7 to 8 are missing from the end of the log' });
    expect(after?.seq).toBe((repair?.seq ?? 0) + 1);
    const report = await reopened.verify();
    expect(report.problems.map((p) => [p.kind, p.seq, p.toSeq])).toEqual([
      ['removed', 7, 8],
      ['recorded', repair?.seq, null],
    ]);
  });

  it('lets two processes append to one log: one chain, no gaps, each sees the other’s events', async () => {
    const home = tempHome();
    const a = createDeskAuditLog(home, { signer: testSigner(home), checkpointEvery: 50 });
    const b = createDeskAuditLog(home, { signer: testSigner(home), checkpointEvery: 50 });
    open.push(a, b);
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).record(sampleEvent(i))));
    await a.record(sampleEvent(500));
    expect((await a.verify()).intact).toBe(true);
    const { index, reader } = await a.index();
    expect((await queryPage(index, reader, { limit: 1, count: true })).total).toBe(201);
    const seen = (await queryPage(index, reader, { limit: 200, count: false, actor: 'op1' })).entries.map((e) => e.details['n']);
    expect(seen.filter((n) => typeof n === 'number' && n % 2 === 1).length).toBeGreaterThan(0);
    const seqs = allLines(join(home, 'audit')).map((l) => (JSON.parse(l.text) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('tells subscribers when events arrive, also those another process appended', async () => {
    const home = tempHome();
    const app = createDeskAuditLog(home, { signer: testSigner(home) });
    const cli = createDeskAuditLog(home, { signer: testSigner(home) });
    open.push(app, cli);
    await app.open();
    const heard: number[] = [];
    app.subscribe((appended) => heard.push(appended.count));
    app.watch(20);
    await app.record(sampleEvent(1));
    await cli.record(sampleEvent(2));
    await expect.poll(() => heard).toEqual([1, 1]);
  });

  it('rebuilds a missing or damaged index on open and uses a saved one otherwise', async () => {
    const { home, log } = openTestLog();
    for (let i = 0; i < 40; i += 1) await log.record(sampleEvent(i));
    const expected = await allEntries(log);
    await log.close();
    expect(existsSync(log.indexPath)).toBe(true);

    const logger = memoryLogger();
    const warm = createDeskAuditLog(home, { signer: testSigner(home), log: logger });
    expect(await allEntries(warm)).toEqual(expected);
    expect(logger.entries.some((e) => e.message.includes('rebuilding'))).toBe(false);
    await warm.close();

    for (const damage of ['delete', 'corrupt', 'truncate'] as const) {
      if (damage === 'delete') rmSync(log.indexPath);
      if (damage === 'corrupt') writeFileSync(log.indexPath, Buffer.from(readFileSync(log.indexPath).map((byte, i) => (i === 200 ? byte ^ 1 : byte))));
      if (damage === 'truncate') truncateSync(log.indexPath, 100);
      const cold = createDeskAuditLog(home, { signer: testSigner(home), log: memoryLogger() });
      const rebuilt = await allEntries(cold);
      expect(rebuilt.filter((e) => e.action !== 'audit.repair')).toEqual(expected);
      await cold.close();
    }
  });

  it('refuses events after close', async () => {
    const { log } = openTestLog();
    await log.close();
    await expect(log.record(sampleEvent(1))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });

  it('adds a key record when the audit key changes, and verification names the key', async () => {
    const home = tempHome();
    const first = createDeskAuditLog(home, { signer: testSigner(home) });
    await first.record(sampleEvent(1));
    await first.close();
    rmSync(testAuditKeyPath(home));
    const second = createDeskAuditLog(home, { signer: testSigner(home) });
    open.push(second);
    await second.record(sampleEvent(2));
    const report = await second.verify();
    expect(report.intact).toBe(true);
    expect(report.keyIds).toEqual([first.deskKeyId, second.deskKeyId]);
    expect((await verifyAuditLog(join(home, 'audit'), { deskKeyId: first.deskKeyId })).problems.map((p) => p.kind)).toEqual(['anchor']);
  });
});
