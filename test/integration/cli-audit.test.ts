/**
 * `carddesk audit verify|export`, and every CLI command that changes state recording its event.
 * The card lives in the embedded virtual reader of the test's own CARDDESK_HOME: PC/SC is pointed
 * at a socket that does not exist, so this never touches pcscd or the vpcd readers others use.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../electron/cli/program';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import { FACTORY } from '../../electron/smartcard/piv';
import { allLines } from '../support/audit';
import { carddesk } from '../support/cli';
import { freshHome } from '../support/host-process';

const home = freshHome('carddesk-cli-audit-');
const env = { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') };
const reader = ['--reader', VIRTUAL_READER_NAME];
const run = (args: string[], input?: string) => carddesk(args, { home, env, ...(input === undefined ? {} : { input }) });

/** RFC 4180 rows (no quoted line breaks in these tests). */
function csvRows(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trimEnd().split('\r\n').map((row) => row.split(','));
  return rows.map((cells) => Object.fromEntries((header ?? []).map((name, i) => [name, cells[i] ?? ''])));
}

async function exported(...filters: string[]): Promise<Record<string, string>[]> {
  const result = await run(['audit', 'export', '--csv', ...filters]);
  expect(result.code, result.stderr).toBe(0);
  return csvRows(result.stdout);
}

/** Every CLI command that changes state, and how to run it here; the rest say why they record nothing. */
const writes: Record<string, { args: string[]; input?: string; action: string }> = {
  'card verify-pin': { args: ['card', 'verify-pin', ...reader], input: `${FACTORY.PIN}\n`, action: 'card.pinVerify' },
  'card change-pin': { args: ['card', 'change-pin', ...reader], input: `${FACTORY.PIN}\n80421357\n`, action: 'card.pinChange' },
  'card change-puk': { args: ['card', 'change-puk', ...reader], input: `${FACTORY.PUK}\n64209753\n`, action: 'card.pukChange' },
  'card unblock': { args: ['card', 'unblock', ...reader], input: '64209753\n31415926\n', action: 'card.unblockWithPuk' },
  'card set-retries': { args: ['card', 'set-retries', '--pin-tries', '5', '--puk-tries', '4', ...reader], input: '31415926\n64209753\n', action: 'card.retryCountersSet' },
  'audit verify': { args: ['audit', 'verify'], action: 'audit.verify' },
  'audit export': { args: ['audit', 'export', '--json'], action: 'audit.export' },
};
const reads: Record<string, string> = {
  version: 'prints the version',
  readers: 'lists readers',
  'card status': 'reads the card',
  // It serves a virtual card to the operating system for other programs; the desk's state and
  // its cards are untouched (what those programs do with the card is theirs to record).
  'vcard serve': 'no desk state',
};
const secrets = [FACTORY.PIN, FACTORY.PUK, '80421357', '64209753', '31415926'];

function commandNames(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length > 0 ? commandNames(sub, `${name} `) : [name];
  });
}

describe('carddesk and the audit log', () => {
  beforeAll(async () => {
    // The first command creates the virtual card in the data folder.
    const status = await run(['card', 'status', ...reader]);
    expect(status.code, status.stderr).toBe(0);
  });

  it('knows, for every command, whether it changes state', () => {
    const all = commandNames(buildProgram());
    expect(all.filter((name) => !(name in writes) && !(name in reads))).toEqual([]);
  });

  it('records an event for every command that changes state, and no secret', async () => {
    for (const [name, command] of Object.entries(writes)) {
      const before = (await exported()).length;
      const result = await run(command.args, command.input);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      const after = await exported();
      // One more row than before for the command, one for the export that read it back before.
      const added = after.slice(before);
      expect(added.map((row) => row['action']), name).toContain(command.action);
      expect(added.find((row) => row['action'] === command.action)).toMatchObject({ channel: 'cli', actorKind: 'operator', outcome: 'success' });
    }
    const fields = allLines(join(home, 'audit'))
      .map((line) => {
        const { prev: _p, hash: _h, signature: _s, publicKey: _k, keyId: _i, ...rest } = JSON.parse(line.text) as Record<string, unknown>;
        return JSON.stringify(rest);
      })
      .join('\n');
    for (const secret of secrets) expect(fields).not.toContain(secret);
  });

  it('records failures too, and exports with filters', async () => {
    const wrong = await run(['card', 'verify-pin', ...reader], '00000000\n');
    expect(wrong.code).toBe(3);
    const failures = await exported('--outcome', 'failure', '--action', 'card.pinVerify');
    expect(failures.at(-1)).toMatchObject({ action: 'card.pinVerify', outcome: 'failure', reason: 'wrongPin', details: expect.stringContaining('triesLeft=') });
    expect(failures.every((row) => row['outcome'] === 'failure' && row['action'] === 'card.pinVerify')).toBe(true);
    expect(await exported('--from', '2000-01-01', '--to', '2001-01-01')).toEqual([]);
    const json = await run(['audit', 'export', '--json', '--actor', 'nobody-at-all']);
    expect(json.stdout).toBe('');
  });

  it('verify says INTACT (exit 0), then finds a changed record and says where (exit 2)', async () => {
    const intact = await run(['audit', 'verify']);
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.stdout).toContain('INTACT');
    const target = allLines(join(home, 'audit')).find((line) => line.text.includes('"action":"card.pinChange"'));
    if (target === undefined) throw new Error('no card.pinChange event');
    const path = join(home, 'audit', target.segment);
    writeFileSync(path, readFileSync(path, 'utf8').replace(target.text, target.text.replace('"outcome":"success"', '"outcome":"failure"')));
    const tampered = await run(['audit', 'verify', '--json']);
    expect(tampered.code).toBe(2);
    const report = JSON.parse(tampered.stdout) as { intact: boolean; problems: { kind: string; segment: string; line: number }[] };
    expect(report.intact).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'changed', segment: target.segment, line: target.line });
  });
});
