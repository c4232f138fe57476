/**
 * Verification finds every kind of tampering, at random positions, and says exactly where.
 * `npm run soak:audit` runs the same trials on a larger log many more times.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allLines, openTestLog, rewriteSegment, sampleEvent, segmentFiles } from '../../../test/support/audit';
import { sourceAuditWorkers } from '../../../test/support/audit-workers';
import { copyLog, random, tamper, type TamperKind } from '../../../test/support/tamper';
import { checkpointMessage, encodeRecord, GENESIS_HASH, headMessage, type AuditRecord } from './audit-record';
import { keyIdOf } from './audit-signer';
import { verifyAuditLog } from './audit-verify';

let dir: string;
let deskKeyId: string;

beforeAll(async () => {
  // About 330 records over a dozen segments, a checkpoint every 25.
  const { log, dir: logDir } = openTestLog(undefined, { checkpointEvery: 25, segmentBytes: 8 * 1024 });
  for (let i = 0; i < 100; i += 1) await Promise.all(Array.from({ length: 3 }, (_, j) => log.record(sampleEvent(i * 3 + j))));
  await log.close();
  dir = logDir;
  deskKeyId = log.deskKeyId ?? '';
});

describe('verifyAuditLog', () => {
  it('passes an untouched log and says what it checked', async () => {
    const report = await verifyAuditLog(dir, { deskKeyId });
    expect(report).toMatchObject({ intact: true, problems: [], problemCount: 0, events: 300, unfinishedBytes: 0, keyIds: [deskKeyId] });
    expect(report.segments).toBeGreaterThan(5);
    expect(report.signedThrough).toBe(report.lastSeq);
  });

  const trials = 40;
  it.each(['change', 'delete', 'swap', 'truncate'] as TamperKind[])(`finds every "%s" at random positions (${trials} trials) and pinpoints it`, async (kind) => {
    const pick = random(0x5eed + kind.length * 7919);
    const misses: string[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const copy = copyLog(dir);
      const expected = tamper(copy, kind, pick);
      const report = await verifyAuditLog(copy, { deskKeyId });
      const first = report.problems[0];
      const found = first === undefined ? 'nothing' : `${first.kind} seq ${first.seq} at ${first.segment}:${first.line}`;
      if (report.intact || first?.kind !== expected.kind || first.seq !== expected.seq || first.segment !== expected.segment || first.line !== expected.line) {
        misses.push(`${expected.what}: expected ${expected.kind} seq ${expected.seq} at ${expected.segment}:${expected.line}, found ${found}`);
      }
      rmSync(copy, { recursive: true });
    }
    expect(misses).toEqual([]);
  });

  it('catches a rewrite that recomputes every hash after the edit: the next checkpoint’s signature breaks', async () => {
    const copy = copyLog(dir);
    const lines = allLines(copy);
    const target = 40; // an event between the checkpoints at 26 and 52
    let prev = GENESIS_HASH;
    const rewritten = lines.map((line, i) => {
      const record = JSON.parse(line.text) as AuditRecord & { hash?: string };
      delete record.hash;
      const edited = i === target ? { ...record, reason: 'rewritten by hand' } : record;
      const encoded = encodeRecord({ ...edited, prev });
      prev = encoded.hash;
      return { ...line, text: encoded.line.trimEnd() };
    });
    for (const segment of new Set(lines.map((l) => l.segment))) {
      rewriteSegment(copy, segment, () => rewritten.filter((l) => l.segment === segment).map((l) => l.text));
    }
    const report = await verifyAuditLog(copy, { deskKeyId });
    const editedSeq = (JSON.parse(lines[target]?.text ?? '{}') as { seq: number }).seq;
    const [first] = report.problems;
    expect(first?.kind).toBe('signature');
    // The first checkpoint after the edit.
    const checkpoint = lines.slice(target).map((l) => JSON.parse(l.text) as { seq: number; type: string }).find((r) => r.type === 'checkpoint');
    expect(first?.seq).toBe(checkpoint?.seq);
    expect(first?.message).toMatch(new RegExp(`records \\d+ to ${(checkpoint?.seq ?? 0) - 1} were rewritten`));
    expect(editedSeq).toBeLessThan(checkpoint?.seq ?? 0);
  });

  it('catches a log re-signed throughout with another key: it is not the desk’s key', async () => {
    const copy = copyLog(dir);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const keyId = keyIdOf(spki);
    const lines = allLines(copy);
    let prev = GENESIS_HASH;
    const rewritten = lines.map((line) => {
      let record = JSON.parse(line.text) as AuditRecord & { hash?: string };
      delete record.hash;
      if (record.type === 'key') record = { ...record, keyId, publicKey: spki.toString('base64') };
      if (record.type === 'checkpoint') record = { ...record, keyId, signature: sign(null, checkpointMessage(record.seq, prev, record.time), privateKey).toString('base64') };
      const encoded = encodeRecord({ ...record, prev });
      prev = encoded.hash;
      return { ...line, text: encoded.line.trimEnd() };
    });
    for (const segment of new Set(lines.map((l) => l.segment))) {
      rewriteSegment(copy, segment, () => rewritten.filter((l) => l.segment === segment).map((l) => l.text));
    }
    const last = rewritten.at(-1);
    const lastSeq = lines.length;
    const time = new Date().toISOString();
    const signature = sign(null, headMessage(lastSeq, prev, time), privateKey).toString('base64');
    writeFileSync(join(copy, 'head.json'), JSON.stringify({ seq: lastSeq, hash: prev, time, keyId, signature }));
    expect(last).toBeDefined();
    const report = await verifyAuditLog(copy, { deskKeyId });
    expect(report.problems.map((p) => p.kind)).toEqual(['anchor']);
    expect(report.problems[0]?.message).toContain("not by this desk's audit key");
  });

  it('says so when the signed head is missing or forged', async () => {
    const missing = copyLog(dir);
    rmSync(join(missing, 'head.json'));
    expect((await verifyAuditLog(missing)).problems.map((p) => p.kind)).toEqual(['anchor']);

    const forged = copyLog(dir);
    const head = JSON.parse(readFileSync(join(forged, 'head.json'), 'utf8')) as { seq: number };
    writeFileSync(join(forged, 'head.json'), JSON.stringify({ ...head, seq: head.seq + 5 }));
    expect((await verifyAuditLog(forged)).problems.map((p) => p.kind)).toEqual(['signature']);
  });

  it('reports an unreadable line and a duplicated record where they are', async () => {
    const copy = copyLog(dir);
    const lines = allLines(copy);
    const target = lines[10];
    const duplicate = lines[20];
    if (target === undefined || duplicate === undefined) throw new Error('log too short');
    rewriteSegment(copy, target.segment, (all) => all.map((text, i) => (i === target.line - 1 ? '{"seq":' : text)));
    rewriteSegment(copy, duplicate.segment, (all) => all.flatMap((text, i) => (i === duplicate.line - 1 ? [text, text] : [text])));
    const report = await verifyAuditLog(copy);
    expect(report.problems.map((p) => [p.kind, p.segment, p.line])).toEqual([
      ['changed', target.segment, target.line],
      ['duplicated', duplicate.segment, duplicate.line + 1],
    ]);
  });
});

describe('verifyAuditLog with its segments checked in worker threads', () => {
  const starter = sourceAuditWorkers();
  /** Workers started and segments they answered: a worker that failed would leave the work to this thread unseen. */
  const seen = { started: 0, answered: 0 };
  /** As many as the pool starts here (one per core, at most 4). */
  const workerCount = Math.min(4, availableParallelism());
  const workers = () => {
    const worker = starter();
    seen.started += 1;
    worker.on('message', () => (seen.answered += 1));
    return worker;
  };

  it('gives the same report as checking every segment in this thread', async () => {
    const inThread = await verifyAuditLog(dir, { deskKeyId, workers: null });
    seen.started = seen.answered = 0;
    const onWorkers = await verifyAuditLog(dir, { deskKeyId, workers });
    expect(seen).toEqual({ started: workerCount, answered: onWorkers.segments });
    const { checkedAt: _a, durationMs: _b, ...expected } = inThread;
    expect(onWorkers).toMatchObject(expected);
    expect(onWorkers.intact).toBe(true);
  });

  const trials = 6;
  it.each(['change', 'delete', 'swap', 'truncate'] as TamperKind[])(`finds every "%s" at random positions (${trials} trials) and pinpoints it`, async (kind) => {
    const pick = random(0xa11 + kind.length * 104_729);
    const misses: string[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const copy = copyLog(dir);
      const expected = tamper(copy, kind, pick);
      const report = await verifyAuditLog(copy, { deskKeyId, workers });
      const first = report.problems[0];
      if (report.intact || first?.kind !== expected.kind || first.seq !== expected.seq || first.segment !== expected.segment || first.line !== expected.line) {
        misses.push(`${expected.what}: expected ${expected.kind} seq ${expected.seq} at ${expected.segment}:${expected.line}, found ${first === undefined ? 'nothing' : `${first.kind} seq ${first.seq} at ${first.segment}:${first.line}`}`);
      }
      rmSync(copy, { recursive: true });
    }
    expect(misses).toEqual([]);
  });

  it('finds a changed line in the segment the second worker checks, and a recomputed hash where two workers’ segments join', async () => {
    // The first segment goes to the first worker, the second to the second (both start at once).
    const copy = copyLog(dir);
    const [, second, third] = segmentFiles(copy);
    if (second === undefined || third === undefined) throw new Error('log too short');
    const inSecond = allLines(copy).filter((l) => l.segment === second && l.text.includes('"type":"event"'));
    const changed = inSecond[Math.floor(inSecond.length / 2)];
    if (changed === undefined) throw new Error('segment empty');
    rewriteSegment(copy, second, (all) => all.map((text, i) => (i === changed.line - 1 ? text.replace(/"outcome":"(success|failure)"/, (_m, o: string) => `"outcome":"${o === 'success' ? 'failure' : 'success'}"`) : text)));
    // The last line of the second segment rewritten with a new, correct hash: the third
    // segment's first record (checked by the other worker) no longer links to it.
    const last = allLines(copy).filter((l) => l.segment === second).at(-1);
    const record = JSON.parse(last?.text ?? '{}') as AuditRecord & { hash?: string };
    if (last === undefined || record.type !== 'event') throw new Error('the test log no longer ends its second segment with an event');
    delete record.hash;
    const rewritten = encodeRecord({ ...record, reason: 'rewritten by hand' }).line.trimEnd();
    rewriteSegment(copy, second, (all) => all.map((text, i) => (i === last.line - 1 ? rewritten : text)));

    seen.started = seen.answered = 0;
    const report = await verifyAuditLog(copy, { deskKeyId, workers });
    expect(seen.started).toBe(workerCount);
    expect(workerCount).toBeGreaterThanOrEqual(2);
    expect(seen.answered).toBe(report.segments);
    const seqOf = (text: string): number => (JSON.parse(text) as { seq: number }).seq;
    expect(report.problems.slice(0, 2).map((p) => [p.kind, p.seq, p.segment, p.line])).toEqual([
      ['changed', seqOf(changed.text), second, changed.line],
      ['changed', seqOf(last.text), second, last.line],
    ]);
    expect(report.problems[1]?.message).toContain('hash recomputed');
    rmSync(copy, { recursive: true });
  });
});
