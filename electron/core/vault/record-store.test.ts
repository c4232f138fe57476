import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import { RecordStore } from './record-store';

const put = (id: string, value: number) => ({ collection: 'things', id, record: { id, value } });

describe('RecordStore', () => {
  it('keeps every committed change across a reopen', () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    store.commit([put('a', 1), put('b', 2)]);
    store.commit([put('a', 3), { collection: 'things', id: 'b', record: null }]);
    store.close();
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect([...again.values('things')]).toEqual([{ id: 'a', value: 3 }]);
  });

  it('drops a torn last line (never acknowledged) and keeps appending after it', () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    store.commit([put('a', 1)]);
    store.close();
    appendFileSync(join(dir, 'journal-0.log'), '0123456789abcdef {"s":2,"c":[["things","b",{"id":"b"');
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect(again.size('things')).toBe(1);
    again.commit([put('c', 3)]);
    again.close();
    expect([...RecordStore.open(dir, { schemaVersion: 1 }).values('things')].map((r) => r.id).sort()).toEqual(['a', 'c']);
  });

  it('refuses a journal damaged in the middle instead of guessing', () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    store.commit([put('a', 1)]);
    store.commit([put('b', 2)]);
    store.close();
    const path = join(dir, 'journal-0.log');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"value":1', '"value":7'));
    expect(() => RecordStore.open(dir, { schemaVersion: 1 })).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }));
  });

  it('compacts into a snapshot, starts a new journal generation and loses nothing', () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1, compactAfterBytes: 2_000 });
    for (let i = 0; i < 100; i += 1) store.commit([put(`k${i % 10}`, i)]);
    expect(readdirSync(dir).filter((n) => n.startsWith('journal-')).length).toBe(1);
    expect(readdirSync(dir)).not.toContain('journal-0.log');
    store.close();
    const again = RecordStore.open(dir, { schemaVersion: 1 });
    expect(again.get('things', 'k9')).toEqual({ id: 'k9', value: 99 });
    expect(again.size('things')).toBe(10);
  });

  it('applies a batch all at once', () => {
    const dir = tempHome();
    const store = RecordStore.open(dir, { schemaVersion: 1 });
    const seen: number[] = [];
    store.onChange((changes) => seen.push(changes.length));
    store.commit(Array.from({ length: 50 }, (_, i) => put(`x${i}`, i)));
    expect(seen).toEqual([50]);
    expect(readFileSync(join(dir, 'journal-0.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
