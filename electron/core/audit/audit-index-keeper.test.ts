import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestLog, rewriteSegment, sampleEvent, segmentFiles, tempHome, testSigner } from '../../../test/support/audit';
import { memoryLogger } from '../../../test/support/memory-logger';
import { AuditIndexKeeper } from './audit-index-keeper';
import { decodeLine } from './audit-record';
import { scanTail } from './log-tail';
import { createDeskAuditLog } from './desk-audit-log';

/** A log of `events` events, closed, its index file saved by the log (it loaded the index). */
async function closedLog(events: number, home = tempHome()) {
  const { dir, log } = openTestLog(home);
  for (let i = 0; i < events; i += 1) await log.record(sampleEvent(i));
  await log.index();
  await log.close();
  expect(existsSync(log.indexPath)).toBe(true);
  return { home, dir };
}

/** The sequence numbers the index holds, in log order. */
async function indexedSeqs(keeper: AuditIndexKeeper): Promise<number[]> {
  const index = keeper.index;
  if (index === null) return [];
  await index.need(['seq']);
  return Array.from({ length: index.count }, (_, p) => index.seqAt(p));
}

describe('AuditIndexKeeper', () => {
  it('keeps nothing before it is loaded', async () => {
    const keeper = new AuditIndexKeeper({ dir: join(tempHome(), 'audit') });
    keeper.advance((await scanTail(keeper.dir)).tail);
    expect(keeper.index).toBeNull();
    expect(keeper.unsaved).toBe(0);
  });

  it('loads a saved index that still matches the log (warm), without rebuilding', async () => {
    const { dir } = await closedLog(30);
    const logger = memoryLogger();
    const keeper = new AuditIndexKeeper({ dir, log: logger });
    const tail = (await scanTail(dir)).tail;
    expect(await keeper.load(tail)).toEqual({ warm: true, saveSoon: false });
    expect(keeper.index?.count).toBe(30);
    expect(keeper.unsaved).toBe(0);
    expect(keeper.index?.position).toMatchObject({ lastSeq: tail.seq, lastHash: tail.hash, segment: tail.segment, offset: tail.size });
    expect(logger.entries.some((e) => e.message.includes('rebuilding'))).toBe(false);
  });

  it('rebuilds a stale index (another log’s) from the segments, and asks for it to be saved', async () => {
    const other = await closedLog(30);
    const { dir } = await closedLog(30);
    const expected = await (async () => {
      const keeper = new AuditIndexKeeper({ dir });
      await keeper.load((await scanTail(dir)).tail);
      return indexedSeqs(keeper);
    })();
    // Same file names, same sequence numbers, different records: only the hash tells them apart.
    copyFileSync(join(other.dir, 'index', 'events.idx'), join(dir, 'index', 'events.idx'));
    const logger = memoryLogger();
    const keeper = new AuditIndexKeeper({ dir, log: logger });
    expect(await keeper.load((await scanTail(dir)).tail)).toEqual({ warm: false, saveSoon: true });
    expect(await indexedSeqs(keeper)).toEqual(expected);
    expect(keeper.unsaved).toBe(30);
    expect(logger.entries.some((e) => e.message.includes('rebuilding'))).toBe(true);
    await keeper.save();
    expect(keeper.unsaved).toBe(0);
    const again = new AuditIndexKeeper({ dir });
    expect((await again.load((await scanTail(dir)).tail)).warm).toBe(true);
  });

  it('rebuilds an index file of an older format or with a damaged byte, and saves it in the current format', async () => {
    for (const damage of ['older format', 'changed byte', 'cut short'] as const) {
      const { dir } = await closedLog(25);
      const keeper = new AuditIndexKeeper({ dir });
      const saved = readFileSync(keeper.path);
      const expected = await (async () => {
        const fresh = new AuditIndexKeeper({ dir });
        expect((await fresh.load((await scanTail(dir)).tail)).warm).toBe(true);
        return indexedSeqs(fresh);
      })();
      const bytes = Buffer.from(saved);
      if (damage === 'older format') bytes.write('CDAUDIX1', 0);
      if (damage === 'changed byte') bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0x40;
      writeFileSync(keeper.path, damage === 'cut short' ? bytes.subarray(0, bytes.length - 9) : bytes);
      if (damage === 'changed byte') {
        // The header is intact, so the open is warm; the column read right after fails its
        // CRC-32 and the index is dropped before any query could use it.
        expect(await keeper.load((await scanTail(dir)).tail), damage).toEqual({ warm: true, saveSoon: false });
        expect(await keeper.columnsRead).toBe(false);
        expect(keeper.index).toBeNull();
      }
      expect(await keeper.load((await scanTail(dir)).tail), damage).toEqual({ warm: false, saveSoon: true });
      expect(await indexedSeqs(keeper)).toEqual(expected);
      await keeper.save();
      expect(readFileSync(keeper.path).subarray(0, 8).toString()).toBe('CDAUDIX3');
      expect((await new AuditIndexKeeper({ dir }).load((await scanTail(dir)).tail)).warm).toBe(true);
    }
  });

  it('catches up on events another writer appended after the index was saved', async () => {
    const { home, dir } = await closedLog(20);
    // Another process appends without ever loading the index (so the file stays behind).
    const writer = createDeskAuditLog(home, { signer: testSigner(home) });
    for (let i = 20; i < 35; i += 1) await writer.record(sampleEvent(i));
    await writer.close();

    const keeper = new AuditIndexKeeper({ dir, saveEvery: 10 });
    const tail = (await scanTail(dir)).tail;
    expect(await keeper.load(tail)).toEqual({ warm: true, saveSoon: true });
    expect(keeper.index?.count).toBe(35);
    expect(keeper.unsaved).toBe(15);
    expect(keeper.index?.position.lastSeq).toBe(tail.seq);
    const seqs = await indexedSeqs(keeper);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await keeper.saveIfDue();
    expect(keeper.unsaved).toBe(0);
  });

  it('counts events added after loading and saves them when due or on close', async () => {
    const { home, dir } = await closedLog(5);
    const keeper = new AuditIndexKeeper({ dir, saveEvery: 100 });
    await keeper.load((await scanTail(dir)).tail);
    // Another writer appends; the keeper is given its events as the log reads them.
    const writer = createDeskAuditLog(home, { signer: testSigner(home) });
    for (let i = 5; i < 8; i += 1) await writer.record(sampleEvent(i));
    await writer.close();
    const before = keeper.index?.position.offset ?? 0;
    const segment = segmentFiles(dir).at(-1) ?? '';
    const bytes = readFileSync(join(dir, segment));
    let offset = before;
    while (offset < bytes.length) {
      const end = bytes.indexOf(10, offset) + 1;
      const decoded = decodeLine(bytes.subarray(offset, end - 1).toString('utf8'));
      if (decoded.ok && decoded.record.type === 'event') keeper.add(decoded.record, segment, offset, end - offset);
      offset = end;
    }
    await keeper.saveIfDue();
    expect(keeper.unsaved).toBe(0);
    const tail = (await scanTail(dir)).tail;
    keeper.advance(tail);
    expect(keeper.unsaved).toBe(3);
    expect(keeper.index?.count).toBe(8);
    await keeper.saveIfDue();
    expect(keeper.unsaved).toBe(3);
    await keeper.close();
    expect(keeper.unsaved).toBe(0);
    const reloaded = new AuditIndexKeeper({ dir });
    expect(await reloaded.load(tail)).toEqual({ warm: true, saveSoon: false });
    expect(await indexedSeqs(reloaded)).toEqual(await indexedSeqs(keeper));
  });

  it('rebuilds when the log was cut below the saved index, and drops the index on reset', async () => {
    const { dir } = await closedLog(40);
    const segment = segmentFiles(dir).at(-1) ?? '';
    rewriteSegment(dir, segment, (lines) => lines.slice(0, 20));
    const tail = (await scanTail(dir)).tail;
    const keeper = new AuditIndexKeeper({ dir });
    expect(await keeper.load(tail)).toEqual({ warm: false, saveSoon: true });
    const seqs = await indexedSeqs(keeper);
    expect(seqs.length).toBeGreaterThan(0);
    expect(Math.max(...seqs)).toBeLessThanOrEqual(tail.seq);
    expect(keeper.index?.position.lastSeq).toBe(tail.seq);
    keeper.reset();
    expect(keeper.index).toBeNull();
    keeper.add({ seq: 99, time: new Date().toISOString(), type: 'event', prev: '', ...sampleEvent(1) } as never, segment, 0, 1);
    expect(keeper.index).toBeNull();
  });

  it('logs, and keeps counting, when the index file cannot be written', async () => {
    const { dir } = await closedLog(3);
    const logger = memoryLogger();
    const keeper = new AuditIndexKeeper({ dir, log: logger });
    rmSync(keeper.path);
    await keeper.load((await scanTail(dir)).tail);
    // The index folder is replaced by a file: saving fails.
    rmSync(dirname(keeper.path), { recursive: true });
    writeFileSync(dirname(keeper.path), 'not a folder');
    await keeper.save();
    expect(keeper.unsaved).toBeGreaterThan(0);
    expect(logger.entries.some((e) => e.level === 'warn' && e.message.includes('could not be saved'))).toBe(true);
  });
});
