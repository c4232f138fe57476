import { afterEach, describe, expect, it } from 'vitest';
import { openTestLog, sampleEvent } from '../../../test/support/audit';
import type { AuditLog } from './audit-log';
import { queryPage } from './audit-queries';
import { createDeskAuditLog } from './desk-audit-log';
import { TailWindow } from './tail-window';

const open: AuditLog[] = [];
afterEach(async () => {
  for (const log of open.splice(0)) await log.close();
});

async function newestFirst(log: AuditLog, limit = 200) {
  const { index, reader } = await log.index();
  return (await queryPage(index, reader, { limit, count: true })).entries;
}

describe('TailWindow', () => {
  it('holds contiguous bytes of one segment and answers only for what it holds', () => {
    const window = new TailWindow(64);
    window.add('a', 10, Buffer.from('0123456789'));
    window.add('a', 20, Buffer.from('abcdef'));
    expect(window.read('a', 10, 26)?.toString()).toBe('0123456789abcdef');
    expect(window.read('a', 15, 22)?.toString()).toBe('56789ab');
    expect(window.read('a', 9, 12)).toBeNull();
    expect(window.read('a', 20, 27)).toBeNull();
    expect(window.read('b', 10, 12)).toBeNull();
    // A gap (another process appended in between) or another segment starts the window anew.
    window.add('a', 40, Buffer.from('xyz'));
    expect(window.read('a', 20, 26)).toBeNull();
    expect(window.read('a', 40, 43)?.toString()).toBe('xyz');
    window.add('b', 0, Buffer.from('new'));
    expect(window.read('a', 40, 43)).toBeNull();
    expect(window.read('b', 0, 3)?.toString()).toBe('new');
  });

  it('keeps the newest bytes when it is full, and forgets a write larger than itself', () => {
    const window = new TailWindow(16);
    window.add('s', 0, Buffer.from('0123456789'));
    window.add('s', 10, Buffer.from('ABCDEFGHIJ'));
    expect(window.read('s', 0, 5)).toBeNull();
    expect(window.read('s', 10, 20)?.toString()).toBe('ABCDEFGHIJ');
    expect(window.read('s', 8, 20)?.toString()).toBe('89ABCDEFGHIJ');
    window.add('s', 20, Buffer.alloc(17, 1));
    expect(window.read('s', 10, 20)).toBeNull();
  });
});

describe('the newest pages from memory', () => {
  it('answers as the files do, also when another writer appended in between', async () => {
    const first = openTestLog();
    open.push(first.log);
    for (let i = 0; i < 10; i += 1) await first.log.record(sampleEvent(i));
    // A second writer on the same folder (another process, as `carddesk` commands are).
    const other = createDeskAuditLog(first.home, {});
    open.push(other);
    for (let i = 10; i < 15; i += 1) await other.record(sampleEvent(i));
    await other.close();
    for (let i = 15; i < 20; i += 1) await first.log.record(sampleEvent(i));
    const served = await newestFirst(first.log);
    const fresh = createDeskAuditLog(first.home, {});
    open.push(fresh);
    const onDisk = await newestFirst(fresh);
    expect(onDisk).toHaveLength(20);
    expect(served).toEqual(onDisk);
    // The newest five are all this writer's last batches: served from memory, the same entries.
    expect(await newestFirst(first.log, 5)).toEqual(onDisk.slice(0, 5));
  });
});
