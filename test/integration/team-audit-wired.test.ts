/**
 * The audit log of stations in team mode (issue 18 §1, §3): two CLI stations (two data folders,
 * one CARDDESK_DATABASE_URL) record into the database's one chain, and `carddesk audit verify`
 * and `audit export` on either station check and read that chain, both stations' events in it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carddesk } from '../support/cli';
import { freshHome } from '../support/host-process';
import { TestPostgres } from '../support/postgres';
import { freshTeamDatabase } from '../support/team-schema';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

let server: TestPostgres;
beforeAll(async () => {
  server = await TestPostgres.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function vaultAuditKeyId(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ key_id: string | null }>("SELECT data->'auditKey'->>'keyId' AS key_id FROM vault_meta WHERE id = 1");
    return rows[0]?.key_id ?? null;
  } finally {
    await client.end();
  }
}

async function chainRows(url: string): Promise<{ station: string; action: string | null }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ station: string; action: string | null }>("SELECT station, action FROM audit_events WHERE type = 'event' ORDER BY seq");
    return rows;
  } finally {
    await client.end();
  }
}

describe('two CLI stations on one team database', () => {
  it('record into one chain that audit verify finds intact and audit export reads on either station', async () => {
    const url = await freshTeamDatabase(server);
    const homeA = freshHome('carddesk-team-a-');
    const homeB = freshHome('carddesk-team-b-');
    const station = (home: string) => (args: string[], input?: string) =>
      carddesk(args, { home, env: { CARDDESK_DATABASE_URL: url, PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') }, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
    const a = station(homeA);
    const b = station(homeB);

    const init = await a(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
    expect(init.code, init.stderr).toBe(0);
    const addedA = await a(['holder', 'add', '--personal-number', personalNumber(1), '--first-name', 'Ada', '--last-name', 'Alpha', '--email', 'ada@example.org']);
    expect(addedA.code, addedA.stderr).toBe(0);
    const addedB = await b(['holder', 'add', '--personal-number', personalNumber(2), '--first-name', 'Bea', '--last-name', 'Beta', '--email', 'bea@example.org']);
    expect(addedB.code, addedB.stderr).toBe(0);

    // Neither station wrote a file log: the events are in the database, named by station.
    expect(existsSync(join(homeA, 'audit'))).toBe(false);
    expect(existsSync(join(homeB, 'audit'))).toBe(false);
    const rows = await chainRows(url);
    const created = rows.filter((row) => row.action === 'holder.create');
    expect(created).toHaveLength(2);
    expect(new Set(created.map((row) => row.station)).size).toBe(1); // both `cli:<this host>`
    expect(rows.map((row) => row.action)).toContain('vault.init');

    // vault.init and the two holder.create events, then each verify's own audit.verify event.
    for (const [verify, events] of [[b, 3], [a, 4]] as const) {
      const report = await verify(['audit', 'verify', '--json']);
      expect(report.code, report.stderr).toBe(0);
      const parsed = JSON.parse(report.stdout) as { intact: boolean; events: number; problemCount: number; deskKeyId: string | null; keyIds: string[] };
      expect(parsed).toMatchObject({ intact: true, problemCount: 0 });
      // Checked against the team vault's audit key, which signed the chain (vault init unlocked it).
      expect(parsed.deskKeyId).toMatch(/^[0-9a-f]{64}$/);
      expect(parsed.deskKeyId).toBe(await vaultAuditKeyId(url));
      expect(parsed.keyIds).toEqual([parsed.deskKeyId]);
      expect(parsed.events).toBe(events);
    }
    const text = await a(['audit', 'verify']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Audit log  database postgres://');
    expect(text.stdout).toContain('INTACT');

    // B reads A's events (and its own) from the shared chain.
    const exported = await b(['audit', 'export', '--json', '--action', 'holder.create']);
    expect(exported.code, exported.stderr).toBe(0);
    const entries = exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as { action: string; holderId?: string; details?: Record<string, unknown> });
    expect(entries.map((entry) => entry.action)).toEqual(['holder.create', 'holder.create']);
    const verifies = (await chainRows(url)).filter((row) => row.action === 'audit.verify');
    expect(verifies).toHaveLength(3);

    // What the team chain does not have yet is refused with a clear message, not faked.
    const head = await b(['audit', 'head']);
    expect(head.code).toBe(1);
    expect(head.stderr).toContain('Not in team mode yet');
  }, 240_000);

  it('cut records are found by audit verify in the database', async () => {
    const url = await freshTeamDatabase(server);
    const home = freshHome('carddesk-team-c-');
    const run = (args: string[], input?: string) => carddesk(args, { home, env: { CARDDESK_DATABASE_URL: url }, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
    expect((await run(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
    expect((await run(['holder', 'add', '--personal-number', personalNumber(3), '--first-name', 'Cy', '--last-name', 'Gamma', '--email', 'cy@example.org'])).code).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("DELETE FROM audit_events WHERE action = 'vault.init'").finally(() => client.end());
    const report = await run(['audit', 'verify', '--json']);
    expect(report.code).toBe(2);
    expect(JSON.parse(report.stdout)).toMatchObject({ intact: false });
  }, 120_000);
});
