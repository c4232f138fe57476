/**
 * Verified contact data at the kiosk (issue 15 §3), end to end on real parts: a virtual PIV card
 * in a vpcd reader of the real pcscd, a browser-mode host with `--kiosk` in Chromium, and a real
 * SMTP server on 127.0.0.1. An Italian-speaking holder signs in with the PIN pad and changes the
 * email on the Account tab: one one-time code comes by mail to the old address and one to the new;
 * swapped or wrong codes are refused and change nothing; the right pair changes it (verified), and
 * "changed" goes to the new address, "changed (old)" to the old one, in Italian, without any code.
 * The next change is refused for six days, the screen naming the day; no code stays in the page
 * and the audit has the change from the kiosk without any code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CONTACT_COOLDOWN_MS, maskContact } from '../../electron/core/account/contact-service';
import { notificationTexts } from '../../electron/core/notify/notification-texts';
import en from '../../renderer/src/i18n/locales/en.json';
import { kioskContactTestIds as ids } from '../../renderer/src/features/kiosk/account/kioskAccountTestIds';
import type { WatchedPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { freshHome, type HostProcess } from '../support/host-process';
import { cliOn, issueActiveCard, openKioskBesideDesk } from '../support/kiosk-rig';
import { deskCall } from '../support/kiosk-desk';
import { Pcscd } from '../support/pcscd';
import { startMailServer, type MailServer, type ReceivedMail } from '../support/mail-server';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50645001';
const HOLDER = 645;
const OLD_EMAIL = 'old@example.org';
const NEW_EMAIL = 'new@example.org';
const THIRD_EMAIL = 'third@example.org';
const italian = notificationTexts.it.kinds;

let pcscd: Pcscd;
let card: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let page: Page;
let desk: Page;
let kiosk: WatchedPage;
let holderId = '';
let pin = '';
let mail: MailServer;
/** How many mails the server had before the holder began the change. */
let mailsBefore = 0;
/** Every one-time code the holder typed (right or wrong) and every code that came by mail. */
const typedCodes = new Set<string>();
/** The two codes of the change, once they came. */
let oldCode = '';
let newCode = '';
/** When the right pair was confirmed: the change happened between these two instants. */
let confirmedFrom = 0;
let confirmedTo = 0;

interface ContactView {
  email: string;
  emailVerified: boolean;
  cooldownUntil: string | null;
  secondFactor: boolean;
}
interface AuditEntry {
  time: string;
  action: string;
  outcome: string;
  reason: string | null;
  channel: string;
  actor: { kind: string; id: string };
  details: Record<string, string | number | boolean>;
}

const contactOnDesk = () => deskCall<ContactView>(desk, 'account', 'contact', { id: holderId });
const auditOfHolder = async () => (await deskCall<{ entries: AuditEntry[] }>(desk, 'audit', 'query', { holderId, limit: 200 })).entries;
const mailsTo = (to: string): ReceivedMail[] => mail.received.filter((m) => m.envelopeTo.includes(to));
const mailText = (m: ReceivedMail): string => `${m.parsed.subject ?? ''}\n${m.parsed.text ?? ''}\n${typeof m.parsed.html === 'string' ? m.parsed.html : ''}`;
/** Six digits standing alone: what a one-time code looks like. */
const sixDigitRuns = (text: string): string[] => [...text.matchAll(/(?<!\d)(\d{6})(?!\d)/g)].map((m) => m[1]!);

/** `code` in `text`, not as part of a longer number. */
const standsIn = (text: string, code: string): boolean => new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);

/** Waits for an Italian one-time code mail to `to` among the mails after `seen`, and gives its code. */
async function codeMailTo(to: string, seen: number): Promise<string> {
  const codeIn = (): string | null => {
    for (const m of mailsTo(to).slice(seen)) {
      if (m.parsed.subject !== italian.oneTimeCode.subject) continue;
      const [code] = sixDigitRuns(m.parsed.text ?? '');
      if (code !== undefined) return code;
    }
    return null;
  };
  await expect.poll(codeIn, { timeout: 60_000 }).not.toBeNull();
  return codeIn()!;
}

/** A six-digit code that is neither of `avoid`. */
function otherCode(...avoid: string[]): string {
  for (let n = 135_792; ; n += 111_111) {
    const candidate = String(n % 1_000_000).padStart(6, '0');
    if (!avoid.includes(candidate)) return candidate;
  }
}

async function typeOnPad(on: Page, digits: string): Promise<void> {
  for (const digit of digits) await on.getByTestId(`kiosk-pin-key-${digit}`).click();
  await on.getByTestId('kiosk-pin-key-ok').click();
}

/** Types the two codes into the kiosk's fields and confirms; waits for the panel's answer. */
async function confirmCodes(old: string, fresh: string): Promise<string> {
  typedCodes.add(old);
  typedCodes.add(fresh);
  await page.getByTestId(ids.oldCode).fill(old);
  await page.getByTestId(ids.newCode).fill(fresh);
  await page.getByTestId(ids.confirm).click();
  // The answer is in once the panel is no longer busy (the form open again, or gone) and shows its message.
  const answered = (): Promise<boolean> =>
    page.evaluate(({ confirm, message }) => {
      const button = document.querySelector(`[data-testid="${confirm}"]`);
      return (button === null || !(button as HTMLButtonElement).disabled) && document.querySelector(`[data-testid="${message}"]`) !== null;
    }, { confirm: ids.confirm, message: ids.message });
  await expect.poll(answered, { timeout: 30_000 }).toBe(true);
  return (await page.getByTestId(ids.message).textContent()) ?? '';
}

/** The page's HTML (with the live values of its inputs) holds none of the codes typed so far. */
async function expectNoCodeInPage(): Promise<void> {
  const html = await page.content();
  const values = await page.evaluate(() => Array.from(document.querySelectorAll('input, textarea'), (e) => (e as HTMLInputElement).value).join('\n'));
  for (const code of typedCodes) {
    expect(standsIn(html, code), `a one-time code in the kiosk page's HTML`).toBe(false);
    expect(standsIn(values, code), `a one-time code left in a field of the kiosk page`).toBe(false);
  }
}

/** A date as the kiosk (English) writes it in long style, in the kiosk page's own time zone. */
const kioskLongDate = (iso: string): Promise<string> => page.evaluate((at) => new Intl.DateTimeFormat('en', { dateStyle: 'long' }).format(new Date(at)), iso);

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-contact-');
  const cli = cliOn(home);
  mail = await startMailServer();
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Contact Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Contact Issuing, O=CardDesk Test']);
  await cli(['card', 'policy', '--activation', 'at-issuance']);
  await cli(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(mail.port), '--security', 'none', '--from', 'desk@carddesk.example', '--name', 'CardDesk']);
  await cli(['holder', 'add', '--personal-number', personalNumber(HOLDER), '--first-name', 'Ottavia', '--last-name', 'Contatti', '--email', OLD_EMAIL, '--language', 'it'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  pin = (await issueActiveCard(cli, home, card, HOLDER)).pin;
  await card.remove();
  holderId = (JSON.parse((await cli(['holder', 'show', personalNumber(HOLDER), '--json'], '')).stdout) as { holder: { id: string } }).holder.id;

  ({ host, browser, desk, page, watched: kiosk } = await openKioskBesideDesk(home));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
  await mail?.close();
});

describe('the holder changes their email at the kiosk (issue 15 §3)', () => {
  it('a code to the old address and one to the new; swapped or wrong codes change nothing; the right pair changes and verifies it', async () => {
    expect(pin).toMatch(/^\d{6,8}$/);
    const before = await contactOnDesk();
    expect([before.email, before.secondFactor, before.cooldownUntil]).toEqual([OLD_EMAIL, false, null]);

    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 30_000 });
    await typeOnPad(page, pin);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 30_000 });
    await page.getByTestId('kiosk-tab-account').click();
    await expect.poll(() => page.getByTestId(ids.email).textContent(), { timeout: 20_000 }).toBe(OLD_EMAIL);
    expect(await page.getByTestId(ids.cooldown).textContent()).toBe(en.account.contact.cooldownNone);

    mailsBefore = mail.received.length;
    const seenOld = mailsTo(OLD_EMAIL).length;
    const seenNew = mailsTo(NEW_EMAIL).length;
    await page.getByTestId(ids.change('email')).click();
    await page.getByTestId(ids.newValue).fill(NEW_EMAIL);
    await page.getByTestId(ids.sendCodes).click();
    await page.getByTestId(ids.sent).waitFor({ timeout: 30_000 });
    // The screen names both addresses only in part.
    expect(await page.getByTestId(ids.sent).textContent()).toBe(
      en.account.contact.codesSentBoth.replace('{{old}}', maskContact('email', OLD_EMAIL)).replace('{{new}}', maskContact('email', NEW_EMAIL)),
    );
    expect(await page.getByTestId(ids.secondFactorCode).count()).toBe(0);

    // One code by real SMTP to each address, in Italian, each to its own address only.
    oldCode = await codeMailTo(OLD_EMAIL, seenOld);
    newCode = await codeMailTo(NEW_EMAIL, seenNew);
    typedCodes.add(oldCode);
    typedCodes.add(newCode);
    expect(oldCode).not.toBe(newCode);
    const codeMails = mail.received.slice(mailsBefore).filter((m) => m.parsed.subject === italian.oneTimeCode.subject);
    expect(codeMails.map((m) => m.envelopeTo).sort()).toEqual([[NEW_EMAIL], [OLD_EMAIL]]);

    const refusedWrong = en.account.contact.refused.wrongCode;
    const unchanged = async (): Promise<void> => {
      // A refused code is gone from the page too: the holder types the codes again.
      await expectNoCodeInPage();
      const now = await contactOnDesk();
      expect([now.email, now.cooldownUntil]).toEqual([OLD_EMAIL, null]);
      expect(await page.getByTestId(ids.email).textContent()).toBe(OLD_EMAIL);
    };
    // Swapped: the new address's code where the old one's goes, and the other way round.
    expect(await confirmCodes(newCode, oldCode)).toBe(refusedWrong);
    await unchanged();
    // Both wrong.
    const wrongOld = otherCode(oldCode, newCode);
    expect(await confirmCodes(wrongOld, otherCode(oldCode, newCode, wrongOld))).toBe(refusedWrong);
    await unchanged();
    // The old one right but the new one wrong: still nothing changes.
    expect(await confirmCodes(oldCode, otherCode(oldCode, newCode))).toBe(refusedWrong);
    await unchanged();

    // The right pair.
    confirmedFrom = Date.now();
    expect(await confirmCodes(oldCode, newCode)).toBe(en.account.contact.done);
    confirmedTo = Date.now();
    await expectNoCodeInPage();

    const after = await contactOnDesk();
    expect(after.email).toBe(NEW_EMAIL);
    // Changed at the kiosk with both codes: verified.
    expect(after.emailVerified).toBe(true);
    expect(await page.getByTestId(ids.email).textContent()).toBe(NEW_EMAIL);
    const chip = page.getByTestId(ids.panel).getByText(en.account.contact.verified, { exact: true });
    expect(await chip.count()).toBeGreaterThan(0);
  }, 180_000);

  it('"changed" reaches the new address and "changed (old)" the old one, in Italian, and no mail carries a code but its own code mail', async () => {
    await expect.poll(() => mailsTo(NEW_EMAIL).filter((m) => m.parsed.subject === italian.contactChanged.subject).length, { timeout: 60_000 }).toBe(1);
    await expect.poll(() => mailsTo(OLD_EMAIL).filter((m) => m.parsed.subject === italian.contactChangedOld.subject).length, { timeout: 60_000 }).toBe(1);
    const maskedNew = maskContact('email', NEW_EMAIL);
    const changed = mailsTo(NEW_EMAIL).find((m) => m.parsed.subject === italian.contactChanged.subject)!;
    const changedOld = mailsTo(OLD_EMAIL).find((m) => m.parsed.subject === italian.contactChangedOld.subject)!;
    expect(changed.envelopeTo).toEqual([NEW_EMAIL]);
    expect(changedOld.envelopeTo).toEqual([OLD_EMAIL]);
    // In Italian, and naming the new address (in part) where the words say so.
    expect(changed.parsed.text).toContain(italian.contactChanged.lead({ address: maskedNew }));
    expect(changedOld.parsed.text).toContain(italian.contactChangedOld.lead({ address: maskedNew }));
    expect(changed.parsed.text).toContain(notificationTexts.it.closing);

    // Every mail since the change began: a code mail carries its own code and no other; any other mail no code at all.
    const since = mail.received.slice(mailsBefore);
    const codeMails = since.filter((m) => m.parsed.subject === italian.oneTimeCode.subject);
    expect(codeMails.length).toBe(2);
    for (const m of since) {
      const text = mailText(m);
      const own = m.parsed.subject === italian.oneTimeCode.subject ? sixDigitRuns(m.parsed.text ?? '')[0] : undefined;
      for (const code of typedCodes) if (code !== own) expect(standsIn(text, code), `code ${code === oldCode ? 'to the old address' : code === newCode ? 'to the new address' : 'typed'} in a "${m.parsed.subject}" mail`).toBe(false);
      if (own === undefined) expect(sixDigitRuns(text), `a code-like number in a "${m.parsed.subject}" mail`).toEqual([]);
    }
  }, 90_000);

  it('the next change of the recovery contact is refused for 6 days, and the screen says until when', async () => {
    const view = await contactOnDesk();
    expect(view.cooldownUntil).not.toBeNull();
    const until = view.cooldownUntil!;
    // Six days after the change, which happened while the right pair was being confirmed.
    expect(Date.parse(until)).toBeGreaterThanOrEqual(confirmedFrom + CONTACT_COOLDOWN_MS);
    expect(Date.parse(until)).toBeLessThanOrEqual(confirmedTo + CONTACT_COOLDOWN_MS);
    const change = (await auditOfHolder()).filter((e) => e.action === 'account.contactChange' && e.outcome === 'success' && e.details['stage'] === undefined);
    expect(change.length).toBe(1);
    expect(Math.abs(Date.parse(until) - (Date.parse(change[0]!.time) + CONTACT_COOLDOWN_MS))).toBeLessThan(5_000);

    const day = await kioskLongDate(until);
    expect(await page.getByTestId(ids.cooldown).textContent()).toBe(en.account.contact.cooldownUntil.replace('{{date}}', day));

    const seen = mail.received.length;
    await page.getByTestId(ids.change('email')).click();
    await page.getByTestId(ids.newValue).fill(THIRD_EMAIL);
    await page.getByTestId(ids.sendCodes).click();
    await expect.poll(() => page.getByTestId(ids.message).textContent(), { timeout: 30_000 }).toBe(en.account.contact.refused.cooldown.replace('{{date}}', day));
    expect(await page.getByTestId(ids.sent).count()).toBe(0);
    const still = await contactOnDesk();
    expect([still.email, still.emailVerified, still.cooldownUntil]).toEqual([NEW_EMAIL, true, until]);
    // No code went anywhere for the refused change.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(mail.received.slice(seen).filter((m) => m.parsed.subject === italian.oneTimeCode.subject)).toEqual([]);
    const refusal = (await auditOfHolder()).filter((e) => e.action === 'account.contactChange' && e.outcome === 'failure' && e.reason === 'cooldown');
    expect(refusal.map((e) => [e.channel, e.details['stage']])).toEqual([['kiosk', 'begin']]);
  }, 90_000);

  it('no code stays in the kiosk page, the audit has the change from the kiosk without any code, and the page logged no error', async () => {
    await expectNoCodeInPage();

    const events = (await auditOfHolder()).filter((e) => e.action.startsWith('account.'));
    const change = events.filter((e) => e.action === 'account.contactChange' && e.outcome === 'success' && e.details['stage'] === undefined);
    expect(change.length).toBe(1);
    expect(change[0]!.channel).toBe('kiosk');
    expect(change[0]!.actor).toEqual({ kind: 'holder', id: holderId });
    expect(change[0]!.details).toMatchObject({ field: 'email', verified: true, by: 'holder' });
    // The refused tries were recorded too, from the kiosk, naming which code was wrong.
    const wrong = events.filter((e) => e.action === 'account.contactChange' && e.outcome === 'failure' && e.reason === 'wrongCode');
    expect(wrong.map((e) => [e.channel, e.details['code']])).toEqual(expect.arrayContaining([['kiosk', 'old'], ['kiosk', 'new']]));
    expect(wrong.length).toBe(3);
    const audit = JSON.stringify(await auditOfHolder());
    for (const code of typedCodes) expect(standsIn(audit, code), 'a one-time code in the audit').toBe(false);

    await card.remove();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    await expectNoCodeInPage();
    expect(kiosk.errors).toEqual([]);
  }, 90_000);
});
