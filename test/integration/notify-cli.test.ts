/**
 * `carddesk notify …` (issue 15 §7) against a real SMTP server on 127.0.0.1: the SMTP settings
 * set with the password read like every secret (a line of stdin after the passphrase), shown
 * with only whether a password is set; a test message received and parsed; the SMS gateway set;
 * a failed message listed with --failed, tried again with `notify retry` and delivered by
 * `notify send` with its Message-ID. Each write is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationTexts } from '../../electron/core/notify/notification-texts';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { NotificationOutbox, type NotificationRecord } from '../../electron/core/notify/outbox';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { carddesk, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { startMailServer, type MailServer } from '../support/mail-server';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';

const home = tempHome('carddesk-notify-cli-');
const SMTP_PASSWORD = 'Smtp-CLI-pa55';
let server: MailServer;
const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000 });

/** Opens the CLI's vault in this process and leaves one failed message in its outbox; returns its id. */
async function seedFailedMessage(): Promise<string> {
  const vault = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger });
  try {
    await vault.vault.unlockOrThrow(Buffer.from(PASSPHRASE), operator, 'notify-cli-test');
    const outbox = new NotificationOutbox({ access: vault.access, keyring: vault.keyring, audit: vault.audit });
    const change = outbox.queued({ kind: 'cardSuspended', holderId: 'h-cli', channel: 'email', to: 'ada@example.org', language: 'it', params: { name: 'Ada Notify', serial: 'CD-CLI-1' } });
    const record = { ...(change.record as NotificationRecord), state: 'failed' as const, attempts: 10, lastError: 'unreachable: connect ECONNREFUSED' };
    await vault.access.storage().records.commit([{ ...change, record }]);
    return change.id;
  } finally {
    await vault.close();
  }
}

beforeAll(async () => {
  server = await startMailServer({ users: { desk: SMTP_PASSWORD } });
  expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('carddesk notify', () => {
  it('sets SMTP with a read password, sends a test, sets the SMS gateway, lists, retries and sends a failed message', async () => {
    const set = await cd(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--user', 'desk', '--from', 'desk@carddesk.example', '--name', 'CardDesk'], `${PASSPHRASE}\n${SMTP_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('password set');
    expect(set.stdout + set.stderr).not.toContain(SMTP_PASSWORD);
    const shown = await cd(['notify', 'smtp', '--json'], '');
    expect(JSON.parse(shown.stdout)).toMatchObject({ smtp: { host: '127.0.0.1', port: server.port, user: 'desk', passwordSet: true } });
    expect(shown.stdout).not.toContain(SMTP_PASSWORD);

    const test = await cd(['notify', 'test', '--to', 'ops@example.org', '--language', 'nl']);
    expect(test.code, test.stderr).toBe(0);
    expect(server.received.map((m) => m.parsed.subject)).toEqual([notificationTexts.nl.kinds.test.subject]);
    expect(test.stdout).toContain(server.received[0]!.messageId);

    const sms = await cd(['notify', 'sms', '--url', 'http://127.0.0.1:1/send', '--method', 'POST', '--template', '{"to":"{{to}}","text":"{{text}}"}'], '');
    expect(sms.code, sms.stderr).toBe(0);
    expect(sms.stdout).toContain('POST http://127.0.0.1:1/send');

    // A message given up after its last try, as the sender leaves one (put in the vault the way the outbox does).
    const failedId = await seedFailedMessage();
    const failed = await cd(['notify', 'outbox', '--failed', '--json'], '');
    expect(failed.code, failed.stderr).toBe(0);
    const listed = JSON.parse(failed.stdout) as { messages: { id: string; state: string; lastError: string; messageId: string }[]; counts: { failed: number } };
    expect(listed.counts.failed).toBe(1);
    expect(listed.messages).toEqual([expect.objectContaining({ id: failedId, state: 'failed', lastError: 'unreachable: connect ECONNREFUSED' })]);
    const text = await cd(['notify', 'outbox'], '');
    expect(text.stdout).toContain('failed');
    expect(text.stdout).toContain('ada@example.org');

    const unknown = await cd(['notify', 'retry', 'no-such-message'], '');
    expect(unknown.code).not.toBe(0);
    const retry = await cd(['notify', 'retry', failedId], '');
    expect(retry.code, retry.stderr).toBe(0);
    const send = await cd(['notify', 'send']);
    expect(send.code, send.stderr).toBe(0);
    expect(send.stdout).toMatch(/^1 sent/);
    const delivered = server.received.find((m) => m.messageId === listed.messages[0]!.messageId);
    expect(delivered?.parsed.subject).toBe(notificationTexts.it.kinds.cardSuspended.subject);
    expect(delivered?.envelopeTo).toEqual(['ada@example.org']);
    expect(await unrecordedCommands('notify-cli', (args) => cd(args, ''))).toEqual([]);
  }, 240_000);
});
