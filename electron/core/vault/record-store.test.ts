import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import { appendDurably } from '../files/safe-file';
import { RecordStore } from './record-store';

const put = (id: string, value: number) => ({ collection: 'things', id, record: { id, value } });

describe('RecordStore', () => {
  it('keeps every committed change across a reopen', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    await store.commit([put('a', 1), put('b', 2)]);
    await store.commit([put('a', 3), { collection: 'things', id: 'b', record: null }]);
    await store.close();
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect([...again.values('things')]).toEqual([{ id: 'a', value: 3 }]);
  });

  it('drops a torn last line (never acknowledged) and keeps appending after it', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    await store.commit([put('a', 1)]);
    await store.close();
    appendFileSync(join(dir, 'journal-0.log'), '0123456789abcdef {"s":2,"c":[["things","b",{"id":"b"');
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect(again.size('things')).toBe(1);
    await again.commit([put('c', 3)]);
    await again.close();
    expect([...RecordStore.open(dir, { schemaVersion: 1 }).values('things')].map((r) => r.id).sort()).toEqual(['a', 'c']);
  });

  it('refuses a journal damaged in the middle instead of guessing', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    await store.commit([put('a', 1)]);
    await store.commit([put('b', 2)]);
    await store.close();
    const path = join(dir, 'journal-0.log');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"value":1', '"value":7'));
    expect(() => RecordStore.open(dir, { schemaVersion: 1 })).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }));
  });

  it('compacts into a snapshot, starts a new journal generation and loses nothing', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1, compactAfterBytes: 2_000 });
    for (let i = 0; i < 100; i += 1) await store.commit([put(`k${i % 10}`, i)]);
    await store.settled();
    expect(readdirSync(dir).filter((n) => n.startsWith('journal-')).length).toBe(1);
    expect(readdirSync(dir)).not.toContain('journal-0.log');
    await store.close();
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect(again.get('things', 'k9')).toEqual({ id: 'k9', value: 99 });
    expect(again.size('things')).toBe(10);
  });

  it('writes the lines committed while a write is under way together, with one fdatasync', async () => {
    const dir = tempHome();
    const writes: number[] = [];
    const store = RecordStore.open(dir, {
      schemaVersion: 1,
      appendLines: async (fd, data) => {
        writes.push(data.toString('utf8').split('\n').length - 1);
        await appendDurably(fd, data);
      },
    });
    // Committed in one go: the first is written alone, the nine that came while it was, together.
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.commit([put(`g${i}`, i)])));
    expect(writes).toEqual([1, 9]);
    await store.close();
    expect(RecordStore.open(dir, { schemaVersion: 1 }).size('things')).toBe(10);
  });

  it('undoes a line that could not be written and every line after it, rejects their commits, and goes on', async () => {
    const dir = tempHome();
    let calls = 0;
    const store = RecordStore.open(dir, {
      schemaVersion: 1,
      appendLines: async (fd, data) => {
        calls += 1;
        if (calls !== 2) return appendDurably(fd, data);
        // Half a line reaches the file, then the disk is full.
        await appendDurably(fd, data.subarray(0, 10));
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    });
    const seen: string[] = [];
    store.onChange((changes) => seen.push(changes.map((c) => `${c.id}=${c.record === null ? 'gone' : String((c.record as unknown as { value: number }).value)}`).join(',')));
    await store.commit([put('a', 1)]);
    const revision = store.revision;
    const failing = store.commit([put('a', 2), put('b', 2)]);
    const after = store.commit([{ collection: 'things', id: 'a', record: null }]);
    // In memory at once, before the disk has them.
    expect(store.get('things', 'b')).toEqual({ id: 'b', value: 2 });
    await expect(failing).rejects.toThrow('no space left');
    await expect(after).rejects.toThrow('no space left');
    expect([...store.values('things')]).toEqual([{ id: 'a', value: 1 }]);
    expect(store.revision).toBeGreaterThan(revision);
    // Listeners heard the undo, newest first.
    expect(seen).toEqual(['a=1', 'a=2,b=2', 'a=gone', 'a=2', 'b=gone,a=1']);
    await store.commit([put('c', 3)]);
    await store.close();
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect([...again.values('things')].map((r) => r.id).sort()).toEqual(['a', 'c']);
    expect(again.get('things', 'a')).toEqual({ id: 'a', value: 1 });
  });

  it('finishes the writes under way before it closes, and refuses commits once closing', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    const pending = [store.commit([put('a', 1)]), store.commit([put('b', 2)])];
    const closed = store.close();
    await expect(store.commit([put('c', 3)])).rejects.toThrow('closed');
    await Promise.all(pending);
    await closed;
    expect([...RecordStore.open(dir, { schemaVersion: 1 }).values('things')].map((r) => r.id).sort()).toEqual(['a', 'b']);
  });

  it('applies a batch all at once', async () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    const seen: number[] = [];
    store.onChange((changes) => seen.push(changes.length));
    await store.commit(Array.from({ length: 50 }, (_, i) => put(`x${i}`, i)));
    expect(seen).toEqual([50]);
    expect(readFileSync(join(dir, 'journal-0.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
