/**
 * Lost info (issue 15 §2), without a card, at the kiosk and at the desk, with mail through a real
 * SMTP server on 127.0.0.1: an unknown personal number gets the same answer as a known one and no
 * mail goes anywhere; for a known one a one-time code arrives in the holder's language, a wrong
 * code is refused, and the right one has the user number mailed (in Dutch, the holder's language)
 * or — at the desk, the holder reading the code out to the operator — a new recovery code issued
 * in its own letter. Real parts: a browser-mode host with `--kiosk`, its desk page, the SMTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import { notificationTexts } from '../../electron/core/notify/notification-texts';
import { freshHome } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';
import { cliOn, openKioskBesideDesk, type KioskBesideDesk } from '../support/kiosk-rig';
import { startMailServer, type MailServer } from '../support/mail-server';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const EMAIL = 'lotte@example.org';

let pcscd: Pcscd;
let mail: MailServer;
let kiosk: KioskBesideDesk;
let holder: { id: string; userNumber: string };

const mailsTo = (to: string) => mail.received.filter((m) => m.envelopeTo.includes(to));

/** Waits for a one-time code mail (in Dutch) to the holder after the first `seen`, and gives its code. */
async function nextCode(seen: number): Promise<string> {
  const { subject } = notificationTexts.nl.kinds.oneTimeCode;
  const codeIn = (): string | null => {
    for (const m of mailsTo(EMAIL).slice(seen)) if (m.parsed.subject === subject) return /\b(\d{6})\b/.exec(m.parsed.text ?? '')?.[1] ?? null;
    return null;
  };
  await expect.poll(codeIn, { timeout: 60_000 }).not.toBeNull();
  return codeIn()!;
}

/** Fills the lost-info form under `prefix` on `page` and sends it. */
async function ask(page: Page, prefix: string, number: string, email: string): Promise<void> {
  await page.getByTestId(`${prefix}-personal-number`).fill(number);
  await page.getByTestId(`${prefix}-email`).fill(email);
  await page.getByTestId(`${prefix}-send`).click();
  await page.getByTestId(`${prefix}-sent`).waitFor({ timeout: 20_000 });
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  const home = freshHome('carddesk-lost-info-');
  const cli = cliOn(home);
  mail = await startMailServer();
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(mail.port), '--security', 'none', '--from', 'desk@carddesk.example', '--name', 'CardDesk']);
  await cli(['holder', 'add', '--personal-number', personalNumber(641), '--first-name', 'Lotte', '--last-name', 'Verloren', '--email', EMAIL, '--language', 'nl'], '');
  holder = (JSON.parse((await cli(['holder', 'show', personalNumber(641), '--json'], '')).stdout) as { holder: { id: string; userNumber: string } }).holder;
  kiosk = await openKioskBesideDesk(home);
}, 240_000);

afterAll(async () => {
  await kiosk?.browser.close();
  await kiosk?.host.stop();
  await mail?.close();
  await pcscd?.stop();
});

describe('lost info', () => {
  it('at the kiosk: the same answer for an unknown person and no mail for it; the code by mail, a wrong one refused, the user number mailed in Dutch', async () => {
    const { page } = kiosk;
    const before = mail.received.length;
    await page.getByTestId('kiosk-lost-info').click();
    await ask(page, 'kiosk-lost-info', personalNumber(999), 'nobody@example.org');
    const unknownAnswer = await page.getByTestId('kiosk-lost-info-sent').textContent();
    expect(unknownAnswer).toBe(en.account.lostInfo.sent);
    // Whatever is typed for a flow that matched no one is a wrong code.
    await page.getByTestId('kiosk-lost-info-code').fill('123456');
    await page.getByTestId('kiosk-lost-info-confirm').click();
    await expect.poll(() => page.getByTestId('kiosk-lost-info-message').textContent(), { timeout: 20_000 }).toBe(en.account.lostInfo.wrongCode);
    await page.getByTestId('kiosk-lost-info-close').click();

    await page.getByTestId('kiosk-lost-info').click();
    await ask(page, 'kiosk-lost-info', personalNumber(641), EMAIL.toUpperCase());
    expect(await page.getByTestId('kiosk-lost-info-sent').textContent(), 'the answer tells who exists').toBe(unknownAnswer);
    const code = await nextCode(0);
    expect(mail.received.slice(before).every((m) => m.envelopeTo.includes(EMAIL)), 'a mail for the unknown person').toBe(true);
    await page.getByTestId('kiosk-lost-info-code').fill(code === '000000' ? '111111' : '000000');
    await page.getByTestId('kiosk-lost-info-confirm').click();
    await expect.poll(() => page.getByTestId('kiosk-lost-info-message').textContent(), { timeout: 20_000 }).toBe(en.account.lostInfo.wrongCode);
    await page.getByTestId('kiosk-lost-info-code').fill(code);
    await page.getByTestId('kiosk-lost-info-choice-userNumber').check();
    await page.getByTestId('kiosk-lost-info-confirm').click();
    await expect.poll(() => page.getByTestId('kiosk-lost-info-message').textContent(), { timeout: 20_000 }).toBe(en.account.lostInfo.doneUserNumber);

    const { subject } = notificationTexts.nl.kinds.userNumber;
    await expect.poll(() => mailsTo(EMAIL).filter((m) => m.parsed.subject === subject).length, { timeout: 60_000 }).toBe(1);
    const sent = mailsTo(EMAIL).find((m) => m.parsed.subject === subject)!;
    expect(sent.parsed.text).toContain(holder.userNumber);
    expect(sent.parsed.text).toContain('Lotte Verloren');
    // The code was used: it is in its own mail only, never in the user-number mail.
    expect(sent.parsed.text).not.toContain(code);
    expect(kiosk.watched.errors).toEqual([]);
  }, 180_000);

  it('at the desk (Users → Lost information, in Dutch): the code the holder reads out issues a new recovery code in its own letter', async () => {
    const { desk } = kiosk;
    await desk.evaluate(() => localStorage.setItem('carddesk.language', 'nl'));
    await desk.goto(`${kiosk.host.deskUrl}#/users`);
    await desk.getByTestId('desk-lost-info').click();
    await desk.getByTestId('desk-lost-info-dialog').waitFor({ timeout: 20_000 });
    const seen = mailsTo(EMAIL).length;
    await ask(desk, 'desk-lost-info', personalNumber(641), EMAIL);
    expect(await desk.getByTestId('desk-lost-info-sent').textContent()).toBe(nl.users.lostInfo.sent);
    const code = await nextCode(seen);
    await desk.getByTestId('desk-lost-info-code').fill(code);
    await desk.getByTestId('desk-lost-info-choice-recoveryCode').check();
    await desk.getByTestId('desk-lost-info-confirm').click();
    await expect.poll(() => desk.getByTestId('desk-lost-info-message').textContent(), { timeout: 20_000 }).toBe(nl.users.lostInfo.doneRecoveryCode);
    await desk.getByTestId('desk-lost-info-close').click();

    const letters = await deskCall<{ kind: string; state: string }[]>(desk, 'letters', 'list', { holderId: holder.id });
    expect(letters.filter((letter) => letter.kind === 'recoveryCode' && letter.state === 'waiting')).toHaveLength(1);
    // The holder is told by mail that a new code was issued, without the code.
    const { subject } = notificationTexts.nl.kinds.recoveryCodeIssued;
    await expect.poll(() => mailsTo(EMAIL).slice(seen).filter((m) => m.parsed.subject === subject).length, { timeout: 60_000 }).toBe(1);
    const events = await deskCall<{ entries: { action: string; outcome: string; channel: string; details: Record<string, unknown> }[] }>(desk, 'audit', 'query', { holderId: holder.id, limit: 200 });
    const completed = events.entries.filter((entry) => entry.action === 'account.lostInfo' && entry.outcome === 'success' && entry.details['stage'] === 'complete');
    expect(completed.map((entry) => [entry.channel, entry.details['choice']]).sort()).toEqual([
      ['desk', 'recoveryCode'],
      ['kiosk', 'userNumber'],
    ]);
  }, 180_000);
});
