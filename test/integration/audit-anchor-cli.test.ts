/**
 * A deleted or replaced audit log is caught (issue 11 §1): the vault keeps the last signed head
 * (its anchor), `carddesk audit verify` compares the log with it (exit 2), unlocking the vault
 * records the loss instead of starting a fresh log that verifies as intact, and the loss is
 * reported until an administrator acknowledges it. An exported head (`audit head --export`) is
 * the outside witness for what the anchor cannot see: vault and log rolled back together.
 * Runs the built `carddesk` (node scripts/build.mjs first); no card, no pcscd.
 */
import { cpSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carddesk, type CliResult } from '../support/cli';
import { csvRows, unrecordedCommands } from '../support/cli-audit';
import { freshHome } from '../support/host-process';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const pass = `${PASSPHRASE}\n`;

interface Report {
  intact: boolean;
  lastSeq: number | null;
  problems: { kind: string; seq: number | null; message: string }[];
}

function desk(home: string) {
  const run = (args: string[], input?: string): Promise<CliResult> => carddesk(args, { home, env: { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') }, ...(input === undefined ? {} : { input }) });
  const verify = async (...args: string[]): Promise<{ code: number | null; report: Report }> => {
    const result = await run(['audit', 'verify', '--json', ...args]);
    expect(result.stderr).toBe('');
    return { code: result.code, report: JSON.parse(result.stdout) as Report };
  };
  const ok = async (args: string[], input?: string): Promise<CliResult> => {
    const result = await run(args, input);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
  const anchor = (): { seq: number; hash: string } => (JSON.parse(readFileSync(join(home, 'vault', 'vault.json'), 'utf8')) as { auditAnchor: { head: { seq: number; hash: string } } }).auditAnchor.head;
  const segments = (): string[] => readdirSync(join(home, 'audit')).filter((name) => name.startsWith('segment-') && name.endsWith('.jsonl')).sort();
  return { run, verify, ok, anchor, segments, audit: join(home, 'audit') };
}

/** A desk with its vault made, two holders added, then unlocked (which signs: the anchor moves on). */
async function preparedDesk(prefix: string) {
  const home = freshHome(prefix);
  const d = desk(home);
  await d.ok(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  for (const n of [1, 2]) await d.ok(['holder', 'add', '--personal-number', personalNumber(n), '--first-name', 'Ada', '--last-name', `Anchor${n}`, '--email', `ada${n}@example.org`], pass);
  await d.ok(['vault', 'unlock'], pass);
  const { code, report } = await d.verify();
  expect(code).toBe(0);
  expect(report.intact).toBe(true);
  expect(d.anchor().seq).toBe(report.lastSeq);
  return { home, ...d };
}

const kinds = (report: Report): string[] => report.problems.map((problem) => problem.kind);

/** Unlocking records the loss and does not make the log look intact; acknowledging (audited) does. */
async function unlockRecordsLossThenAcknowledge(d: Awaited<ReturnType<typeof preparedDesk>>, options: { headWasRemoved?: boolean } = {}): Promise<void> {
  await d.ok(['vault', 'unlock'], pass);
  const after = await d.verify();
  expect(after.code).toBe(2);
  expect(kinds(after.report)).toContain('lost');
  // Again: the loss is said again, but recorded once.
  await d.ok(['vault', 'unlock'], pass);
  expect((await d.verify()).code).toBe(2);
  const losses = csvRows((await d.ok(['audit', 'export', '--csv', '--action', 'audit.loss'])).stdout);
  expect(losses).toHaveLength(1);
  expect(losses[0]).toMatchObject({ action: 'audit.loss', outcome: 'failure', actorKind: 'system' });

  const wrong = await d.run(['audit', 'acknowledge-loss'], 'not the passphrase\n');
  expect(wrong.code).not.toBe(0);
  expect((await d.verify()).code).toBe(2);
  await d.ok(['audit', 'acknowledge-loss'], pass);
  const acknowledged = await d.verify();
  if (options.headWasRemoved === true) {
    // The log's own record of opening without its signed head stays: it is history, not the loss.
    expect(kinds(acknowledged.report).length).toBeGreaterThan(0);
    expect(kinds(acknowledged.report).every((kind) => kind === 'recorded')).toBe(true);
  } else {
    expect(acknowledged.report.problems).toEqual([]);
    expect(acknowledged.code).toBe(0);
  }
  const rows = csvRows((await d.ok(['audit', 'export', '--csv', '--action', 'audit.lossAcknowledge'])).stdout);
  expect(rows.at(-1)).toMatchObject({ action: 'audit.lossAcknowledge', outcome: 'success', channel: 'cli', actorKind: 'operator' });
  // Nothing left to acknowledge: refused, and the refusal is said.
  const again = await d.run(['audit', 'acknowledge-loss'], pass);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toMatch(/no loss to acknowledge/);
}

describe('the vault anchors the audit log', () => {
  it('catches rm -rf audit/: verify exits 2, unlocking records the loss instead of starting an intact new log', async () => {
    const d = await preparedDesk('carddesk-anchor-rm-');
    const anchored = d.anchor();
    rmSync(d.audit, { recursive: true, force: true });
    const { code, report } = await d.verify();
    expect(code).toBe(2);
    expect(report.problems.find((problem) => problem.kind === 'lost')).toMatchObject({ seq: anchored.seq, message: expect.stringMatching(/missing or empty/) });
    const text = await d.run(['audit', 'verify']);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(new RegExp(`lost .*the vault's anchor says it reached record ${anchored.seq}`));
    await unlockRecordsLossThenAcknowledge(d);
    await d.ok(['audit', 'head', '--export']);
    expect(await unrecordedCommands('audit-anchor-cli', (args) => d.run(args))).toEqual([]);
  }, 120_000);

  it('catches an emptied segment', async () => {
    const d = await preparedDesk('carddesk-anchor-empty-');
    for (const segment of d.segments()) truncateSync(join(d.audit, segment), 0);
    rmSync(join(d.audit, 'head.json'));
    const { code, report } = await d.verify();
    expect(code).toBe(2);
    expect(kinds(report)).toContain('lost');
    await unlockRecordsLossThenAcknowledge(d);
  }, 120_000);

  it('catches a log cut back before the anchor, with its signed head removed', async () => {
    const d = await preparedDesk('carddesk-anchor-cut-');
    const anchored = d.anchor();
    const last = d.segments().at(-1) ?? '';
    const path = join(d.audit, last);
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const keep = lines.filter((line) => (JSON.parse(line) as { seq: number }).seq < anchored.seq - 2);
    writeFileSync(path, keep.map((line) => `${line}\n`).join(''));
    rmSync(join(d.audit, 'head.json'));
    const { code, report } = await d.verify();
    expect(code).toBe(2);
    expect(report.problems.find((problem) => problem.kind === 'lost')?.message).toMatch(/cut back/);
    await unlockRecordsLossThenAcknowledge(d, { headWasRemoved: true });
  }, 120_000);

  it('catches a rollback: an older copy of the log (with its own signed head) put back', async () => {
    const d = await preparedDesk('carddesk-anchor-rollback-');
    const old = `${d.home}-old-audit`;
    cpSync(d.audit, old, { recursive: true });
    await d.ok(['holder', 'add', '--personal-number', personalNumber(3), '--first-name', 'Bo', '--last-name', 'Later', '--email', 'bo@example.org'], pass);
    await d.ok(['vault', 'unlock'], pass);
    expect((await d.verify()).code).toBe(0);
    rmSync(d.audit, { recursive: true });
    cpSync(old, d.audit, { recursive: true });
    const { code, report } = await d.verify();
    expect(code).toBe(2);
    expect(kinds(report)).toEqual(['lost']);
    // The rolled-back log grows past the anchor's record number: its record there is another one.
    await d.ok(['vault', 'unlock'], pass);
    for (let i = 0; i < 3; i += 1) await d.ok(['vault', 'unlock'], pass);
    const grown = await d.verify();
    expect(grown.report.lastSeq).toBeGreaterThan(d.anchor().seq);
    expect(grown.code).toBe(2);
    expect(grown.report.problems.find((problem) => problem.kind === 'lost')?.message).toMatch(/replaced/);
    await unlockRecordsLossThenAcknowledge(d);
  }, 180_000);

  it('an exported head witnesses what the anchor cannot see: vault and log rolled back together', async () => {
    const d = await preparedDesk('carddesk-anchor-witness-');
    const earlier = `${d.home}-earlier`;
    cpSync(d.home, earlier, { recursive: true });
    await d.ok(['holder', 'add', '--personal-number', personalNumber(4), '--first-name', 'Cy', '--last-name', 'Witness', '--email', 'cy@example.org'], pass);
    await d.ok(['vault', 'unlock'], pass);

    const shown = await d.ok(['audit', 'head']);
    expect(shown.stdout).toMatch(/Signed head\s+record \d+, hash [0-9a-f]{64}/);
    const witness = join(`${d.home}-witness.txt`);
    const exported = await d.ok(['audit', 'head', '--export', '--output', witness]);
    expect(exported.stderr).toContain(witness);
    const text = readFileSync(witness, 'utf8');
    expect(text).toMatch(/^CardDesk audit head\nRecord: \d+\nHash: [0-9a-f]{64}\nTime: \S+\nKey fingerprint: [0-9a-f]{64}\nSignature: \S+\n/);
    const keyId = (JSON.parse(readFileSync(join(d.home, 'vault', 'vault.json'), 'utf8')) as { auditKey: { keyId: string } }).auditKey.keyId;
    expect(text).toContain(`Key fingerprint: ${keyId}`);
    expect((await d.verify('--witness', witness)).code).toBe(0);

    // Vault and log copied back together from before the export: the folder alone cannot tell.
    for (const part of ['vault', 'audit']) {
      rmSync(join(d.home, part), { recursive: true });
      cpSync(join(earlier, part), join(d.home, part), { recursive: true });
    }
    expect((await d.verify()).code).toBe(0);
    const witnessed = await d.verify('--witness', witness);
    expect(witnessed.code).toBe(2);
    expect(witnessed.report.problems.find((problem) => problem.kind === 'lost')?.message).toMatch(/witness head/);

    // A forged witness (another record number under the same signature) proves nothing.
    writeFileSync(`${witness}.forged`, text.replace(/^Record: (\d+)$/m, (_m, seq: string) => `Record: ${Number(seq) - 1}`));
    expect(kinds((await d.verify('--witness', `${witness}.forged`)).report)).toContain('anchor');
    // Not a witness at all: a sentence, exit 1.
    writeFileSync(`${witness}.bad`, 'hello');
    const bad = await d.run(['audit', 'verify', '--witness', `${witness}.bad`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an exported CardDesk audit head/);
  }, 120_000);
});
