import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/audit';
import { AuditIndex } from './audit-index';
import type { EventRecord } from './audit-record';

function event(seq: number): EventRecord {
  return {
    seq,
    time: new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString(),
    type: 'event',
    prev: '0'.repeat(64),
    actor: seq % 3 === 0 ? { kind: 'holder', id: `holder-${seq % 5}` } : { kind: 'operator', id: `operator-${seq % 4}` },
    channel: seq % 2 === 0 ? 'kiosk' : 'desk',
    action: seq % 2 === 0 ? 'card.pinVerify' : 'card.issue',
    outcome: seq % 7 === 3 ? 'failure' : 'success',
    ...(seq % 4 === 0 ? {} : { holder: `holder-${seq % 6}` }),
  };
}

/** An index of `count` events over two segments, as the log would build it. */
function sampleIndex(count: number): AuditIndex {
  const index = new AuditIndex();
  for (let seq = 1; seq <= count; seq += 1) index.add(event(seq), seq <= count / 2 ? 'segment-000000000001.jsonl' : 'segment-000000000050.jsonl', seq * 400, 399 + (seq % 3));
  index.position = { segment: 'segment-000000000050.jsonl', offset: (count + 1) * 400, lastSeq: count, lastHash: 'a'.repeat(64) };
  return index;
}

/** Everything a query can see of an index. */
function contents(index: AuditIndex) {
  const positions = (query: Parameters<AuditIndex['scan']>[0]): number[] => {
    const found: number[] = [];
    index.scan(query, (p) => found.push(p) > 0);
    return found;
  };
  return {
    count: index.count,
    position: index.position,
    rows: Array.from({ length: index.count }, (_, p) => [index.seqAt(p), index.timeAt(p), index.outcomeAt(p), index.location(p)]),
    failures: positions({ outcome: 'failure' }),
    holder: positions({ holder: 'holder-1' }),
    actor: positions({ actor: 'holder-3', actions: ['card.pinVerify'] }),
    lastOfHolder: index.lastOfHolder('holder-2'),
  };
}

/** Where column `name` lies in a saved index file, from its header. */
function columnStart(bytes: Buffer, name: string): number {
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString()) as { columns: { name: string; bytes: number }[] };
  let at = 16 + headerLength + ((8 - ((16 + headerLength) % 8)) % 8);
  for (const column of header.columns) {
    if (column.name === name) return at;
    at += column.bytes;
  }
  throw new Error(`no column ${name}`);
}

describe('AuditIndex file', () => {
  it('answers a page from a few blocks before its columns are read, and the same as once they are', async () => {
    // More than one block (16,384 values), so a page near the end reads only the last blocks.
    const index = sampleIndex(40_000);
    const path = join(tempHome(), 'index', 'events.idx');
    await index.save(path);
    const loaded = (await AuditIndex.load(path)) as AuditIndex;
    const newest = async (target: AuditIndex): Promise<unknown[]> => {
      const found: number[] = [];
      await target.need(AuditIndex.columnsOf({}));
      target.scan({}, (p) => found.push(p) < 50);
      await target.needLocations(found);
      return found.map((p) => target.location(p));
    };
    expect(await newest(loaded)).toEqual(await newest(index));
    await loaded.needLocations([5]);
    expect(loaded.location(5)).toEqual(index.location(5));
    // Nothing is read synchronously: a block no query asked for is refused, not read then.
    expect(() => loaded.location(20_000)).toThrow(/before it was read/);
    expect(() => loaded.seqAt(5)).toThrow(/before it was read/);
    expect(await loaded.loadColumns()).toBe(true);
    expect(loaded.location(20_000)).toEqual(index.location(20_000));
    expect(contents(loaded)).toEqual(contents(index));
  });

  it('refuses a column or block that fails its CRC-32 when it is read after the header, and says so once', async () => {
    const bytes = sampleIndex(40_000).serialize();
    const path = join(tempHome(), 'index', 'events.idx');
    mkdirSync(join(path, '..'), { recursive: true });
    for (const column of ['offset', 'outcome'] as const) {
      const damaged = Buffer.from(bytes);
      // A byte in the last block of the column (the one a page of the newest events reads).
      const at = columnStart(bytes, column) + (column === 'offset' ? 39_990 * 8 : 39_990);
      damaged[at] = (damaged[at] ?? 0) ^ 0x10;
      writeFileSync(path, damaged);
      const loaded = (await AuditIndex.load(path)) as AuditIndex;
      expect(loaded, 'the header is intact').not.toBeNull();
      let told = 0;
      loaded.onDamaged(() => (told += 1));
      const read = async (): Promise<unknown> => {
        if (column === 'offset') {
          await loaded.needLocations([39_990]);
          return loaded.location(39_990);
        }
        await loaded.need(AuditIndex.columnsOf({ outcome: 'failure' }));
        return loaded.scan({ outcome: 'failure' }, () => true);
      };
      await expect(read()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      await expect(read(), 'still refused').rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      expect(() => loaded.location(39_990), 'nor used synchronously').toThrow(expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }) as Error);
      expect(await loaded.loadColumns()).toBe(false);
      expect(told).toBe(1);
      // Read in the background first, the damage is found there too.
      const again = (await AuditIndex.load(path)) as AuditIndex;
      expect(await again.loadColumns()).toBe(false);
    }
  });

  it('loads what it saved, and keeps taking events after loading', async () => {
    const index = sampleIndex(300);
    const path = join(tempHome(), 'index', 'events.idx');
    await index.save(path);
    const loaded = await AuditIndex.load(path);
    expect(loaded).not.toBeNull();
    expect(await (loaded as AuditIndex).loadColumns()).toBe(true);
    expect(contents(loaded as AuditIndex)).toEqual(contents(index));
    // The loaded columns are exactly full: the next event moves them to bigger memory.
    for (const target of [index, loaded as AuditIndex]) target.add(event(301), 'segment-000000000050.jsonl', 301 * 400, 400);
    expect(contents(loaded as AuditIndex)).toEqual(contents(index));
    expect((loaded as AuditIndex).names.holders.find('holder-5')).toBe(index.names.holders.find('holder-5'));
  });

  it('loads an empty index', () => {
    const loaded = AuditIndex.deserialize(new AuditIndex().serialize());
    expect(loaded?.count).toBe(0);
  });

  it('reads bytes that are not 8-byte aligned', () => {
    const bytes = sampleIndex(50).serialize();
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(contents(AuditIndex.deserialize(shifted.subarray(3)) as AuditIndex)).toEqual(contents(sampleIndex(50)));
  });

  it('refuses a damaged, truncated, extended or old-format file (the log rebuilds it)', async () => {
    const bytes = sampleIndex(200).serialize();
    const flipped = (at: number): Buffer => {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      return copy;
    };
    const headerLength = bytes.readUInt32LE(8);
    expect(AuditIndex.deserialize(bytes)).not.toBeNull();
    // A bit changed in a column, in the header, in the header's length; the last column's last byte.
    expect(AuditIndex.deserialize(flipped(bytes.length - 2000))).toBeNull();
    expect(AuditIndex.deserialize(flipped(16 + Math.floor(headerLength / 2)))).toBeNull();
    expect(AuditIndex.deserialize(flipped(8))).toBeNull();
    expect(AuditIndex.deserialize(flipped(bytes.length - 8))).toBeNull();
    for (const length of [0, 10, 16, 16 + headerLength, bytes.length - 8, bytes.length - 1]) expect(AuditIndex.deserialize(bytes.subarray(0, length))).toBeNull();
    expect(AuditIndex.deserialize(Buffer.concat([bytes, Buffer.alloc(8)]))).toBeNull();
    const old = Buffer.from(bytes);
    old.write('CDAUDIX1', 0);
    expect(AuditIndex.deserialize(old)).toBeNull();
    const dir = tempHome();
    mkdirSync(join(dir, 'index'));
    writeFileSync(join(dir, 'index', 'events.idx'), bytes.subarray(0, bytes.length - 100));
    expect(await AuditIndex.load(join(dir, 'index', 'events.idx'))).toBeNull();
    expect(await AuditIndex.load(join(dir, 'index', 'missing.idx'))).toBeNull();
  });
});
