/**
 * The kiosk's key services for real: one browser-mode host (--kiosk) serves the operator desk and
 * the kiosk from the same services; the desk page unlocks the vault, and the holder at the kiosk
 * suspends (the CRL and the OCSP responder say certificateHold), then revokes (a wrong PIN first:
 * nothing revoked), all on virtual PIV cards in vpcd readers of the real pcscd. A second holder's
 * new card is then activated at the kiosk (the contract signed by the card) right after the first
 * holder's session ended: nothing of the first holder is left in the page, its history or its heap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { openPage, type WatchedPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { freshHome, type HostProcess } from '../support/host-process';
import { cliOn, issueActiveCard, issueCard, openKioskBesideDesk, typeOnPad, type Cli } from '../support/kiosk-rig';
import { deskCall, heapSnapshotContains, pageTextAndAttributes } from '../support/kiosk-desk';
import { openssl, toolAsync } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50602001';
const FRESH_SERIAL = '50602002';
const OCSP_PORT = 18_461;
/** Where to save the screens for a person to look at; none when unset. */
const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const locales = { en, sq, it: it_, nl } as const;
type Language = keyof typeof locales;

interface Holder {
  id: string;
  userNumber: string;
  pin: string;
}
interface Certificate {
  serial: string;
  profile: string;
  status: string;
  reason: string | null;
  holdUntil: string | null;
  cardSerial: string | null;
}

let pcscd: Pcscd;
let card: CardInReader;
let fresh: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let desk: Page;
let watched: WatchedPage;
let page: Page;
let ada: Holder;
let grace: Holder;
let historyAtStart = 0;
/** Every HTTP response the kiosk page received (what its browser cache could hold). */
const httpResponses: Response[] = [];

let cli: Cli;

async function holderShown(number: number): Promise<{ id: string; userNumber: string }> {
  const shown = JSON.parse((await cli(['holder', 'show', personalNumber(number), '--json'], '')).stdout) as { holder: { id: string; userNumber: string } };
  return shown.holder;
}

async function language(on: Page, lang: Language): Promise<void> {
  await on.getByTestId(`kiosk-language-${lang}`).click();
  await expect.poll(() => on.getByTestId(`kiosk-language-${lang}`).getAttribute('aria-pressed')).toBe('true');
}

async function shot(on: Page, name: string): Promise<void> {
  await on.waitForTimeout(300);
  if (SHOTS !== undefined) await on.screenshot({ path: join(SHOTS, `kiosk-${name}.png`), fullPage: false });
}

/** The card's certificates as the desk's CA lists them. */
async function cardCertificates(holderId: string, serial: string): Promise<Certificate[]> {
  const list = await deskCall<{ items: Certificate[] }>(desk, 'certificates', 'list', { holderId, limit: 100 });
  return list.items.filter((item) => item.cardSerial === serial);
}

const crlText = (): string => {
  const result = openssl('crl', '-inform', 'DER', '-in', join(home, 'crl', 'ca.crl'), '-noout', '-text');
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

/** Asks the desk's OCSP responder about a certificate with openssl ocsp (nonce, response verified against the chain). */
async function ocsp(serial: string): Promise<string> {
  const detail = await deskCall<{ pem: string }>(desk, 'certificates', 'get', { serial });
  const file = join(home, `ocsp-${serial}.pem`);
  writeFileSync(file, detail.pem);
  const publish = join(home, 'crl');
  const answer = await toolAsync('openssl', ['ocsp', '-issuer', join(publish, 'issuing.pem'), '-cert', file, '-url', `http://127.0.0.1:${OCSP_PORT}/`, '-CAfile', join(publish, 'chain.pem'), '-nonce', '-timeout', '10']);
  expect(answer.stderr).toContain('Response verify OK');
  return answer.stdout;
}

beforeAll(async () => {
  if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-keys-');
  cli = cliOn(home);
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Keys Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Keys Issuing, O=CardDesk Test']);
  await cli(['holder', 'add', '--personal-number', personalNumber(611), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org', '--organisation', 'Analytical Engines'], '');
  await cli(['holder', 'add', '--personal-number', personalNumber(612), '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const first = await issueActiveCard(cli, home, card, 611);
  await card.remove();
  fresh = await CardInReader.create(1, { serial: Number(FRESH_SERIAL) });
  await fresh.insert();
  const second = await issueCard(cli, home, fresh, 612);
  // The default policy: the holder signs the contract when activating the card.
  expect(second.cardState).toBe('awaitingActivation');
  await fresh.remove();
  ada = { ...(await holderShown(611)), pin: first.pin };
  grace = { ...(await holderShown(612)), pin: second.pin };

  ({ host, browser, desk, watched, page } = await openKioskBesideDesk(home, (kioskPage) => {
    kioskPage.on('response', (response) => httpResponses.push(response));
  }));
  await deskCall(desk, 'ca', 'startOcsp', { port: OCSP_PORT });
  historyAtStart = await page.evaluate(() => history.length);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await fresh?.remove();
  await pcscd?.stop();
});

describe('the kiosk with the desk’s vault unlocked in the same host', () => {
  it('suspend: days picker, confirmation; the CRL and OCSP say certificateHold, the home shows the return date', async () => {
    const before = await cardCertificates(ada.id, SERIAL);
    expect(before.map((c) => c.profile).sort()).toEqual(['authentication', 'cardAuthentication', 'encryption', 'signature']);
    expect(before.every((c) => c.status === 'valid')).toBe(true);
    const authentication = before.find((c) => c.profile === 'authentication')!.serial;
    expect(await ocsp(authentication)).toMatch(/: good/);

    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    await typeOnPad(page, ada.pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    // The first holder's details the page shows (the heap and DOM checks below look for them).
    expect(await page.getByTestId('kiosk-holder-name').textContent()).toContain('Ada Lovelace');
    expect(await page.getByTestId('kiosk-section-profile').textContent()).toContain(ada.userNumber);
    await page.getByTestId('kiosk-tab-certificates').click();
    await page.getByTestId('kiosk-section-certificates').waitFor();
    await page.getByTestId('kiosk-tab-contract').click();
    await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 20_000 });

    // Crafted calls from another kiosk page (its own WebSocket session) while Ada is signed in here:
    // the services answer for this page's session only, so each is refused and recorded, and nothing changes.
    const intruder = (await openPage(browser)).page;
    await intruder.goto(host.url);
    await intruder.waitForFunction(() => 'carddesk' in window, undefined, { timeout: 20_000 });
    const crafted = await intruder.evaluate(async (serial) => {
      const kiosk = (window as unknown as { carddesk: { kiosk: Record<string, (args?: unknown) => Promise<{ ok: boolean; error?: { code: string } }>> } }).carddesk.kiosk;
      const answers = [await kiosk['home']!(), await kiosk['suspend']!({ days: 30 }), await kiosk['certificate']!({ serial, format: 'pem' }), await kiosk['history']!({})];
      return answers.map((answer) => (answer.ok ? 'answered' : (answer.error?.code ?? 'refused')));
    }, authentication);
    expect(crafted).toEqual(['SESSION_ENDED', 'SESSION_ENDED', 'SESSION_ENDED', 'SESSION_ENDED']);
    await intruder.context().close();
    expect((await cardCertificates(ada.id, SERIAL)).every((c) => c.status === 'valid')).toBe(true);
    const refusals = await deskCall<{ entries: { channel: string; reason: string | null; outcome: string }[] }>(desk, 'audit', 'query', { outcome: 'failure', limit: 50 });
    expect(refusals.entries.filter((entry) => entry.channel === 'kiosk' && entry.reason === 'SESSION_ENDED').length).toBeGreaterThanOrEqual(3);
    // Ada's own page still has her session.
    await page.getByTestId('kiosk-tab-profile').click();
    expect(await page.getByTestId('kiosk-section-profile').textContent()).toContain(ada.userNumber);

    // The heap check further down can see a holder: here, signed in, the name is in the heap.
    expect((await heapSnapshotContains(page, ['Lovelace'])).length).toBeGreaterThan(0);

    await page.getByTestId('kiosk-tab-suspend').click();
    expect(await page.getByTestId('kiosk-key-services-off').count()).toBe(0);
    expect(await page.getByTestId('kiosk-suspend-days').getAttribute('data-days')).toBe('7');
    await page.getByTestId('kiosk-suspend-more').click();
    expect(await page.getByTestId('kiosk-suspend-days').getAttribute('data-days')).toBe('8');
    for (let i = 0; i < 7; i += 1) await page.getByTestId('kiosk-suspend-less').click();
    expect(await page.getByTestId('kiosk-suspend-days').getAttribute('data-days')).toBe('1');
    expect(await page.getByTestId('kiosk-suspend-less').isDisabled()).toBe(true);
    await page.getByRole('button', { name: en.kiosk.suspend.dayCount.replace('{{days}}', '30'), exact: true }).click();
    expect(await page.getByTestId('kiosk-suspend-more').isDisabled()).toBe(true);
    await page.getByRole('button', { name: en.kiosk.suspend.dayCount.replace('{{days}}', '14'), exact: true }).click();
    expect(await page.getByTestId('kiosk-suspend-days').getAttribute('data-days')).toBe('14');
    const returns = await page.evaluate(() => {
      const back = new Date();
      back.setDate(back.getDate() + 14);
      return new Intl.DateTimeFormat('en', { dateStyle: 'long' }).format(back);
    });
    expect(await page.getByTestId('kiosk-suspend-return').textContent()).toContain(returns);
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `suspend-${lang}`);
    }
    await language(page, 'en');
    await page.getByTestId('kiosk-suspend-confirm').click();
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `suspend-confirm-${lang}`);
      expect(await seriousAccessibilityViolations(page), `suspend confirmation in ${lang}`).toEqual([]);
    }
    await language(page, 'en');
    // Nothing is suspended before the holder confirms.
    expect((await cardCertificates(ada.id, SERIAL)).every((c) => c.status === 'valid')).toBe(true);
    await page.getByTestId('kiosk-suspend-do').click();
    await page.getByTestId('kiosk-action-done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('kiosk-action-done').textContent()).toContain(returns);
    await shot(page, 'suspend-done-en');

    // The CA: every certificate of the card on hold until the date the holder chose.
    const held = await cardCertificates(ada.id, SERIAL);
    expect(held.length).toBe(before.length);
    for (const certificate of held) {
      expect(certificate.status, certificate.profile).toBe('suspended');
      expect(certificate.reason).toBe('certificateHold');
      expect(certificate.holdUntil).not.toBeNull();
    }
    const holdUntil = held[0]!.holdUntil!;
    const daysAway = (Date.parse(holdUntil) - Date.now()) / 86_400_000;
    expect(daysAway).toBeGreaterThan(13);
    expect(daysAway).toBeLessThanOrEqual(15);
    // The published CRL (DER) lists each with the reason certificateHold.
    const crl = crlText();
    for (const certificate of held) {
      expect(crl, certificate.serial).toMatch(new RegExp(`Serial Number: ${certificate.serial}\\s+Revocation Date: .*\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Certificate Hold`));
    }
    // The OCSP responder says revoked, certificateHold, for the authentication certificate.
    expect(await ocsp(authentication)).toMatch(/: revoked[\s\S]*Reason: certificateHold/);

    // The kiosk's home: the certificates suspended, with the date they return.
    await page.getByTestId('kiosk-tab-certificates').click();
    const shown = await page.locator('[data-testid^="kiosk-certificate-"]').allTextContents();
    expect(shown.length).toBe(held.length);
    const until = await page.evaluate((iso) => new Intl.DateTimeFormat('en', { dateStyle: 'long' }).format(new Date(iso)), holdUntil);
    for (const text of shown) expect(text).toContain(en.kiosk.certificates.suspendedUntil.replace('{{date}}', until));
    await page.getByTestId('kiosk-tab-suspend').click();
    expect(await page.getByTestId('kiosk-section-suspend').textContent()).toContain(en.kiosk.suspend.already.replace('{{date}}', until));
    expect(watched.errors).toEqual([]);
  }, 180_000);

  it('revoke: reason, irreversible confirmation, the PIN again; a wrong PIN revokes nothing, the right one revokes every certificate', async () => {
    await page.getByTestId('kiosk-tab-revoke').click();
    await page.getByTestId('kiosk-revoke-reason-keyCompromise').check();
    expect(await page.getByTestId('kiosk-revoke-next').isDisabled()).toBe(true);
    await page.getByTestId('kiosk-revoke-understand').check();
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `revoke-confirm-${lang}`);
      expect(await seriousAccessibilityViolations(page), `revoke confirmation in ${lang}`).toEqual([]);
    }
    await language(page, 'en');
    await page.getByTestId('kiosk-revoke-next').click();
    await page.getByTestId('kiosk-pin-pad').waitFor();
    expect(await page.getByTestId('kiosk-section-revoke').textContent()).toContain(en.certificates.reasons.keyCompromise);
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `revoke-pin-${lang}`);
    }
    await language(page, 'en');

    const wrong = ada.pin === '99999999' ? '88888888' : '99999999';
    await typeOnPad(page, wrong);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-action-problem').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-action-problem').textContent()).toMatch(/Tries left: \d/);
    expect(await page.getByTestId('kiosk-action-done').count()).toBe(0);
    const after = await cardCertificates(ada.id, SERIAL);
    expect(after.every((c) => c.status === 'suspended'), 'a wrong PIN revoked something').toBe(true);
    expect(crlText()).not.toMatch(/Key Compromise/);

    await typeOnPad(page, ada.pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-action-done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('kiosk-action-done').textContent()).toBe(en.kiosk.revoke.done);
    await shot(page, 'revoke-done-en');

    const revoked = await cardCertificates(ada.id, SERIAL);
    expect(revoked.length).toBe(after.length);
    for (const certificate of revoked) {
      expect(certificate.status, certificate.profile).toBe('revoked');
      expect(certificate.reason).toBe('keyCompromise');
    }
    const crl = crlText();
    for (const certificate of revoked) expect(crl).toMatch(new RegExp(`Serial Number: ${certificate.serial}[\\s\\S]*?Key Compromise`));
    const authentication = revoked.find((c) => c.profile === 'authentication')!.serial;
    expect(await ocsp(authentication)).toMatch(/: revoked[\s\S]*Reason: keyCompromise/);
    const record = await deskCall<{ card: { state: string } | null }>(desk, 'cards', 'record', { serial: SERIAL });
    expect(record.card?.state).toBe('revoked');
    expect(watched.errors).toEqual([]);
  }, 120_000);

  it('the first holder’s card out: the welcome screen, and no string with the holder’s name left in the page’s heap', async () => {
    await card.remove();
    await page.getByTestId('kiosk-welcome').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    // Long enough for the last re-render and the pending answers to be dropped.
    await page.waitForTimeout(500);
    const found = await heapSnapshotContains(page, ['Lovelace', ada.userNumber]);
    expect(found, 'the first holder is still in the kiosk page’s heap').toEqual([]);
    // Nor in what the browser keeps for the page: web storage, Cache Storage, IndexedDB, or an object URL still open.
    const kept = await page.evaluate(async () => ({
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      caches: await caches.keys(),
      databases: (await indexedDB.databases()).map((database) => database.name),
      resources: performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.startsWith('blob:') || name.startsWith('data:')),
    }));
    expect(kept.storage).not.toMatch(/Lovelace|Ada/);
    expect(kept.storage).not.toContain(ada.userNumber);
    expect(kept).toMatchObject({ caches: [], databases: [], resources: [] });
    // Nor in the browser's HTTP cache: the holder's data travelled only over the WebSocket, so no HTTP
    // response the page received (what the cache can hold) carries any of it.
    expect(httpResponses.length).toBeGreaterThan(0);
    for (const response of httpResponses) {
      if (response.url().startsWith('blob:') || response.url().startsWith('data:')) continue;
      const body = (await response.body().catch(() => Buffer.alloc(0))).toString('latin1');
      for (const trace of ['Lovelace', ada.userNumber, personalNumber(611)]) expect(body.includes(trace), `${trace} in ${response.url()}`).toBe(false);
    }
  }, 90_000);

  it('a second holder’s new card right after: the contract, the PIN on the pad, signed; the card active, the holder signed in; nothing of the first holder', async () => {
    const awaiting = await deskCall<{ items: { cardSerial: string; status: string }[] }>(desk, 'contracts', 'list', { holderId: grace.id });
    expect(awaiting.items.filter((c) => c.cardSerial === FRESH_SERIAL).map((c) => c.status)).toEqual(['awaitingSignature']);
    expect((await deskCall<{ card: { state: string } | null }>(desk, 'cards', 'record', { serial: FRESH_SERIAL })).card?.state).toBe('awaitingActivation');

    await fresh.insert();
    await page.getByTestId('kiosk-activate').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-key-services-off').count()).toBe(0);
    await shot(page, 'activate-keys-en');
    await page.getByTestId('kiosk-activate-read').click();
    await page.getByTestId('kiosk-pin-pad').waitFor();
    await typeOnPad(page, grace.pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await Promise.race([page.getByTestId('kiosk-home').waitFor({ timeout: 60_000 }), page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 60_000 })]);
    if ((await page.getByTestId('kiosk-home').count()) === 0) {
      // Activated, then signed in as usual.
      await typeOnPad(page, grace.pin);
      await page.getByTestId('kiosk-pin-key-ok').click();
      await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    }
    expect(await page.getByTestId('kiosk-holder-name').textContent()).toContain('Grace Hopper');

    const contracts = await deskCall<{ items: { cardSerial: string; status: string; signedAt: string | null }[] }>(desk, 'contracts', 'list', { holderId: grace.id });
    const signed = contracts.items.filter((c) => c.cardSerial === FRESH_SERIAL);
    expect(signed.map((c) => c.status)).toEqual(['signed']);
    expect(signed[0]!.signedAt).not.toBeNull();
    expect((await deskCall<{ card: { state: string } | null }>(desk, 'cards', 'record', { serial: FRESH_SERIAL })).card?.state).toBe('active');

    // Nothing of the first holder anywhere in the page's text or attributes.
    const everything = await pageTextAndAttributes(page);
    expect(everything).toContain('Hopper');
    for (const trace of ['Lovelace', 'Analytical Engines', ada.userNumber, SERIAL]) expect(everything.includes(trace), trace).toBe(false);
    expect(everything).not.toMatch(/\bAda\b/);
    // The holder screens replaced each other: the tab's history did not grow.
    expect(await page.evaluate(() => history.length)).toBe(historyAtStart);
    expect(watched.errors).toEqual([]);
  }, 150_000);
});
