/**
 * The vault's records and main document in the team database (issue 18 §1, §3, §4): the same
 * contract suite as the embedded store, then what only several stations on one database show:
 * changes seen live at the other station, stale edits refused, meta updates serialised, and a
 * database restart survived.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { PgVaultStorage } from '../../electron/core/store/pg/pg-vault-storage';
import type { RecordChange } from '../../electron/core/vault/records';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import { VaultStorage } from '../../electron/core/vault/vault-storage';
import { TestPostgres } from '../support/postgres';
import { recordsContract, type VaultPlace } from '../support/records-contract';
import { freshTeamDatabase } from '../support/team-schema';
import { holderInput, operator, tempHome } from '../support/vault-fixtures';

let server: TestPostgres;
beforeAll(async () => {
  server = await TestPostgres.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const store of opened.splice(0).reverse()) await store.close();
});

async function station(url: string): Promise<PgVaultStorage> {
  const storage = await PgVaultStorage.open(url, { reconnectMs: 100 });
  opened.push(storage);
  return storage;
}

function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`not within ${timeoutMs} ms`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

const put = (id: string, value: number): RecordChange => ({ collection: 'things', id, record: { id, value } as never });

describe.each([
  { name: 'embedded', place: (): Promise<VaultPlace> => {
    const home = tempHome();
    return Promise.resolve({ open: () => Promise.resolve(VaultStorage.open(home)) });
  } },
  { name: 'postgres', place: async (): Promise<VaultPlace> => {
    const url = await freshTeamDatabase(server);
    return { open: () => PgVaultStorage.open(url) };
  } },
])('the record store and vault storage contract ($name)', ({ place }) => {
  recordsContract(place);
});

describe('two stations on one team database', () => {
  it('shows a change made at one station in the other station\'s records and listeners within 1 s', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    const seen: RecordChange[] = [];
    let seenAt = 0;
    b.records.onChange((changes) => {
      seen.push(...changes);
      seenAt = Date.now();
    });
    const start = Date.now();
    await a.records.commit([put('live', 1)]);
    await waitFor(() => b.records.get('things', 'live') !== undefined, 1000);
    expect(seenAt - start).toBeLessThan(1000);
    expect(seen).toEqual([put('live', 1)]);
    expect(b.records.get('things', 'live')).toEqual({ id: 'live', value: 1 });
    // A removal travels too.
    await a.records.commit([{ collection: 'things', id: 'live', record: null }]);
    await waitFor(() => b.records.get('things', 'live') === undefined, 1000);
  });

  it('refuses a change built on a stale copy with CONFLICT, undoes it and reads the record again', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    await a.records.commit([put('k', 1)]);
    const b = await station(url);
    expect(b.records.get('things', 'k')).toEqual({ id: 'k', value: 1 });
    // Both change k before either has seen the other's change: the second to commit loses.
    const first = a.records.commit([put('k', 2)]);
    const second = b.records.commit([put('k', 3), put('other', 1)]);
    const results = await Promise.allSettled([first, second]);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('was changed at another station') });
    const winner = results[0]?.status === 'fulfilled' ? 2 : 3;
    // Nothing of the losing commit stays, at either station, and both end with the winner's record.
    await waitFor(() => a.records.get<{ id: string; value: number }>('things', 'k')?.value === winner && b.records.get<{ id: string; value: number }>('things', 'k')?.value === winner, 1000);
    if (winner === 2) expect(b.records.get('things', 'other')).toBeUndefined();
    // The loser can make its change now that it has the winner's version.
    const loser = winner === 2 ? b : a;
    await loser.records.commit([put('k', 4)]);
    await waitFor(() => a.records.get<{ id: string; value: number }>('things', 'k')?.value === 4 && b.records.get<{ id: string; value: number }>('things', 'k')?.value === 4, 1000);
  });

  it('refuses to create a record another station created meanwhile', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    const results = await Promise.allSettled([a.records.commit([put('same-id', 1)]), b.records.commit([put('same-id', 2)])]);
    const reasons: unknown[] = [];
    for (const result of results) if (result.status === 'rejected') reasons.push(result.reason);
    expect(reasons).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
  });

  it('serialises meta updates of two stations: 200 increments each make 400, none lost', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    const bump = (storage: PgVaultStorage) => storage.updateMeta((meta) => ({ ...meta, settings: { ...meta.settings, idleLockMinutes: meta.settings.idleLockMinutes + 1 } }));
    const start = a.meta.settings.idleLockMinutes;
    const seenByA: number[] = [];
    await Promise.all([
      (async () => {
        for (let i = 0; i < 200; i += 1) seenByA.push((await bump(a)).settings.idleLockMinutes);
      })(),
      (async () => {
        for (let i = 0; i < 200; i += 1) await bump(b);
      })(),
    ]);
    // Strictly increasing at each station (a CRL number never repeats).
    expect(seenByA.every((value, i) => i === 0 || value > (seenByA[i - 1] as number))).toBe(true);
    await waitFor(() => a.meta.settings.idleLockMinutes === start + 400 && b.meta.settings.idleLockMinutes === start + 400, 1000);
    const c = await station(url);
    expect(c.meta.settings.idleLockMinutes).toBe(start + 400);
  }, 60_000);

  it('reconnects by itself after a database restart, refusing writes meanwhile and catching up on what it missed', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    const statuses: boolean[] = [];
    a.onDatabaseStatus((connected) => statuses.push(connected));
    await a.records.commit([put('before', 1)]);
    await server.stopServer();
    await waitFor(() => !a.connected && !b.connected, 5000);
    await expect(a.records.commit([put('during', 1)])).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(a.records.get('things', 'during')).toBeUndefined();
    await expect(a.updateMeta((meta) => meta)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    await server.startServer();
    // B comes back first and changes something while A may still be away: A must see it after reconnecting.
    await waitFor(() => b.connected, 10_000);
    await b.records.commit([put('while-away', 7)]);
    await waitFor(() => a.connected, 10_000);
    await waitFor(() => a.records.get('things', 'while-away') !== undefined, 2000);
    expect(statuses).toEqual([false, true]);
    await a.records.commit([put('after', 1)]);
    const c = await station(url);
    expect([...c.records.values('things')].map((thing) => thing.id).sort()).toEqual(['after', 'before', 'while-away']);
  }, 60_000);
});

describe('two operators editing one holder', () => {
  const services: VaultServices[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
  });
  const desk = async (url: string) => {
    const s = createVaultServices({ dataDir: tempHome(), audit: new MemoryAuditTrail(), log: silentLogger, storage: { databaseUrl: url } });
    services.push(s);
    await s.access.prepare();
    return s;
  };

  it('gives the second save a CONFLICT, never a silent overwrite', async () => {
    const url = await freshTeamDatabase(server);
    const a = await desk(url);
    const b = await desk(url);
    const created = await a.directory.create(holderInput(1), operator);
    if (!created.ok) throw new Error('not saved');
    const id = created.holder.id;
    await waitFor(() => b.access.storage().records.get('holders', id) !== undefined, 1000);
    const loadedByB = b.directory.get(id);
    const saved = await a.directory.update(id, created.holder.version, { ...holderInput(1), lastName: 'FromA' }, operator);
    expect(saved).toMatchObject({ ok: true });
    await expect(b.directory.update(id, loadedByB.version, { ...holderInput(1), lastName: 'FromB' }, operator)).rejects.toMatchObject({ code: 'CONFLICT' });
    await waitFor(() => b.directory.get(id).lastName === 'FromA', 1000);
    // B's search index follows A's change too.
    expect(b.directory.search({ query: 'FromA', sort: 'lastName', direction: 'asc', offset: 0, limit: 10 }).total).toBe(1);
  });
});
