/**
 * The record store and vault storage behaviour every implementation must have (issue 18 §1: the
 * same suite against the embedded files and the team database). A `VaultPlace` opens the same
 * vault again and again: a data folder, or a database URL.
 */
import { expect, it } from 'vitest';
import type { AuditEventInput } from '../../electron/core/audit/audit-trail';
import type { RecordChange, VaultStore } from '../../electron/core/vault/records';

export interface VaultPlace {
  open(): Promise<VaultStore>;
}

const put = (id: string, value: number): RecordChange => ({ collection: 'things', id, record: { id, value } as never });
const event: AuditEventInput = { action: 'holder.update', outcome: 'success', actor: { kind: 'system', id: 'test' }, channel: 'cli' };

export function recordsContract(newPlace: () => Promise<VaultPlace>): void {
  it('applies a commit in memory at once and keeps it across a reopen', async () => {
    const place = await newPlace();
    const store = await place.open();
    const committed = store.records.commit([put('a', 1), put('b', 2)]);
    expect(store.records.get('things', 'a')).toEqual({ id: 'a', value: 1 });
    await committed;
    await store.records.commit([put('a', 3), { collection: 'things', id: 'b', record: null }]);
    expect(store.records.size('things')).toBe(1);
    await store.close();
    const again = await place.open();
    expect([...again.records.values('things')]).toEqual([{ id: 'a', value: 3 }]);
    expect(again.records.get('things', 'b')).toBeUndefined();
    // A removed record can be made again.
    await again.records.commit([put('b', 4)]);
    await again.close();
    const third = await place.open();
    expect(third.records.get('things', 'b')).toEqual({ id: 'b', value: 4 });
    await third.close();
  });

  it('tells its listeners of every change it applies', async () => {
    const store = await (await newPlace()).open();
    const seen: RecordChange[][] = [];
    const stop = store.records.onChange((changes) => seen.push([...changes]));
    await store.records.commit([put('x', 1)]);
    stop();
    await store.records.commit([put('y', 1)]);
    expect(seen).toEqual([[put('x', 1)]]);
    await store.close();
  });

  it('keeps the event written with a change pending until it is marked recorded, across a reopen', async () => {
    const place = await newPlace();
    const store = await place.open();
    await store.records.commit([put('p', 1)], { id: 'change-1', at: 1000, event });
    await store.records.commit([put('q', 1)], { id: 'change-2', at: 2000, event });
    expect(store.records.pendingEvents().map((pending) => pending.id)).toEqual(['change-1', 'change-2']);
    store.records.markRecorded('change-1');
    expect(store.records.pendingEvents().map((pending) => pending.id)).toEqual(['change-2']);
    await store.records.commit([put('r', 1)]);
    await store.close();
    const again = await place.open();
    expect(again.records.pendingEvents()).toEqual([{ id: 'change-2', at: 2000, event }]);
    await again.close();
  });

  it('replaces every record at once (a restore), for good', async () => {
    const place = await newPlace();
    const store = await place.open();
    await store.records.commit([put('old', 1)]);
    const revision = store.records.revision;
    await store.records.replaceAll({ things: [{ id: 'new', value: 2 } as never], other: [{ id: 'o' }] }, store.records.schemaVersion);
    expect(store.records.revision).not.toBe(revision);
    expect(store.records.dump()).toMatchObject({ things: [{ id: 'new', value: 2 }], other: [{ id: 'o' }] });
    await store.close();
    const again = await place.open();
    expect([...again.records.values('things')]).toEqual([{ id: 'new', value: 2 }]);
    expect(again.records.size('other')).toBe(1);
    await again.close();
  });

  it('applies each meta update on the one before it and keeps the result', async () => {
    const place = await newPlace();
    const store = await place.open();
    const bump = () => store.updateMeta((meta) => ({ ...meta, settings: { ...meta.settings, idleLockMinutes: meta.settings.idleLockMinutes + 1 } }));
    const start = store.meta.settings.idleLockMinutes;
    await Promise.all(Array.from({ length: 20 }, bump));
    expect(store.meta.settings.idleLockMinutes).toBe(start + 20);
    await store.close();
    const again = await place.open();
    expect(again.meta.settings.idleLockMinutes).toBe(start + 20);
    await again.close();
  });

  it('undoes a meta update whose change throws and keeps the document as it was', async () => {
    const store = await (await newPlace()).open();
    const before = store.meta;
    await expect(
      store.updateMeta(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(store.meta).toEqual(before);
    await store.close();
  });
}
