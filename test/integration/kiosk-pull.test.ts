/**
 * A card pulled in the middle of a suspension at the kiosk (issue 14 §3): the holder confirmed, the
 * services are putting the card's certificates on hold in the CA, and the card leaves the reader.
 * The page never says "done" for a session that has ended; the CA holds either every certificate
 * of the card or none (never some); and when the holder signs in again the home says what happened.
 * Real parts: one browser-mode host (--kiosk) with the desk page unlocking the vault, a virtual PIV
 * card in a vpcd reader of the real pcscd, the CRL read by OpenSSL.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { CardInReader } from '../support/card-in-reader';
import { freshHome } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';
import { cliOn, issueActiveCard, openKioskBesideDesk, typeOnPad, type KioskBesideDesk } from '../support/kiosk-rig';
import { openssl } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50603001';

let pcscd: Pcscd;
let card: CardInReader;
let home: string;
let kiosk: KioskBesideDesk;
let desk: Page;
let page: Page;
let holderId = '';
let pin = '';

async function signIn(): Promise<void> {
  await card.insert();
  await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
  await typeOnPad(page, pin);
  await page.getByTestId('kiosk-pin-key-ok').click();
  await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
}

async function cardStatuses(): Promise<string[]> {
  const list = await deskCall<{ items: { status: string; cardSerial: string | null }[] }>(desk, 'certificates', 'list', { holderId, limit: 100 });
  return list.items.filter((item) => item.cardSerial === SERIAL).map((item) => item.status);
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-pull-');
  const cli = cliOn(home);
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Pull Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Pull Issuing, O=CardDesk Test']);
  await cli(['holder', 'add', '--personal-number', personalNumber(631), '--first-name', 'Katherine', '--last-name', 'Johnson', '--email', 'katherine@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  pin = (await issueActiveCard(cli, home, card, 631)).pin;
  await card.remove();
  holderId = (JSON.parse((await cli(['holder', 'show', personalNumber(631), '--json'], '')).stdout) as { holder: { id: string } }).holder.id;
  kiosk = await openKioskBesideDesk(home);
  ({ desk, page } = kiosk);
}, 240_000);

afterAll(async () => {
  await kiosk?.browser.close();
  await kiosk?.host.stop();
  await card?.remove();
  await pcscd?.stop();
});

describe('a card pulled in the middle of a suspension at the kiosk', () => {
  it('the page never says done after the session ended; the CA holds all of the card’s certificates or none; signed in again, the home says which', async () => {
    expect(await cardStatuses()).toEqual(['valid', 'valid', 'valid', 'valid']);
    await signIn();
    await page.getByTestId('kiosk-tab-suspend').click();
    await page.getByTestId('kiosk-suspend-confirm').click();
    // From here on, note when the page first shows "done" and when it first shows the welcome screen
    // (the session's end). "Done" is only honest before the end: an answer that reaches the page after
    // the session ended must be dropped. (The services may finish before pcscd notices the card leave;
    // then "done" is right, and the CA must hold every certificate of the card.)
    await page.evaluate(() => {
      const seen = window as unknown as { doneAt: number | null; welcomeAt: number | null; doneAfterEnd: boolean };
      seen.doneAt = null;
      seen.welcomeAt = null;
      seen.doneAfterEnd = false;
      new MutationObserver(() => {
        const done = document.querySelector('[data-testid="kiosk-action-done"]') !== null;
        const welcome = document.querySelector('[data-testid="kiosk-welcome"]') !== null;
        if (welcome && seen.welcomeAt === null) seen.welcomeAt = performance.now();
        if (done && seen.doneAt === null) seen.doneAt = performance.now();
        if (done && seen.welcomeAt !== null) seen.doneAfterEnd = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    // The holder confirms and pulls the card at once, while the services are at work (the click
    // first: a card out before it would end the session and take the button away).
    await page.getByTestId('kiosk-suspend-do').click({ noWaitAfter: true });
    await card.remove();
    await page.getByTestId('kiosk-welcome').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    // Long enough for the suspension's answer to reach the page, which must drop it.
    await page.waitForTimeout(1_500);
    const seen = await page.evaluate(() => {
      const { doneAt, welcomeAt, doneAfterEnd } = window as unknown as { doneAt: number | null; welcomeAt: number | null; doneAfterEnd: boolean };
      return { doneAt, welcomeAt, doneAfterEnd };
    });
    expect(seen.doneAfterEnd, 'the page said "done" for an ended session').toBe(false);
    expect(await page.getByTestId('kiosk-home').count()).toBe(0);

    // The CA: every certificate of the card in the same state, and the published CRL agrees.
    const statuses = await cardStatuses();
    expect(statuses.length).toBe(4);
    expect(new Set(statuses).size, `half a suspension: ${statuses.join(', ')}`).toBe(1);
    const suspended = statuses[0] === 'suspended';
    // "Done" on the page (before the end) is a promise that the CA holds all four.
    if (seen.doneAt !== null) expect(suspended, 'the page said "done" but the CA does not hold the card').toBe(true);
    if (!suspended) expect(statuses[0]).toBe('valid');
    console.info(`card pulled mid-suspension: the CA holds ${suspended ? 'all four certificates' : 'none'} of the card; the page said done ${seen.doneAt === null ? 'never' : 'before the session ended'}`);
    const crl = openssl('crl', '-inform', 'DER', '-in', join(home, 'crl', 'ca.crl'), '-noout', '-text');
    expect(crl.code, crl.stderr).toBe(0);
    expect((crl.stdout.match(/Certificate Hold/g) ?? []).length).toBe(suspended ? 4 : 0);

    // The holder comes back: the home says what happened, and the suspension can be made (or is already made).
    await signIn();
    await page.getByTestId('kiosk-tab-suspend').click();
    const section = (await page.getByTestId('kiosk-section-suspend').textContent()) ?? '';
    const alreadyPrefix = en.kiosk.suspend.already.split('{{date}}')[0]!;
    if (suspended) expect(section).toContain(alreadyPrefix);
    else {
      expect(section).not.toContain(alreadyPrefix);
      expect(await page.getByTestId('kiosk-suspend-confirm').count()).toBe(1);
    }
    // The log says the same: one successful suspension of the card, or none.
    const events = await deskCall<{ entries: { action: string; outcome: string; cardSerial: string | null }[] }>(desk, 'audit', 'query', { holderId, limit: 200 });
    const done = events.entries.filter((entry) => entry.action === 'card.suspend' && entry.outcome === 'success');
    expect(done.length).toBe(suspended ? 1 : 0);
    expect(kiosk.watched.errors).toEqual([]);
  }, 180_000);
});
