/**
 * Live screens in team mode (issue 18 §4, §5): two stations' vault services on one team database,
 * each wired to its own event hub as the core wires it (emitTeamLiveEvents). A change at A reaches
 * B as one `vault:changedElsewhere` within 1 s; the database lost and back is `database:status`;
 * the embedded store emits neither.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/api/event-hub';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { emitTeamLiveEvents, teamDatabaseState } from '../../electron/core/store/pg/team-live-events';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import type { EventName } from '../../electron/shared/contract';
import { TestPostgres } from '../support/postgres';
import { freshTeamDatabase } from '../support/team-schema';
import { holderInput, operator, tempHome } from '../support/vault-fixtures';

let server: TestPostgres;
beforeAll(async () => {
  server = await TestPostgres.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

interface Heard {
  readonly name: EventName;
  readonly payload: unknown;
  readonly at: number;
}

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** One station: vault services (team mode when `url` is given) and the events its core would push. */
async function station(url?: string): Promise<{ services: VaultServices; heard: Heard[] }> {
  const services = createVaultServices({ dataDir: tempHome(), audit: new MemoryAuditTrail(), log: silentLogger, embedded: url === undefined, storage: url === undefined ? {} : { databaseUrl: url, team: { reconnectMs: 100 } } });
  const hub = new EventHub();
  const heard: Heard[] = [];
  hub.subscribe((name, payload) => heard.push({ name, payload, at: Date.now() }));
  const stopLive = emitTeamLiveEvents(services.access, hub.emit);
  stops.push(() => services.close(), stopLive);
  await services.access.prepare();
  return { services, heard };
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

const named = (heard: readonly Heard[], name: EventName): Heard[] => heard.filter((event) => event.name === name);
const search = (services: VaultServices, query: string): number => services.directory.search({ query, sort: 'lastName', direction: 'asc', offset: 0, limit: 10 }).total;

describe('live screens across two stations on one team database', () => {
  it('tells B within 1 s that A created a holder, once per burst, and never tells A about its own change', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    const start = Date.now();
    const created = await a.services.directory.create({ ...holderInput(1), lastName: 'Livewire' }, operator);
    expect(created).toMatchObject({ ok: true });
    await waitFor(() => named(b.heard, 'vault:changedElsewhere').length > 0, 1000);
    const [event] = named(b.heard, 'vault:changedElsewhere');
    expect((event as Heard).at - start).toBeLessThan(1000);
    expect((event as Heard).payload).toEqual({ collections: expect.arrayContaining(['holders']) as unknown });
    expect(search(b.services, 'Livewire')).toBe(1);
    // The debounce folds the burst (the holder and what follows it in one commit) into one event.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(named(b.heard, 'vault:changedElsewhere')).toHaveLength(1);
    expect(named(a.heard, 'vault:changedElsewhere')).toEqual([]);
  });

  it('says the database is lost, refuses writes, and when it is back says so and shows what changed meanwhile', async () => {
    const url = await freshTeamDatabase(server);
    const a = await station(url);
    const b = await station(url);
    // Reached at open (a screen opened later asks database:state).
    expect(named(b.heard, 'database:status').map((event) => event.payload)).toEqual([{ connected: true }]);
    expect(teamDatabaseState(b.services.access)).toEqual({ team: true, connected: true });
    await server.stopServer();
    await waitFor(() => named(b.heard, 'database:status').length > 1, 5000);
    expect(named(b.heard, 'database:status').map((event) => event.payload)).toEqual([{ connected: true }, { connected: false }]);
    expect(teamDatabaseState(b.services.access)).toEqual({ team: true, connected: false });
    await expect(b.services.directory.create(holderInput(2), operator)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(search(b.services, holderInput(2).lastName)).toBe(0);
    await server.startServer();
    await waitFor(() => named(a.heard, 'database:status').length === 3, 10_000);
    // A changes something while B may still be away: B must catch up once it is back.
    const created = await a.services.directory.create({ ...holderInput(3), lastName: 'Meanwhile' }, operator);
    expect(created).toMatchObject({ ok: true });
    await waitFor(() => named(b.heard, 'database:status').length === 3, 10_000);
    expect(named(b.heard, 'database:status').map((event) => event.payload)).toEqual([{ connected: true }, { connected: false }, { connected: true }]);
    expect(teamDatabaseState(b.services.access)).toEqual({ team: true, connected: true });
    await waitFor(() => search(b.services, 'Meanwhile') === 1, 2000);
    await waitFor(() => named(b.heard, 'vault:changedElsewhere').length > 0, 1000);
  }, 60_000);
});

describe('the embedded store', () => {
  it('pushes neither event', async () => {
    const solo = await station();
    expect(await solo.services.directory.create(holderInput(4), operator)).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(solo.heard.filter((event) => event.name === 'vault:changedElsewhere' || event.name === 'database:status')).toEqual([]);
    expect(teamDatabaseState(solo.services.access)).toEqual({ team: false, connected: true });
  });
});
