/**
 * The recovery logic of change events (issue 11 §2), with the real record store and the real
 * audit log in a temporary folder: a change whose event the log lacks gets exactly one
 * recovered event; a change whose event is there gets none; pending events survive compaction
 * and reopening. The SIGKILL trials are in test/integration/change-events-kill.test.ts.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import { AuditLog } from '../audit/audit-log';
import type { EventRecord } from '../audit/audit-record';
import type { AuditEventInput } from '../audit/audit-trail';
import { allLines } from '../../../test/support/audit';
import { ChangeRecorder, recoverChangeEvents, type PendingEventSources } from './change-events';
import { RecordStore } from './record-store';
import { VaultAccess } from './vault-access';
import type { VaultMeta } from './vault-meta';

const op = { actor: { kind: 'operator', id: 'op-1' }, channel: 'desk' } as const;
const put = (id: string) => ({ collection: 'holders', id, record: { id } });
const event = (holderId: string): AuditEventInput => ({ action: 'holder.create', outcome: 'success', holderId, ...op });

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

function openStore(dir: string, compactAfterBytes?: number): RecordStore {
  const store = RecordStore.open(join(dir, 'records'), { schemaVersion: 1, ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }) });
  open.push(store);
  return store;
}

function openLog(dir: string, now?: () => number): AuditLog {
  const log = new AuditLog({ dir: join(dir, 'audit'), ...(now === undefined ? {} : { now }) });
  open.push(log);
  return log;
}

/** A record store on its own, with an empty vault.json beside it in memory. */
function recordsOnly(records: RecordStore): PendingEventSources {
  let meta = {} as VaultMeta;
  return {
    records,
    get meta() {
      return meta;
    },
    updateMeta: (change) => Promise.resolve((meta = change(meta))),
  };
}

function changeEvents(dir: string): EventRecord[] {
  const records = allLines(join(dir, 'audit')).map((line) => JSON.parse(line.text) as EventRecord);
  return records.filter((record): record is EventRecord => record.type === 'event' && record.change !== undefined);
}

describe('change events', () => {
  it('records a change and its event once, with the change id, and leaves nothing pending', async () => {
    const dir = tempHome();
    const access = new VaultAccess(dir);
    open.push(access);
    const log = openLog(dir);
    await new ChangeRecorder(access, log).commit([put('h1')], event('h1'));
    expect(access.storage().records.pendingEvents()).toEqual([]);
    await access.close();
    await log.close();
    const events = changeEvents(dir);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'holder.create', holder: 'h1', actor: op.actor });
    expect(events[0]?.recovered).toBeUndefined();
    // The mark rode on the line written at close: reopened, nothing is pending.
    expect(openStore(join(dir, 'vault')).pendingEvents()).toEqual([]);
  });

  it('writes one recovered event for a change whose event never reached the log, and none on the next open', async () => {
    const dir = tempHome();
    const store = openStore(dir);
    await store.commit([put('h1')], { id: 'change-1', at: Date.now(), event: event('h1') });
    await store.close(); // the process stopped before recording the event

    const log = openLog(dir);
    const again = openStore(dir);
    expect(again.pendingEvents().map((pending) => pending.id)).toEqual(['change-1']);
    expect(await recoverChangeEvents(recordsOnly(again), log)).toBe(1);
    await again.close();
    expect(await recoverChangeEvents(recordsOnly(openStore(dir)), log)).toBe(0);
    await log.close();
    const events = changeEvents(dir);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ change: 'change-1', recovered: true, action: 'holder.create', holder: 'h1', actor: op.actor, channel: 'desk' });
  });

  it('writes nothing for a change whose event is in the log though the store never heard so', async () => {
    const dir = tempHome();
    const store = openStore(dir);
    await store.commit([put('h1')], { id: 'change-1', at: Date.now(), event: event('h1') });
    const log = openLog(dir);
    await log.record({ ...event('h1'), changeId: 'change-1' });
    await store.close(); // stopped after the event, before the mark was written

    const again = openStore(dir);
    expect(again.pendingEvents()).toHaveLength(1);
    expect(await recoverChangeEvents(recordsOnly(again), log)).toBe(0);
    expect(again.pendingEvents()).toEqual([]);
    await log.close();
    expect(changeEvents(dir)).toHaveLength(1);
  });

  it('keeps pending events through compaction, and drops recorded ones', async () => {
    const dir = tempHome();
    const store = openStore(dir, 512);
    await store.commit([put('a')], { id: 'recorded', at: Date.now(), event: event('a') });
    store.markRecorded('recorded');
    await store.commit([put('b')], { id: 'pending', at: Date.now(), event: event('b') });
    for (let i = 0; i < 20; i += 1) await store.commit([put(`filler-${i}`)]);
    await store.close();
    const again = openStore(dir, 512);
    expect(again.size('holders')).toBe(22);
    expect(again.pendingEvents().map((pending) => pending.id)).toEqual(['pending']);
  });

  it('stops reading the log back at records older than the changes looked for (less an hour)', async () => {
    const dir = tempHome();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const log = openLog(dir, () => now);
    await log.record({ ...event('old'), changeId: 'old-change' });
    await log.record({ action: 'card.pinVerify', outcome: 'success', ...op });
    now += 3 * 60 * 60 * 1000;
    await log.record({ ...event('new'), changeId: 'new-change' });
    for (let i = 0; i < 5; i += 1) await log.record({ action: 'card.pinVerify', outcome: 'success', ...op });
    const ids = new Set(['old-change', 'new-change', 'never']);
    expect([...(await log.changeEventsIn(ids, now))].sort()).toEqual(['new-change']);
    expect([...(await log.changeEventsIn(ids, now - 3 * 60 * 60 * 1000))].sort()).toEqual(['new-change', 'old-change']);
  });

  it('never keeps a secret-looking detail in the journal', async () => {
    const dir = tempHome();
    const access = new VaultAccess(dir);
    open.push(access);
    const failing = { record: () => Promise.reject(new Error('log unavailable')), changeEventsIn: () => Promise.resolve(new Set<string>()) };
    await expect(new ChangeRecorder(access, failing).commit([put('h1')], { ...event('h1'), details: { pin: '123456', fields: 'x' } })).rejects.toThrow('log unavailable');
    const [pending] = access.storage().records.pendingEvents();
    expect(pending?.event.details).toEqual({ pin: '[redacted]', fields: 'x' });
  });

  describe('changes to vault.json', () => {
    const settingsEvent: AuditEventInput = { action: 'settings.change', outcome: 'success', details: { idleLockMinutes: 5 }, ...op };
    const shorterIdle = (meta: VaultMeta): VaultMeta => ({ ...meta, settings: { ...meta.settings, idleLockMinutes: 5 } });

    it('are recorded once with their change id, and leave nothing pending in the document', async () => {
      const dir = tempHome();
      const access = new VaultAccess(dir);
      open.push(access);
      const log = openLog(dir);
      await new ChangeRecorder(access, log).commitMeta(shorterIdle, settingsEvent);
      expect(access.storage().meta.settings.idleLockMinutes).toBe(5);
      expect(access.storage().meta.pendingEvents).toEqual([]);
      await log.close();
      const events = changeEvents(dir);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'settings.change' });
      expect(events[0]?.recovered).toBeUndefined();
    });

    it('get one recovered event when the process stopped between the change and its event, and none the next time', async () => {
      const dir = tempHome();
      const failing = { record: () => Promise.reject(new Error('killed')), changeEventsIn: () => Promise.resolve(new Set<string>()) };
      const first = new VaultAccess(dir);
      // The change is durable with its event inside; the log never got it.
      await expect(new ChangeRecorder(first, failing).commitMeta(shorterIdle, settingsEvent)).rejects.toThrow('killed');
      await first.close();

      const access = new VaultAccess(dir);
      open.push(access);
      const log = openLog(dir);
      expect(access.storage().meta.settings.idleLockMinutes).toBe(5);
      expect(access.storage().meta.pendingEvents).toHaveLength(1);
      expect(await recoverChangeEvents(access.storage(), log)).toBe(1);
      expect(access.storage().meta.pendingEvents).toEqual([]);
      expect(await recoverChangeEvents(access.storage(), log)).toBe(0);
      await log.close();
      const events = changeEvents(dir);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'settings.change', recovered: true });
    });

    it('get no second event when the log has it but the document still lists it', async () => {
      const dir = tempHome();
      const access = new VaultAccess(dir);
      open.push(access);
      const log = openLog(dir);
      const id = 'meta-change-1';
      await access.storage().updateMeta((meta) => ({ ...shorterIdle(meta), pendingEvents: [{ id, at: Date.now(), event: settingsEvent }] }));
      await log.record({ ...settingsEvent, changeId: id });
      expect(await recoverChangeEvents(access.storage(), log)).toBe(0);
      expect(access.storage().meta.pendingEvents).toEqual([]);
      await log.close();
      expect(changeEvents(dir)).toHaveLength(1);
    });
  });
});
