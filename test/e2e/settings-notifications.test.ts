/**
 * Settings → Notifications on the desk (issue 15 §6), in Chromium against browser mode, with a
 * real SMTP server on 127.0.0.1 (smtp-server, messages parsed with mailparser) that asks for a
 * user name and password:
 *
 * - the SMTP settings typed and saved (security none, sender address and name, user, password):
 *   the password is never shown again (the field is empty, the desk says one is set, before and
 *   after a reload); "send test message" says it was accepted and the server received it, from
 *   the sender, signed in as the user;
 * - pointed at a closed port, the test says why it failed and nothing arrives;
 * - a one-time code queued for a holder while the port is closed: the outbox shows it waiting
 *   with its error. The hours of backoff until the sender gives up are run with a controlled
 *   clock (the desk stopped, the real sender against the closed port, then the desk started
 *   again on the same vault); the message then shows failed under "only messages that could not
 *   be sent", with "Try again". Saved with the right port, "Try again" delivers it with the
 *   Message-ID it was queued with, the row shows sent, and the code never appears on the page.
 *   The panel is checked with axe, and its words in Dutch.
 */
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import { notificationsTestIds as ids } from '../../renderer/src/features/settings/NotificationsPanel';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { silentLogger } from '../../electron/core/log/logger';
import { notificationTexts } from '../../electron/core/notify/notification-texts';
import { createNotifyServices } from '../../electron/core/notify/notify-services';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import type { NotifyOutbox, OutboxMessage } from '../../electron/shared/schemas/account-notify';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { openHostSession } from '../support/host-session';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { deskCall, pageTextAndAttributes } from '../support/kiosk-desk';
import { startMailServer, type MailServer } from '../support/mail-server';
import { holderInput, operator, PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SMTP_USER = 'desk-relay';
const SMTP_PASSWORD = 'Relay-e2e-Pa55-9f3k';
const FROM_ADDRESS = 'carddesk@desk.example';
const FROM_NAME = 'CardDesk Helpdesk';
const HOLDER_EMAIL = 'ada.notify@example.org';
const TEST_TO = 'ops@example.org';
const hostEnv = { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' };
const t = en.account.notifications;

const home = freshHome('carddesk-e2e-notify-');
let host: HostProcess;
let browser: Browser;
let server: MailServer;
let closedPort = 0;

/** A port nothing listens on: taken from the system, then let go. */
async function closedLocalPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  server = await startMailServer({ users: { [SMTP_USER]: SMTP_PASSWORD } });
  closedPort = await closedLocalPort();
  host = await startHostProcess({ home, env: hostEnv });
  const session = await openHostSession(host);
  try {
    expect((await session.call('vault:init', { passphrase: PASSPHRASE })).envelope).toMatchObject({ ok: true });
    const created = await session.call('holders:create', holderInput(1, { email: HOLDER_EMAIL, firstName: 'Ada', lastName: 'Notify' }));
    expect(created.envelope).toMatchObject({ ok: true });
  } finally {
    session.close();
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await server?.close();
});

async function notificationsPanel(page: Page): Promise<void> {
  await page.goto(`${host.url}#/settings`);
  await page.getByTestId(ids.panel).waitFor();
  // Loaded: the save button is enabled once the settings came.
  await expect.poll(() => page.getByTestId(ids.smtpSave).isEnabled(), { timeout: 20_000 }).toBe(true);
}

async function saveSmtp(page: Page, fields: { port: number; user?: string; password?: string; withSender?: boolean }): Promise<void> {
  await page.getByTestId(ids.smtpHost).fill('127.0.0.1');
  await page.getByTestId(ids.smtpSecurity).click();
  await page.getByRole('option', { name: t.securities.none }).click();
  await page.getByRole('listbox').waitFor({ state: 'detached' });
  await page.getByTestId(ids.smtpPort).fill(String(fields.port));
  if (fields.user !== undefined) await page.getByTestId(ids.smtpUser).fill(fields.user);
  if (fields.password !== undefined) await page.getByTestId(ids.smtpPassword).fill(fields.password);
  if (fields.withSender === true) {
    await page.getByTestId(ids.smtpFrom).fill(FROM_ADDRESS);
    await page.getByTestId(ids.smtpName).fill(FROM_NAME);
  }
  await page.getByTestId(ids.smtpSave).click();
  const message = page.getByTestId(ids.message);
  await expect.poll(() => message.textContent()).toBe(t.saved);
  expect(await message.getAttribute('data-severity')).toBe('success');
  await page.getByTestId(ids.message).getByRole('button').click();
  await message.waitFor({ state: 'detached' });
}

async function outboxMessages(page: Page): Promise<OutboxMessage[]> {
  return (await deskCall<NotifyOutbox>(page, 'notify', 'outbox', { failed: false })).messages;
}

/**
 * What the sender does over the hours after a failure, with a controlled clock: the desk is
 * stopped (it holds the vault), the vault opened here as the desk opens it, and the real sender
 * drains against the saved (closed) port while the clock moves on, until it gives up.
 */
async function runBackoffUntilGivenUp(): Promise<void> {
  const audit = createDeskAuditLog(home, { log: silentLogger });
  await audit.open();
  const vault = createVaultServices({ dataDir: home, audit, log: silentLogger, auditSigning: audit });
  try {
    vault.access.storage();
    await vault.syncAudit();
    await vault.vault.unlockOrThrow(Buffer.from(PASSPHRASE), operator, 'e2e-notify-backoff');
    let now = Date.now();
    const notify = createNotifyServices({ vault, log: silentLogger, clock: () => new Date(now) });
    for (let round = 0; round < 30 && notify.outbox.counts().failed === 0; round += 1) {
      now += 2 * 60 * 60_000;
      await notify.sender.drain();
    }
    expect(notify.outbox.counts()).toMatchObject({ failed: 1, sent: 0 });
    await notify.stop();
  } finally {
    await vault.close();
    await audit.close();
  }
}

describe('Settings → Notifications at the desk', () => {
  it('saves the SMTP server, never shows its password, and sends a test message the server receives', async () => {
    const { page } = await openPage(browser);
    await notificationsPanel(page);
    expect(await page.getByTestId(ids.panel).getByRole('heading', { level: 2 }).textContent()).toBe(t.title);
    await expect.poll(() => page.getByTestId(ids.panel).textContent()).toContain(t.passwordNotSet);

    await saveSmtp(page, { port: server.port, user: SMTP_USER, password: SMTP_PASSWORD, withSender: true });
    expect(await page.getByTestId(ids.smtpPassword).inputValue()).toBe('');
    expect(await page.getByTestId(ids.panel).textContent()).toContain(t.passwordSet);
    expect(await pageTextAndAttributes(page)).not.toContain(SMTP_PASSWORD);

    await page.reload();
    await page.getByTestId(ids.panel).waitFor();
    await expect.poll(() => page.getByTestId(ids.smtpHost).inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId(ids.smtpPort).inputValue()).toBe(String(server.port));
    expect(await page.getByTestId(ids.smtpSecurity).textContent()).toContain(t.securities.none);
    expect(await page.getByTestId(ids.smtpUser).inputValue()).toBe(SMTP_USER);
    expect(await page.getByTestId(ids.smtpFrom).inputValue()).toBe(FROM_ADDRESS);
    expect(await page.getByTestId(ids.smtpName).inputValue()).toBe(FROM_NAME);
    expect(await page.getByTestId(ids.smtpPassword).inputValue()).toBe('');
    expect(await page.getByTestId(ids.panel).textContent()).toContain(t.passwordSet);
    expect(await pageTextAndAttributes(page)).not.toContain(SMTP_PASSWORD);
    expect(await page.content()).not.toContain(SMTP_PASSWORD);

    const before = server.received.length;
    await page.getByTestId(ids.testTo).fill(TEST_TO);
    await page.getByTestId(ids.testSend).click();
    const result = page.getByTestId(ids.testResult);
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect(await result.textContent()).toBe(t.testSent.replace('{{to}}', TEST_TO));
    expect(server.received).toHaveLength(before + 1);
    const mail = server.received[before]!;
    expect(mail.envelopeTo).toEqual([TEST_TO]);
    expect(mail.parsed.subject).toBe(notificationTexts.en.kinds.test.subject);
    expect(mail.parsed.from?.value).toEqual([{ address: FROM_ADDRESS, name: FROM_NAME }]);
    expect(mail.user).toBe(SMTP_USER);

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('pointed at a closed port, the test message fails with its reason and nothing arrives', async () => {
    const { page } = await openPage(browser);
    await notificationsPanel(page);
    await saveSmtp(page, { port: closedPort });
    expect(await page.getByTestId(ids.panel).textContent()).toContain(t.passwordSet);

    const before = server.received.length;
    await page.getByTestId(ids.testTo).fill(TEST_TO);
    await page.getByTestId(ids.testSend).click();
    const result = page.getByTestId(ids.testResult);
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 30_000 }).toBe('false');
    const text = (await result.textContent()) ?? '';
    // A connection refused is "could not be reached", followed by what the connection said.
    expect(text.startsWith(`${t.failures.unreachable} (`)).toBe(true);
    expect(text.length).toBeGreaterThan(t.failures.unreachable.length + 3);
    expect(text).not.toContain(t.testSent.split('{{to}}')[0]!);
    expect(server.received).toHaveLength(before);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('shows a holder message that could not be sent in the outbox, and Try again delivers it once the server is right', async () => {
    const before = server.received.length;
    let watched = await openPage(browser);
    let page = watched.page;
    await notificationsPanel(page);

    // A holder asks for their lost information: a one-time code is queued to their address.
    expect(await deskCall(page, 'account', 'lostInfoBegin', { personalNumber: personalNumber(1), email: HOLDER_EMAIL })).toMatchObject({ ok: true });
    let queued: OutboxMessage | undefined;
    await expect
      .poll(
        async () => {
          queued = (await outboxMessages(page)).find((m) => m.to === HOLDER_EMAIL);
          return queued !== undefined && queued.attempts >= 1 && queued.lastError !== null;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const message = queued!;
    expect(message).toMatchObject({ kind: 'oneTimeCode', state: 'queued', channel: 'email' });

    // Not failed yet (it is tried again): only in the full list, waiting, with its error.
    await page.reload();
    await page.getByTestId(ids.panel).waitFor();
    await expect.poll(() => page.getByTestId(ids.panel).textContent()).toContain(t.noFailures);
    await page.getByTestId(ids.outboxFailedOnly).setChecked(false);
    const waiting = page.getByTestId(ids.outboxRow).filter({ hasText: HOLDER_EMAIL });
    await expect.poll(() => waiting.getAttribute('data-state')).toBe('queued');
    const lastError = (await outboxMessages(page)).find((m) => m.id === message.id)?.lastError ?? '';
    expect(lastError).not.toBe('');
    expect(await waiting.textContent()).toContain(lastError);
    expect(await waiting.textContent()).toContain(t.states.queued);
    expect(await waiting.textContent()).toContain(t.kinds.oneTimeCode);
    expect(server.received).toHaveLength(before);
    await page.context().close();

    // Hours of retries against the closed port, then the desk again on the same vault.
    await host.stop();
    await runBackoffUntilGivenUp();
    host = await startHostProcess({ home, env: hostEnv });
    watched = await openPage(browser);
    page = watched.page;
    await page.goto(host.url);
    await page.waitForFunction(() => 'carddesk' in window);
    await deskCall(page, 'vault', 'unlock', { passphrase: PASSPHRASE });
    await notificationsPanel(page);

    // Failed: shown under "only messages that could not be sent", with its error and Try again.
    const failedRow = page.getByTestId(ids.outboxRow).filter({ hasText: HOLDER_EMAIL });
    await expect.poll(() => failedRow.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');
    expect(await page.getByTestId(ids.outboxFailedOnly).isChecked()).toBe(true);
    const failed = (await deskCall<NotifyOutbox>(page, 'notify', 'outbox', { failed: true })).messages;
    expect(failed.map((m) => m.id)).toEqual([message.id]);
    expect(await failedRow.textContent()).toContain(failed[0]!.lastError ?? '(no error)');
    expect(await failedRow.textContent()).toContain(t.states.failed);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The server put right, the message tried again from the row.
    await saveSmtp(page, { port: server.port });
    await failedRow.getByTestId(ids.outboxRetry).click();
    await expect.poll(() => page.getByTestId(ids.message).textContent()).toBe(t.retried);
    await expect.poll(() => server.received.length, { timeout: 45_000 }).toBe(before + 1);
    const mail = server.received[before]!;
    expect(mail.envelopeTo).toEqual([HOLDER_EMAIL]);
    expect(mail.parsed.subject).toBe(notificationTexts.en.kinds.oneTimeCode.subject);
    expect(mail.messageId).toBe(message.messageId);
    expect(mail.user).toBe(SMTP_USER);
    // The code as the message gives it: right after the words that lead to it.
    const lead = notificationTexts.en.kinds.oneTimeCode.lead({ code: '\u0000' }).split('\u0000')[0]!;
    const text = mail.parsed.text ?? '';
    expect(text).toContain(lead);
    const code = /^\d+/.exec(text.slice(text.indexOf(lead) + lead.length))?.[0];
    expect(code).toMatch(/^\d{6}$/);

    await expect.poll(async () => (await outboxMessages(page)).find((m) => m.id === message.id)?.state, { timeout: 20_000 }).toBe('sent');
    await page.reload();
    await page.getByTestId(ids.panel).waitFor();
    await expect.poll(() => page.getByTestId(ids.panel).textContent()).toContain(t.noFailures);
    await page.getByTestId(ids.outboxFailedOnly).setChecked(false);
    const sentRow = page.getByTestId(ids.outboxRow).filter({ hasText: HOLDER_EMAIL });
    await expect.poll(() => sentRow.getAttribute('data-state')).toBe('sent');
    expect(await sentRow.textContent()).toContain(t.states.sent);
    expect(await sentRow.getByTestId(ids.outboxRetry).count()).toBe(0);
    expect(await page.content()).not.toContain(code!);
    expect(await pageTextAndAttributes(page)).not.toContain(code!);
    expect(await pageTextAndAttributes(page)).not.toContain(SMTP_PASSWORD);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(watched.errors).toEqual([]);

    // The same panel in Dutch.
    await page.evaluate(() => localStorage.setItem('carddesk.language', 'nl'));
    await page.reload();
    await page.getByTestId(ids.panel).waitFor();
    await expect.poll(() => page.getByTestId(ids.panel).getByRole('heading', { level: 2 }).textContent()).toBe(nl.account.notifications.title);
    await page.getByTestId(ids.outboxFailedOnly).setChecked(false);
    await expect.poll(() => sentRow.textContent()).toContain(nl.account.notifications.states.sent);
    expect(await page.getByTestId(ids.smtpSave).textContent()).toBe(nl.account.notifications.saveSmtp);
    await page.context().close();
  }, 180_000);
});
