/**
 * The holder's kiosk through its screens (browser mode with --kiosk, Chromium) on a virtual PIV
 * card in a vpcd reader of the real pcscd: the card is issued and activated with the CLI, then the
 * holder puts it in, types a wrong PIN (tries left) and the right one on the pad, goes through
 * every home screen in every language at 1080×1920 (axe, screenshots to /work/shots), filters the
 * history, changes the PIN, signs out, and pulls the card mid-session: the welcome screen returns
 * with nothing of the holder left on the page or in the history stack. No PIN on the page, ever.
 * Nobody unlocks the vault on this host's desk: suspend, revoke and signing at activation say the
 * key services are off (kiosk-keys.test.ts unlocks it and does them for real).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { openHostSession } from '../support/host-session';
import { typeOnPad } from '../support/kiosk-rig';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50601001';
const FRESH_SERIAL = '50601002';
/** Where to save the screens for a person to look at; none when unset. */
const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const locales = { en, sq, it: it_, nl } as const;
type Language = keyof typeof locales;
const tabs = ['profile', 'security', 'certificates', 'contract', 'history', 'suspend', 'revoke'] as const;

let pcscd: Pcscd;
let card: CardInReader;
/** A second holder's new card, issued and not activated yet. */
let fresh: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let pin = '';
let puk = '';
const frames: string[] = [];

const cli = async (args: string[], input = `${PASSPHRASE}\n`) => {
  const result = await carddesk(args, { home, input, timeoutMs: 90_000 });
  if (result.code !== 0) throw new Error(`carddesk ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
};

/** Records every text node and attribute value the page ever shows, from its first script on. */
const recordEverything = (): void => {
  const seen: string[] = [];
  (window as unknown as { __seen: string[] }).__seen = seen;
  const take = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) seen.push(node.textContent ?? '');
    if (node instanceof Element) {
      for (const attribute of Array.from(node.attributes)) seen.push(attribute.value);
      node.childNodes.forEach(take);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') seen.push(record.target.textContent ?? '');
      else if (record.type === 'attributes' && record.target instanceof Element) seen.push(record.target.getAttribute(record.attributeName ?? '') ?? '');
      else record.addedNodes.forEach(take);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
};

const containsSecret = (text: string, secret: string): boolean => new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text);

async function expectNoSecretSeen(on: Page, secrets: string[]): Promise<void> {
  const seen = (await on.evaluate(() => (window as unknown as { __seen: string[] }).__seen.join('\n'))) + (await on.locator('body').innerText());
  expect(seen.length).toBeGreaterThan(500);
  for (const secret of secrets) {
    expect(containsSecret(seen, secret), 'a PIN or PUK appeared on the page').toBe(false);
    // Only the one request that carries it to the card may hold it.
    const carrying = frames.filter((frame) => containsSecret(frame, secret));
    expect(carrying.every((frame) => /"kiosk:(signIn|changePin|changePuk|unblockPin|activate|revoke)"/.test(frame)), 'a PIN or PUK crossed the WebSocket elsewhere').toBe(true);
  }
}

async function shot(on: Page, name: string): Promise<void> {
  // The buttons' colour transitions (250 ms) end first.
  await on.waitForTimeout(300);
  if (SHOTS !== undefined) await on.screenshot({ path: join(SHOTS, `kiosk-${name}.png`), fullPage: false });
}

async function language(on: Page, lang: Language): Promise<void> {
  await on.getByTestId(`kiosk-language-${lang}`).click();
  await expect.poll(() => on.getByTestId(`kiosk-language-${lang}`).getAttribute('aria-pressed')).toBe('true');
}

async function signIn(on: Page): Promise<void> {
  await on.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
  await typeOnPad(on, pin);
  await on.getByTestId('kiosk-pin-key-ok').click();
  await on.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
}

/** Changes the kiosk's Settings as an operator does, from the desk this host serves beside the kiosk. */
async function kioskSettings(kiosk: { idleSeconds: number; shufflePinPad: boolean; filesAllowed: boolean }): Promise<void> {
  const desk = await openHostSession({ ...host, url: host.deskUrl, origin: new URL(host.deskUrl).origin });
  try {
    const { envelope } = await desk.call('settings:setKiosk', kiosk);
    if (!envelope.ok) throw new Error(`settings:setKiosk failed: ${JSON.stringify(envelope)}`);
  } finally {
    desk.close();
  }
}

/** Takes the card out and puts it back: a new session begins on the welcome screen. */
async function reinsert(on: Page): Promise<void> {
  await card.remove();
  await on.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
  await card.insert();
}

beforeAll(async () => {
  if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-journey-');
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Issuing, O=CardDesk Test']);
  await cli(['holder', 'add', '--personal-number', personalNumber(601), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org', '--organisation', 'Analytical Engines'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const issued = JSON.parse((await cli(['card', 'issue', '--yes', '--holder', personalNumber(601), '--json', '--reader', card.readerName])).stdout) as {
    cardState: string;
    letters: { kind: string; fileName: string }[];
  };
  const letter = execFileSync('pdftotext', ['-layout', join(home, 'outbox', issued.letters.find((l) => l.kind === 'pin')!.fileName), '-'], { encoding: 'utf8' });
  pin = /PIN\s+(\d{6,8})\b/.exec(letter)![1]!;
  puk = /PUK\s+(\d{8})\b/.exec(letter)?.[1] ?? '';
  if (issued.cardState === 'awaitingActivation') await cli(['card', 'activate', '--reader', card.readerName], `${PASSPHRASE}\n${pin}\n`);
  await card.remove();
  await cli(['holder', 'add', '--personal-number', personalNumber(602), '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org'], '');
  fresh = await CardInReader.create(1, { serial: Number(FRESH_SERIAL) });
  await fresh.insert();
  const second = JSON.parse((await cli(['card', 'issue', '--yes', '--holder', personalNumber(602), '--json', '--reader', fresh.readerName])).stdout) as { cardState: string };
  expect(second.cardState).toBe('awaitingActivation');
  await fresh.remove();

  host = await startHostProcess({ home, kiosk: true });
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.setViewportSize({ width: 1080, height: 1920 });
  await page.addInitScript(recordEverything);
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
    socket.on('framesent', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
  });
  await page.goto(host.url);
  await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await fresh?.remove();
  await pcscd?.stop();
});

describe('the holder at the kiosk', () => {
  it('card in → PIN pad (dots only); a wrong PIN says the tries left, the right one opens the home', async () => {
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `welcome-${lang}`);
    }
    await language(page, 'en');
    const historyLength = await page.evaluate(() => history.length);
    const started = Date.now();
    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    console.log(`card in → PIN pad: ${Date.now() - started} ms (includes pcscd's power-up)`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    const keyBox = await page.getByTestId('kiosk-pin-key-5').boundingBox();
    expect(keyBox?.height).toBeGreaterThanOrEqual(64);
    expect(keyBox?.width).toBeGreaterThanOrEqual(64);

    const wrong = pin === '99999999' ? '88888888' : '99999999';
    // The physical keyboard types too.
    await page.keyboard.type(wrong.slice(0, 4));
    await typeOnPad(page, wrong.slice(4));
    expect(await page.getByTestId('kiosk-pin-dots').getAttribute('data-count')).toBe(String(wrong.length));
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `pinpad-${lang}`);
    }
    await language(page, 'en');
    await page.getByTestId('kiosk-pin-key-ok').click();
    await expect.poll(() => page.getByTestId('kiosk-pin-problem').textContent(), { timeout: 20_000 }).toMatch(/Tries left: \d/);
    expect(await page.getByTestId('kiosk-pin-dots').getAttribute('data-count')).toBe('0');

    await typeOnPad(page, pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-holder-name').textContent()).toContain('Ada Lovelace');
    expect(await page.getByTestId('kiosk-section-profile').textContent()).toContain('Analytical Engines');
    expect(await page.getByTestId('kiosk-section-profile').textContent()).toContain(SERIAL);
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
    await expectNoSecretSeen(page, [pin, wrong, puk]);
  }, 120_000);

  it('shows every home screen in en, sq, it and nl at 1080×1920 and 1920×1080, accessible', async () => {
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      for (const tab of tabs) {
        await page.getByTestId(`kiosk-tab-${tab}`).click();
        await page.getByTestId(`kiosk-section-${tab}`).waitFor();
        expect(await page.locator('#kiosk-section-title').textContent()).toBe(locales[lang].kiosk.tabs[tab]);
        if (tab === 'contract') {
          await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 20_000 });
          await page.getByTestId('signature-panel').waitFor();
        }
        if (tab === 'history') await page.getByTestId('kiosk-history-total').waitFor({ timeout: 10_000 });
        await shot(page, `home-${tab}-${lang}`);
        expect(await seriousAccessibilityViolations(page), `${tab} in ${lang}`).toEqual([]);
        // Nothing is cut off sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      }
    }
    await language(page, 'en');
    await page.setViewportSize({ width: 1920, height: 1080 });
    for (const tab of tabs) {
      await page.getByTestId(`kiosk-tab-${tab}`).click();
      await shot(page, `landscape-${tab}-en`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
    await page.setViewportSize({ width: 1080, height: 1920 });
    await page.getByTestId('kiosk-tab-profile').click();
  }, 240_000);

  it('filters the access history by outcome: the wrong PIN is a failure, the sign-in a success', async () => {
    await page.getByTestId('kiosk-tab-history').click();
    await page.getByTestId('kiosk-history-total').waitFor();
    expect(Number(await page.getByTestId('kiosk-history-failed').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await page.getByTestId('kiosk-history-successful').textContent())).toBeGreaterThanOrEqual(1);
    await page.getByTestId('kiosk-history-outcome-failure').click();
    await expect.poll(async () => new Set(await page.getByTestId('kiosk-history-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-outcome')))), { timeout: 10_000 }).toEqual(new Set(['failure']));
    await page.getByTestId('kiosk-history-outcome-success').click();
    await expect.poll(async () => new Set(await page.getByTestId('kiosk-history-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-outcome')))), { timeout: 10_000 }).toEqual(new Set(['success']));
    // A range that ended yesterday holds nothing of today.
    const yesterday = new Date(Date.now() - 86_400_000);
    const day = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
    await page.getByTestId('kiosk-history-outcome-all').click();
    await page.getByTestId('kiosk-history-to').fill(day);
    await expect.poll(() => page.getByTestId('kiosk-history-entry').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.getByTestId('kiosk-history-total').textContent()).toBe('0');
  }, 60_000);

  it('shows a certificate in plain words and downloads it as PEM where the kiosk allows files', async () => {
    await page.getByTestId('kiosk-tab-certificates').click();
    const first = page.locator('[data-testid^="kiosk-certificate-"]').first();
    const serial = ((await first.getAttribute('data-testid')) ?? '').replace('kiosk-certificate-', '');
    expect(serial).toMatch(/^[0-9A-F]+$/);
    await first.click();
    expect(await page.getByTestId('kiosk-section-certificates').textContent()).toContain(serial);
    await shot(page, 'certificate-detail-en');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('kiosk-certificate-download-pem').click()]);
    const pem = readFileSync((await download.path()) ?? '', 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await page.getByTestId('kiosk-tab-profile').click();
  }, 60_000);

  it('changes the PIN on the pad: current, new, new again (a mismatch asks for both again)', async () => {
    await page.getByTestId('kiosk-tab-security').click();
    await page.getByTestId('kiosk-security-changePin').click();
    const next = pin === '24681357' ? '13572468' : '24681357';
    await typeOnPad(page, pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await typeOnPad(page, next);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await typeOnPad(page, '11112222');
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-pin-problem').waitFor();
    await typeOnPad(page, next);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await typeOnPad(page, next);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-action-done').waitFor({ timeout: 30_000 });
    const old = pin;
    pin = next;
    await expectNoSecretSeen(page, [old, next, puk]);
  }, 90_000);

  it('sign out: the welcome screen, replacing the entry, with nothing of the holder left', async () => {
    const length = await page.evaluate(() => history.length);
    await page.getByTestId('kiosk-sign-out').click();
    await page.getByTestId('kiosk-welcome').waitFor();
    expect(await page.getByTestId('kiosk-session-ended').getAttribute('data-reason')).toBe('signedOut');
    expect(await page.evaluate(() => history.length)).toBe(length);
    expect(new URL(page.url()).hash).toBe('#/kiosk');
    expect(await page.content()).not.toContain('Lovelace');
  }, 30_000);

  it('idle: a shuffled pad from Settings, the countdown in the last 10 s, "I am still here", then the session ends', async () => {
    await kioskSettings({ idleSeconds: 15, shufflePinPad: true, filesAllowed: false });
    onTestFinished(() => kioskSettings({ idleSeconds: 60, shufflePinPad: false, filesAllowed: true }));
    await reinsert(page);
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-pin-pad').getAttribute('data-shuffled')).toBe('true');
    const order = await page.locator('[data-testid^="kiosk-pin-key-"]').evaluateAll((keys) => keys.map((key) => key.getAttribute('data-testid')?.replace('kiosk-pin-key-', '')).filter((key) => /^[0-9]$/.test(key ?? '')));
    expect([...order].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(order.join('')).not.toBe('1234567890');
    await shot(page, 'pinpad-shuffled-en');
    await typeOnPad(page, pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    // No files at this kiosk: no certificate download, no download in the contract viewer.
    await page.getByTestId('kiosk-tab-certificates').click();
    await page.locator('[data-testid^="kiosk-certificate-"]').first().click();
    expect(await page.getByTestId('kiosk-certificate-download-pem').count()).toBe(0);
    await page.getByTestId('kiosk-tab-contract').click();
    await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('pdf-viewer-download').isVisible()).toBe(false);
    await page.getByTestId('kiosk-tab-profile').click();
    await page.getByTestId('kiosk-idle-overlay').waitFor({ timeout: 20_000 });
    expect(Number(await page.getByTestId('kiosk-idle-seconds').textContent())).toBeLessThanOrEqual(10);
    await shot(page, 'idle-en');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('kiosk-still-here').click();
    await page.getByTestId('kiosk-idle-overlay').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByTestId('kiosk-home').count()).toBe(1);
    // Left alone, the countdown comes back and the session ends.
    await page.getByTestId('kiosk-idle-overlay').waitFor({ timeout: 15_000 });
    await page.getByTestId('kiosk-welcome').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('kiosk-session-ended').getAttribute('data-reason'), { timeout: 10_000 }).toBe('idle');
    expect(await page.content()).not.toContain('Lovelace');
    // The card still in the reader is not signed in again by itself.
    expect(await page.getByTestId('kiosk-pin-screen').count()).toBe(0);
  }, 120_000);

  it('a blocked PIN leads to the unblock choices: the offline challenge, or the PUK and a new PIN', async () => {
    await reinsert(page);
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    const wrong = pin === '99999999' ? '88888888' : '99999999';
    for (let attempt = 0; attempt < 10 && (await page.getByTestId('kiosk-unblock').count()) === 0; attempt += 1) {
      await typeOnPad(page, wrong);
      await page.getByTestId('kiosk-pin-key-ok').click();
      await Promise.race([page.getByTestId('kiosk-pin-problem').waitFor({ timeout: 20_000 }), page.getByTestId('kiosk-unblock').waitFor({ timeout: 20_000 })]);
    }
    await page.getByTestId('kiosk-unblock').waitFor();
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `unblock-${lang}`);
    }
    await language(page, 'en');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('kiosk-unblock-offline').click();
    await page.getByTestId('kiosk-offline-challenge').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-offline-serial').textContent()).toBe(SERIAL);
    expect(await page.getByTestId('kiosk-offline-challenge').textContent()).toMatch(/^[0-9A-Z -]{8,}$/);
    await shot(page, 'unblock-offline-en');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('kiosk-cancel').click();
    await page.getByTestId('kiosk-welcome').waitFor();

    await reinsert(page);
    await page.getByTestId('kiosk-unblock').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-unblock-puk').click();
    const next = pin === '31415926' ? '27182818' : '31415926';
    await typeOnPad(page, puk);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await typeOnPad(page, next);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await typeOnPad(page, next);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await Promise.race([page.getByTestId('kiosk-unblock-done').waitFor({ timeout: 30_000 }), page.getByTestId('kiosk-home').waitFor({ timeout: 30_000 })]);
    const old = pin;
    pin = next;
    if ((await page.getByTestId('kiosk-unblock-done').count()) === 1) {
      await page.getByTestId('kiosk-unblock-done').locator('xpath=..').getByRole('button', { name: en.kiosk.unblock.signIn }).click();
      await signIn(page);
    }
    expect(await page.getByTestId('kiosk-holder-name').textContent()).toContain('Ada Lovelace');
    await expectNoSecretSeen(page, [old, next, wrong, puk]);
  }, 180_000);

  it('a card pulled in the middle of a PIN change: the welcome screen, never "done"', async () => {
    await page.getByTestId('kiosk-tab-security').click();
    await page.getByTestId('kiosk-security-changePin').click();
    const next = pin === '55667788' ? '77889900' : '55667788';
    for (const value of [pin, next]) {
      await typeOnPad(page, value);
      await page.getByTestId('kiosk-pin-key-ok').click();
    }
    await typeOnPad(page, next);
    // CHANGE REFERENCE DATA (0x24) never reaches the card: it leaves the reader as the command comes.
    card.pullAtInstruction(0x24);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId('kiosk-welcome').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-action-done').count()).toBe(0);
    expect(await page.content()).not.toContain('Lovelace');
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    // The card kept its PIN: the next step signs in with it (in a new window, as this one has
    // used up its attempts for now).
  }, 90_000);

  it('suspend and revoke with the desk’s vault locked: the kiosk says the key services are off and offers neither; nothing changes in the CA', async () => {
    // (After the PIN change cut short above, the unchanged PIN signs in below.)
    await card.remove();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    // A new kiosk window: the attempts this window made above are limited per window.
    await page.context().close();
    watched = await openPage(browser);
    page = watched.page;
    await page.addInitScript(recordEverything);
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
      socket.on('framesent', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
    });
    await page.setViewportSize({ width: 1080, height: 1920 });
    await page.goto(host.url);
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    await card.insert();
    await signIn(page);
    // Nobody unlocked the vault on this host's desk (kiosk-keys.test.ts does, and suspends and
    // revokes for real): the screens say so instead of offering what the services would refuse.
    for (const tab of ['suspend', 'revoke'] as const) {
      await page.getByTestId(`kiosk-tab-${tab}`).click();
      await page.getByTestId('kiosk-key-services-off').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('kiosk-key-services-off').textContent()).toBe(en.kiosk.keyServicesOff);
      expect(await page.getByTestId('kiosk-suspend-confirm').count()).toBe(0);
      expect(await page.getByTestId('kiosk-revoke-next').count()).toBe(0);
      await shot(page, `${tab}-locked-en`);
      expect(await seriousAccessibilityViolations(page), tab).toEqual([]);
    }
    // The certificates are as they were.
    await page.getByTestId('kiosk-tab-certificates').click();
    const statuses = await page.locator('[data-testid^="kiosk-certificate-"]').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    for (const text of statuses) expect(text).toContain(en.certificates.statuses.valid);
    await expectNoSecretSeen(page, [pin, puk]);
  }, 120_000);

  it('a card pulled in the home ends the session at once: the welcome screen, no holder detail in the page', async () => {
    await card.remove();
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    expect(watched.errors).toEqual([]);
    // A new kiosk window: the attempts this window made above are limited per window.
    await page.context().close();
    watched = await openPage(browser);
    page = watched.page;
    await page.setViewportSize({ width: 1080, height: 1920 });
    await page.goto(host.url);
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    await card.insert();
    await signIn(page);
    await page.getByTestId('kiosk-tab-certificates').click();
    await page.getByTestId('kiosk-section-certificates').waitFor();
    expect(await page.content()).toContain('Lovelace');
    await card.remove();
    await page.getByTestId('kiosk-welcome').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('kiosk-session-ended').getAttribute('data-reason'), { timeout: 10_000 }).toBe('cardRemoved');
    await shot(page, 'ended-en');
    expect(await page.content()).not.toContain('Lovelace');
    expect(await page.content()).not.toContain(SERIAL);
    expect(watched.errors).toEqual([]);
  }, 90_000);

  it('a new card leads to the activation: the contract in the viewer; signing waits for the desk’s keys', async () => {
    await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
    await fresh.insert();
    await page.getByTestId('kiosk-activate').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 20_000 });
    // This kiosk runs without the desk's unlocked vault: it says so, and signing is not offered.
    await page.getByTestId('kiosk-key-services-off').waitFor();
    expect(await page.getByTestId('kiosk-activate-read').isDisabled()).toBe(true);
    for (const lang of Object.keys(locales) as Language[]) {
      await language(page, lang);
      await shot(page, `activate-${lang}`);
      expect(await seriousAccessibilityViolations(page), `activation in ${lang}`).toEqual([]);
    }
    await language(page, 'en');
    expect(await page.content()).not.toContain('Lovelace');
    await page.getByTestId('kiosk-cancel').click();
    await page.getByTestId('kiosk-welcome').waitFor();
    expect(await page.content()).not.toContain('Hopper');
    expect(watched.errors).toEqual([]);
  }, 90_000);
});
