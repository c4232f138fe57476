/**
 * Operator sign-in in Chromium (issue 17 §2, §6): the built renderer served by the browser-mode
 * host in this process, on the real core with pcscd + vpcd and an operator card from the real
 * issuance. In bootstrap the desk is as before; once an operator account exists the desk shows only
 * the sign-in screen: a wrong PIN is refused in words with the tries left, the right one opens the
 * desk with the operator's name and roles in the app bar, Sign out returns to the sign-in screen,
 * and so does pulling the card. Only the operator accounts are an in-memory lookup.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { sessionTestIds as ids } from '../../renderer/src/features/session/testIds';
import { silentLogger } from '../../electron/core/log/logger';
import { localConnection } from '../../electron/core/process/local-connection';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { dispatch } from '../../electron/core/api/dispatch';
import { startHost, type RunningHost } from '../../electron/host/server';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { issueCardFor, memoryOperatorAccounts } from '../support/operator-accounts';
import { Pcscd } from '../support/pcscd';
import { testCore } from '../support/test-core';
import { PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const dist = join(__dirname, '..', '..', 'dist');
const { accounts, lookup } = memoryOperatorAccounts();

let pcscd: Pcscd;
const core = testCore({ loadPcsc: loadPcscLite, virtualReader: false, operatorLookup: lookup });
let card: CardInReader;
let host: RunningHost;
let browser: Browser;
const issued = { serial: '', pin: '', nineA: '' };

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  const result = await dispatch(core.handlers, channel, args, { surface: 'desk', transport: 'ipc' }, silentLogger);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelResult<C>;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  if (SHOTS !== undefined) await page.screenshot({ path: join(SHOTS, `signin-${name}.png`) });
}

async function typePin(page: Page, pin: string): Promise<void> {
  // The on-screen pad, as at a desk without a keyboard.
  for (const digit of pin) await page.getByTestId(`pin-key-${digit}`).click();
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  await core.start();
  card = await CardInReader.create(0, { serial: 72_000_001 });
  await card.insert();
  await waitUntil(() => core.readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 10_000, 'the card');
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=E2E Root, O=Example, C=XK', issuingSubject: 'CN=E2E Issuing, O=Example, C=XK' });
  await call('cards:updatePolicy', { activation: 'atIssuance' });
  const made = await issueCardFor(call, card.readerName, 1, 'operator');
  Object.assign(issued, { serial: made.serial, pin: made.pin, nineA: made.certificates[0]?.serial ?? '' });
  host = await startHost({
    core: localConnection(core.handlers, core.events, silentLogger),
    log: silentLogger,
    surface: 'desk',
    rendererDir: join(dist, 'renderer'),
    bridgeFile: join(dist, 'bridge', 'carddesk-bridge.js'),
    port: 0,
  });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await core.dispose();
  await card?.remove().catch(() => undefined);
  await pcscd?.stop();
});

describe('the desk sign-in screen', () => {
  it('changes nothing in bootstrap, then asks for the operator card and PIN, refuses a wrong PIN, signs in and out', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(host.url);
    // Bootstrap: no operator account, no sign-in screen and no operator in the app bar.
    await page.getByTestId('app-title').waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId(ids.screen).count()).toBe(0);
    expect(await page.getByTestId(ids.operator).count()).toBe(0);

    const now = new Date().toISOString();
    accounts.set('op-ada', { id: 'op-ada', holderId: 'h', name: 'Ada Lovelace', roles: ['helpdesk', 'issuer'], state: 'active', cards: [{ cardSerial: issued.serial, certificateSerial: issued.nineA.toLowerCase(), addedAt: now }], createdAt: now, updatedAt: now });
    await page.reload();
    await page.getByTestId(ids.screen).waitFor();
    expect(await page.getByRole('navigation').getByRole('link').count()).toBe(0);
    await expect.poll(() => page.getByTestId(ids.reader).textContent()).toContain(card.readerName);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await shot(page, 'en-screen');

    const wrong = issued.pin.startsWith('9') ? '11111111'.slice(0, issued.pin.length) : '99999999'.slice(0, issued.pin.length);
    await typePin(page, wrong);
    await page.getByTestId(ids.submit).click();
    const refusal = page.getByTestId(ids.refusal);
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-reason')).toBe('wrongPin');
    expect(await refusal.textContent()).toMatch(/^The PIN is wrong\. \d tries left\.$/);
    // The PIN field is empty again: nothing typed stays on the screen.
    expect(await page.getByTestId(ids.pin).inputValue()).toBe('');
    await shot(page, 'en-wrong-pin');

    await page.getByTestId(ids.pin).fill(issued.pin);
    await page.getByTestId(ids.submit).click();
    await page.getByTestId(ids.operator).waitFor();
    expect(await page.getByTestId(ids.operator).textContent()).toBe('Ada Lovelace');
    expect(await page.getByTestId(ids.roles).textContent()).toBe(`${en.session.roles.helpdesk}${en.session.roles.issuer}`);
    expect(await page.getByTestId(ids.screen).count()).toBe(0);
    await shot(page, 'en-signed-in');

    // Dutch: the same screens in the other language.
    await page.getByTestId('language-button').click();
    await page.getByTestId('language-nl').click();
    await expect.poll(() => page.getByTestId(ids.signOut).textContent()).toBe(nl.session.signOut);
    await shot(page, 'nl-signed-in');
    await page.getByTestId(ids.signOut).click();
    await page.getByTestId(ids.screen).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(nl.session.signIn.title);
    await shot(page, 'nl-screen');
    // Italian and Albanian: the sign-in screen, then back to English for what follows.
    for (const [language, words] of [['it', it_], ['sq', sq], ['en', en]] as const) {
      await page.getByTestId('language-button').click();
      await page.getByTestId(`language-${language}`).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(words.session.signIn.title);
      await shot(page, `${language}-screen`);
    }
    expect(watched.errors).toEqual([]);
  }, 120_000);

  it('returns to the sign-in screen when the operator card leaves the reader', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(host.url);
    await page.getByTestId(ids.screen).waitFor();
    await page.getByTestId(ids.pin).fill(issued.pin);
    await page.getByTestId(ids.submit).click();
    await page.getByTestId(ids.operator).waitFor();
    await card.remove();
    await page.getByTestId(ids.screen).waitFor({ timeout: 15_000 });
    await page.getByTestId(ids.noReader).waitFor();
    expect(await page.getByTestId(ids.operator).count()).toBe(0);
  }, 60_000);
});
