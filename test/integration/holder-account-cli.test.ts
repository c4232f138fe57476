/**
 * `carddesk holder contact …` and `carddesk holder document …` as an operator runs them: the
 * contact data shown with its verified flags, an operator change refused without a reason and
 * recorded with one (the cooldown starts), and a document submitted with a scan (sealed: the vault
 * passphrase is asked), shown pending, its scan written back byte for byte, then approved; a second
 * submission rejected with a reason; the email verified with a one-time code that came by real SMTP
 * (a local smtp-server). Every state-changing command is then found in the audit log.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carddesk, carddeskSession, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { startMailServer, type MailServer } from '../support/mail-server';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const home = tempHome('carddesk-account-cli-');
const cd = (args: string[], input = ''): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000 });
const holder = personalNumber(811);
let mail: MailServer;

beforeAll(async () => {
  mail = await startMailServer();
  expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
  const smtp = await cd(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(mail.port), '--security', 'none', '--from', 'desk@carddesk.example'], `${PASSPHRASE}\n`);
  expect(smtp.code, smtp.stderr).toBe(0);
  const added = await cd(['holder', 'add', '--personal-number', holder, '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org', '--mobile', '+38344123456']);
  expect(added.code, added.stderr).toBe(0);
}, 180_000);

afterAll(() => mail?.close());

describe('carddesk holder contact', () => {
  it('shows, refuses an operator change without a reason, and records one with it', async () => {
    const shown = await cd(['holder', 'contact', 'show', holder, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'ada@example.org', emailVerified: false, mobileVerified: false, cooldownUntil: null });

    const noReason = await cd(['holder', 'contact', 'change', holder, '--field', 'email', '--value', 'ada.l@example.org']);
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain('--reason');

    const changed = await cd(['holder', 'contact', 'change', holder, '--field', 'email', '--value', 'Ada.L@example.org', '--reason', 'holder phoned the helpdesk', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    const view = JSON.parse(changed.stdout) as { email: string; emailVerified: boolean; cooldownUntil: string };
    expect(view).toMatchObject({ email: 'ada.l@example.org', emailVerified: false });
    const days = (Date.parse(view.cooldownUntil) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(5.99);
    expect(days).toBeLessThanOrEqual(6);

    const log = await cd(['audit', 'export', '--json', '--action', 'account.contactChange']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain('account.contactChange');
    expect(log.stdout).toContain('holder phoned the helpdesk');
  }, 120_000);
});

describe('carddesk holder document', () => {
  it('submits a scan (sealed), shows it pending, writes the scan back and approves it', async () => {
    const scan = join(home, 'passport.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('walker document scan\n')]);
    writeFileSync(scan, bytes);
    const notAScan = join(home, 'passport.gif');
    writeFileSync(notAScan, 'GIF89a not a document');
    const refused = await cd(['holder', 'document', 'submit', holder, '--number', 'AB1234567', '--expiry', '2031-01-31', '--scan', notAScan], `${PASSPHRASE}\n`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('scanType');

    const submitted = await cd(['holder', 'document', 'submit', holder, '--number', 'AB1234567', '--expiry', '2031-01-31', '--scan', scan], `${PASSPHRASE}\n`);
    expect(submitted.code, submitted.stderr).toBe(0);
    const pending = await cd(['holder', 'document', 'show', holder, '--json']);
    expect(JSON.parse(pending.stdout)).toMatchObject({ documentNumber: '', pending: { documentNumber: 'AB1234567', scanType: 'application/pdf', state: 'pending', submittedBy: 'operator' } });

    const out = join(home, 'scan-back.pdf');
    const written = await cd(['holder', 'document', 'show', holder, '--scan-out', out], `${PASSPHRASE}\n`);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out).equals(bytes)).toBe(true);

    const approved = await cd(['holder', 'document', 'approve', holder]);
    expect(approved.code, approved.stderr).toBe(0);
    const shown = await cd(['holder', 'show', holder, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ holder: { documentNumber: 'AB1234567', documentExpiry: '2031-01-31' } });

    // A second submission, rejected with a reason: the approved document stays.
    expect((await cd(['holder', 'document', 'submit', holder, '--number', 'ZZ0000001', '--expiry', '2032-02-29', '--scan', scan], `${PASSPHRASE}\n`)).code).toBe(0);
    const rejected = await cd(['holder', 'document', 'reject', holder, '--reason', 'the scan is unreadable']);
    expect(rejected.code, rejected.stderr).toBe(0);
    const after = await cd(['holder', 'show', holder, '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ holder: { documentNumber: 'AB1234567' } });
  }, 120_000);
});

describe('carddesk holder contact verify', () => {
  it('sends a one-time code by SMTP, takes it back from the holder, and marks the email verified; every write is in the log', async () => {
    const before = mail.received.length;
    const session = carddeskSession(['holder', 'contact', 'verify', holder, '--field', 'email'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 90_000 });
    await session.waitFor(/A code was sent to/, 60_000);
    await expect.poll(() => mail.received.length, { timeout: 30_000 }).toBeGreaterThan(before);
    const message = mail.received.slice(before).find((m) => m.parsed.subject === 'Your one-time code');
    const code = /one-time code is (\d{6})\b/.exec(message?.parsed.text ?? '')?.[1];
    expect(code, 'no one-time code mail').toBeDefined();
    expect(message!.envelopeTo).toEqual(['ada.l@example.org']);
    session.write(`${code}\n`);
    const done = await session.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).not.toContain(code);
    const shown = await cd(['holder', 'contact', 'show', holder, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'ada.l@example.org', emailVerified: true });
    expect(await unrecordedCommands('holder-account-cli', (args) => cd(args))).toEqual([]);
  }, 120_000);
});
