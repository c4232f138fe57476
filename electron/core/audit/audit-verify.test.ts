/**
 * Verification finds every kind of tampering, at random positions, and says exactly where.
 * `npm run soak:audit` runs the same trials on a larger log many more times.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allLines, openTestLog, rewriteSegment, sampleEvent } from '../../../test/support/audit';
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
