/**
 * The recovery-code unblock at the kiosk through its screens (browser mode with --kiosk,
 * Chromium) on a virtual PIV card in a vpcd reader of the real pcscd (issue 15): the holder first
 * verifies their email at the kiosk (a one-time code by real SMTP to a local server), then forgets
 * the PIN and blocks it on the pad; they choose "Unblock with my recovery code", type the code from
 * the recovery-code letter, then the one-time code from the mail, then a new PIN twice on the pad;
 * the desk unblocks with RESET RETRY COUNTER and the sealed PUK; the holder then signs in with the
 * new PIN, a new recovery code waits in the outbox, and the "PIN unblocked" mail carries no code.
 * Then, without the card, "my card was stolen": the code by mail, every certificate on hold at once.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CardInReader } from '../support/card-in-reader';
import { freshHome, type HostProcess } from '../support/host-process';
import { cliOn, enterOnPad, issueCard, openKioskBesideDesk } from '../support/kiosk-rig';
import { deskCall } from '../support/kiosk-desk';
import { Pcscd } from '../support/pcscd';
import { startMailServer, type MailServer } from '../support/mail-server';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50603001';
const NEW_PIN = '583920';

let pcscd: Pcscd;
let card: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let page: Page;
let desk: Page;
let holderId = '';
let recoveryCode = '';
let pin = '';
let mail: MailServer;

const letterText = (fileName: string): string => execFileSync('pdftotext', ['-layout', join(home, 'outbox', fileName), '-'], { encoding: 'utf8' });

/** The messages the SMTP server accepted for `to`, in order. */
const mailsTo = (to: string) => mail.received.filter((m) => m.envelopeTo.includes(to));

/** Waits for a one-time code mail to `to` after the first `seen` mails, and gives its code. */
async function nextCode(to: string, seen: number): Promise<string> {
  const codeIn = (): string | null => {
    for (const m of mailsTo(to).slice(seen)) {
      if (m.parsed.subject !== 'Your one-time code') continue;
      const code = /one-time code is (\d{6})\b/.exec(m.parsed.text ?? '')?.[1];
      if (code !== undefined) return code;
    }
    return null;
  };
  await expect.poll(codeIn, { timeout: 60_000 }).not.toBeNull();
  return codeIn()!;
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-recovery-');
  const cli = cliOn(home);
  mail = await startMailServer();
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Recovery Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Recovery Issuing, O=CardDesk Test']);
  await cli(['card', 'policy', '--activation', 'at-issuance']);
  await cli(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(mail.port), '--security', 'none', '--from', 'desk@carddesk.example', '--name', 'CardDesk']);
  await cli(['holder', 'add', '--personal-number', personalNumber(631), '--first-name', 'Rita', '--last-name', 'Recover', '--email', 'rita@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const issued = await issueCard(cli, home, card, 631);
  recoveryCode = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(letterText(issued.letters.find((l) => l.kind === 'recoveryCode')!.fileName))![1]!;
  pin = issued.pin;
  await card.remove();
  holderId = (JSON.parse((await cli(['holder', 'show', personalNumber(631), '--json'], '')).stdout) as { holder: { id: string } }).holder.id;

  ({ host, browser, desk, page } = await openKioskBesideDesk(home));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
  await mail?.close();
});

describe('unblock with the recovery code at the kiosk', () => {
  it('the holder verifies their email at the kiosk with a code that came by mail', async () => {
    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 30_000 });
    await enterOnPad(page, pin);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 30_000 });
    await page.getByTestId('kiosk-tab-account').click();
    const before = mailsTo('rita@example.org').length;
    await page.getByTestId('kiosk-account-contact-verify-email').click();
    await page.getByTestId('kiosk-account-contact-sent').waitFor({ timeout: 30_000 });
    const code = await nextCode('rita@example.org', before);
    await page.getByTestId('kiosk-account-contact-new-code').fill(code);
    await page.getByTestId('kiosk-account-contact-confirm').click();
    await page.getByTestId('kiosk-account-contact-message').waitFor({ timeout: 30_000 });
    const shown = await deskCall<{ emailVerified: boolean }>(desk, 'account', 'contact', { id: holderId });
    expect(shown.emailVerified).toBe(true);
    await card.remove();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
  }, 120_000);

  it('recovery code → one-time code by mail → new PIN on the pad; then the holder signs in with the new PIN', async () => {
    // The holder forgot the PIN: wrong ones on the pad until the card blocks it.
    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 30_000 });
    const wrong = pin === '99999999' ? '88888888' : '99999999';
    for (let i = 0; i < 10 && (await page.getByTestId('kiosk-unblock').count()) === 0; i += 1) {
      await enterOnPad(page, wrong);
      await Promise.race([page.getByTestId('kiosk-unblock').waitFor({ timeout: 20_000 }), page.getByTestId('kiosk-tries-left').waitFor({ timeout: 20_000 })]).catch(() => undefined);
    }
    await page.getByTestId('kiosk-unblock').waitFor({ timeout: 30_000 });
    await page.getByTestId('kiosk-unblock-recovery').click();
    // A mistyped character is caught by the check character.
    const compact = recoveryCode.replace(/-/g, '');
    await page.getByTestId('kiosk-recovery-code').fill(`${compact.slice(0, 4)}${compact[4] === '7' ? '8' : '7'}${compact.slice(5)}`);
    await page.getByTestId('kiosk-recovery-next').click();
    await expect.poll(() => page.getByTestId('kiosk-recovery-problem').textContent()).toContain('mistyped');
    await page.getByTestId('kiosk-recovery-code').fill(recoveryCode.toLowerCase().replace(/-/g, ' '));
    await page.getByTestId('kiosk-recovery-next').click();
    const seen = mailsTo('rita@example.org').length;
    await page.locator('[data-testid="kiosk-recovery"][data-stage="otp"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('kiosk-recovery-otp').fill(await nextCode('rita@example.org', seen));
    await page.getByTestId('kiosk-recovery-otp-next').click();
    await enterOnPad(page, NEW_PIN);
    await enterOnPad(page, NEW_PIN);
    await page.getByTestId('kiosk-unblock-done').waitFor({ timeout: 30_000 });
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toContain(NEW_PIN);
    expect(shown.replace(/[\s-]/g, '').toUpperCase()).not.toContain(compact);

    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    await enterOnPad(page, NEW_PIN);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 30_000 });

    // The old recovery code works no more: a new letter waits in the outbox, the unsent first one is withdrawn.
    const letters = await deskCall<{ kind: string; state: string }[]>(desk, 'letters', 'list', { holderId });
    expect(letters.filter((l) => l.kind === 'recoveryCode').map((l) => l.state).sort()).toEqual(['waiting', 'withdrawn']);
    // The holder was told by mail, in words, without the recovery code (old or new) or the PIN.
    await expect.poll(() => mailsTo('rita@example.org').length, { timeout: 60_000 }).toBeGreaterThan(seen + 1);
    const after = mailsTo('rita@example.org').slice(seen + 1).map((m) => `${m.parsed.subject ?? ''}\n${m.parsed.text ?? ''}`);
    expect(after.join('\n')).toMatch(/unblock/i);
    for (const text of after) {
      expect(text.replace(/[\s-]/g, '').toUpperCase()).not.toContain(compact);
      expect(text).not.toContain(NEW_PIN);
    }
  }, 180_000);
  it('"my card was stolen" without the card: personal number, the code by mail, every certificate on hold at once (the CRL says so)', async () => {
    await card.remove();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-stolen-start').click();
    // An unknown number gets the same answer, and no mail goes anywhere.
    const before = mail.received.length;
    await page.getByTestId('kiosk-stolen-number').fill(personalNumber(699));
    await page.getByTestId('kiosk-stolen-next').click();
    await page.getByTestId('kiosk-stolen-code-sent').waitFor({ timeout: 20_000 });
    const unknownAnswer = await page.getByTestId('kiosk-stolen-code-sent').textContent();
    await page.getByTestId('kiosk-stolen-cancel').click();
    await page.getByTestId('kiosk-stolen-start').click();
    const seen = mailsTo('rita@example.org').length;
    await page.getByTestId('kiosk-stolen-number').fill(personalNumber(631));
    await page.getByRole('button', { name: '14 days', exact: true }).click();
    await page.getByTestId('kiosk-stolen-next').click();
    await page.getByTestId('kiosk-stolen-code-sent').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-stolen-code-sent').textContent()).toBe(unknownAnswer);
    const code = await nextCode('rita@example.org', seen);
    expect(mail.received.slice(before).every((m) => m.envelopeTo.includes('rita@example.org')), 'a mail for the unknown number').toBe(true);
    // A wrong code suspends nothing.
    await enterOnPad(page, code === '000000' ? '111111' : '000000');
    await expect.poll(() => page.getByTestId('kiosk-stolen-problem').getAttribute('data-reason')).toBe('wrongCode');
    const valid = await deskCall<{ items: { status: string; cardSerial: string | null }[] }>(desk, 'certificates', 'list', { holderId, limit: 100 });
    expect(valid.items.filter((c) => c.cardSerial === SERIAL).every((c) => c.status === 'valid')).toBe(true);
    await enterOnPad(page, code);
    await page.getByTestId('kiosk-stolen-done').waitFor({ timeout: 30_000 });
    const held = await deskCall<{ items: { serial: string; status: string; reason: string | null; cardSerial: string | null }[] }>(desk, 'certificates', 'list', { holderId, limit: 100 });
    const ofCard = held.items.filter((c) => c.cardSerial === SERIAL);
    expect(ofCard.length).toBe(4);
    for (const certificate of ofCard) expect([certificate.status, certificate.reason]).toEqual(['suspended', 'certificateHold']);
    const crl = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', join(home, 'crl', 'ca.crl'), '-noout', '-text'], { encoding: 'utf8' });
    for (const certificate of ofCard) expect(crl).toMatch(new RegExp(`Serial Number: ${certificate.serial}[\\s\\S]*?Certificate Hold`));
    await page.getByTestId('kiosk-stolen-cancel').click();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
  }, 180_000);
});
