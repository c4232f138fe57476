/** The `carddesk` command against real pcscd and the vpcd readers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReaderListSchema } from '../../electron/shared/schemas/readers';
import { carddesk } from '../support/cli';
import { repoRoot } from '../support/host-process';
import { Pcscd, pcscdRunning } from '../support/pcscd';
import { insertTestCard, TEST_CARD_ATR, testCardLink, VIRTUAL_READERS } from '../support/test-card';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('carddesk without hardware', () => {
  it('--help names the commands', async () => {
    const result = await carddesk(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: carddesk/);
    expect(result.stdout).toMatch(/version\s+print the CardDesk version/);
    expect(result.stdout).toMatch(/readers \[options\]\s+list the PC\/SC readers/);
  });

  it('version, --version and -V print the package version', async () => {
    for (const args of [['version'], ['--version'], ['-V']]) {
      const result = await carddesk(args);
      expect(result, args.join(' ')).toMatchObject({ code: 0, stdout: `CardDesk ${version}\n` });
    }
  });

  it('refuses an unknown command with a clear message', async () => {
    const result = await carddesk(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  // issue 10 §1: `--help` after an unknown name used to print the general help and exit 0.
  it.each([
    [['frobnicate'], 'carddesk', 'frobnicate'],
    [['frobnicate', '--help'], 'carddesk', 'frobnicate'],
    [['card', 'frobnicate'], 'carddesk card', 'frobnicate'],
    [['card', 'frobnicate', '--help'], 'carddesk card', 'frobnicate'],
    [['ca', '--help', 'frobnicate'], 'carddesk ca', 'frobnicate'],
    [['vault', 'frob', 'x'], 'carddesk vault', 'frob'],
  ])('carddesk %j says the command is unknown, points to --help and exits non-zero', async (args, group, name) => {
    const result = await carddesk(args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toMatch(/Usage:/);
    expect(result.stderr).toContain(`unknown command '${name}': there is no \`${group} ${name}\`.`);
    expect(result.stderr).toContain(`Run \`${group} --help\` to see the commands.`);
  });

  // issue 11 §7: dates are strict and errors are sentences, never a schema's issue list.
  it.each(['2026-02-30', '2026-13-01', '2026-02-28T25:00:00Z', 'yesterday'])('audit export --from %s is refused in a sentence', async (date) => {
    const result = await carddesk(['audit', 'export', '--from', date]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/is not a (date|time)/);
  });

  it('a value outside what a command accepts is a sentence naming the option, not a schema dump', async () => {
    const result = await carddesk(['card', 'suspend', '--serial', 'X', '--days', '99']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe('carddesk: --days must be at most 30.\n');
  });

  it('a known command with --help still prints its help and exits 0', async () => {
    const result = await carddesk(['card', 'status', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: carddesk card status/);
  });

  it('says plainly when the PC/SC service is not running', async (context) => {
    if (await pcscdRunning()) {
      const reason = 'pcscd is running here (started by someone else), so "not running" cannot be shown';
      console.warn(`SKIPPED: ${reason}`);
      context.skip(reason);
    }
    const result = await carddesk(['readers']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/The smart-card service \(PC\/SC\) is not running/);
  });
});

describe('carddesk readers with pcscd', () => {
  let pcscd: Pcscd;
  const link = testCardLink(1);

  beforeAll(async () => {
    pcscd = await Pcscd.ensure();
    const card = await insertTestCard(link);
    await card.seenByReader;
  });

  afterAll(async () => {
    await link.remove();
    await pcscd.stop();
  });

  it('lists each reader and the card in it with its ATR', async () => {
    const result = await carddesk(['readers']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${VIRTUAL_READERS[0]}\\s+no card$`));
    expect(lines[1]).toMatch(new RegExp(`^${VIRTUAL_READERS[1]}\\s+card present\\s+ATR ${TEST_CARD_ATR.replace(/(..)(?=.)/g, '$1 ')}$`));
  });

  it('--json prints the same picture, machine-readable', async () => {
    const result = await carddesk(['readers', '--json']);
    expect(result.code).toBe(0);
    const list = ReaderListSchema.parse(JSON.parse(result.stdout));
    expect(list.service.status).toBe('running');
    expect(list.readers).toEqual([
      { name: VIRTUAL_READERS[0], kind: 'pcsc', cardState: 'absent', atr: null, inUse: false },
      { name: VIRTUAL_READERS[1], kind: 'pcsc', cardState: 'present', atr: TEST_CARD_ATR, inUse: false },
    ]);
  });

  it('refuses a bad option value', async () => {
    const result = await carddesk(['readers', '--timeout', 'soon']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/must be a positive whole number/);
  });
});
