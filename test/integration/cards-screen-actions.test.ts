/**
 * The Cards screen's card actions in Chromium against browser mode, on a virtual PIV card in a
 * vpcd reader: PIN pad entry, wrong PINs with tries left, blocking, unblocking with the PUK,
 * changing PIN and PUK, setting retry counters — and the screen stays accessible throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { FACTORY } from '../../electron/smartcard/piv';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { Pcscd } from '../support/pcscd';

let pcscd: Pcscd;
let card: CardInReader;
let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  card = await CardInReader.create(0, { serial: 77001122 });
  await card.insert();
  host = await startHostProcess();
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.goto(`${host.url}#/cards`);
  await page.getByTestId('card-panel').waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
});

/** Types digits on the on-screen PIN pad into the field `field` of the open dialog. */
async function padType(field: string, digits: string): Promise<void> {
  await page.getByTestId(`field-${field}`).focus();
  for (const digit of digits) await page.getByTestId(`pin-key-${digit}`).click();
}

async function openAction(action: string): Promise<void> {
  await page.getByTestId(`action-${action}`).click();
  await page.getByTestId(`dialog-${action}`).waitFor();
}

const pinStatus = () => page.getByTestId('card-pin-status').getAttribute('data-tries-left');

describe('card actions on the Cards screen', () => {
  it('shows the card: serial, tries left and the factory-credential warning', async () => {
    expect(await page.getByTestId('card-serial').textContent()).toBe('77001122');
    expect(await pinStatus()).toBe('3');
    expect(await page.getByTestId('card-defaults-warning').textContent()).toMatch(/factory PIN, PUK, and management key/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('a wrong PIN typed on the PIN pad says how many tries are left, and the panel follows', async () => {
    await openAction('verifyPin');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await padType('pin', '000000');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('dialog-problem').textContent()).toBe('Wrong PIN. 2 tries left.');
    // The fields were emptied as soon as the card answered.
    expect(await page.getByTestId('field-pin').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await expect.poll(pinStatus).toBe('2');
  });

  it('the right PIN, typed on the keyboard, is accepted and restores the tries', async () => {
    await openAction('verifyPin');
    await page.getByTestId('field-pin').fill(FACTORY.PIN);
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('PIN verified.');
    await expect.poll(pinStatus).toBe('3');
  });

  it('refuses a malformed PIN before it reaches the card', async () => {
    await openAction('verifyPin');
    await padType('pin', '123');
    await page.getByTestId('dialog-submit').click();
    expect(await page.getByText('Enter 6 to 8 digits.').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    expect(await pinStatus()).toBe('3');
  });

  it('changes the PIN; the warning then names only the PUK and the management key', async () => {
    await openAction('changePin');
    await padType('current', FACTORY.PIN);
    await padType('next', '909090');
    await padType('repeat', '909091');
    await page.getByTestId('dialog-submit').click();
    expect(await page.getByText('The two entries differ.').count()).toBe(1);
    await page.getByTestId('field-repeat').fill('909090');
    await page.getByTestId('field-current').fill(FACTORY.PIN);
    await page.getByTestId('field-next').fill('909090');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('PIN changed.');
    await expect.poll(() => page.getByTestId('card-defaults-warning').textContent()).toMatch(/factory PUK and management key/);
  });

  it('blocks the PIN after three wrong ones and unblocks it with the PUK', async () => {
    for (const expected of ['Wrong PIN. 2 tries left.', 'Wrong PIN. One try left: after another wrong PIN the card is blocked.', 'The PIN is blocked. Unblock it with the PUK.']) {
      await openAction('verifyPin');
      await page.getByTestId('field-pin').fill('111111');
      await page.getByTestId('dialog-submit').click();
      await expect.poll(() => page.getByTestId('dialog-problem').textContent()).toBe(expected);
      await page.keyboard.press('Escape');
    }
    await expect.poll(pinStatus).toBe('0');
    await openAction('unblockPin');
    await page.getByTestId('field-puk').fill(FACTORY.PUK);
    await page.getByTestId('field-next').fill('818181');
    await page.getByTestId('field-repeat').fill('818181');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('PIN unblocked and set.');
    await expect.poll(pinStatus).toBe('3');
  });

  it('changes the PUK and sets new retry counters keeping PIN and PUK', async () => {
    await openAction('changePuk');
    await page.getByTestId('field-current').fill(FACTORY.PUK);
    await page.getByTestId('field-next').fill('72727272');
    await page.getByTestId('field-repeat').fill('72727272');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('PUK changed.');

    await openAction('setRetryCounters');
    await page.getByTestId('select-pin-tries').click();
    await page.getByRole('option', { name: '5', exact: true }).click();
    await page.getByTestId('field-pin').fill('818181');
    await page.getByTestId('field-puk').fill('72727272');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('Retry counters set. The PIN and PUK are unchanged.');
    await expect.poll(pinStatus).toBe('5');
    expect(await page.getByTestId('card-defaults-warning').textContent()).toMatch(/factory management key/);

    await openAction('verifyPin');
    await page.getByTestId('field-pin').fill('818181');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('card-message').textContent()).toBe('PIN verified.');
  });

  it('never showed a PIN anywhere on the page, and logged no errors', async () => {
    const text = await page.locator('body').innerText();
    for (const secret of ['818181', '909090', '72727272']) expect(text).not.toContain(secret);
    expect(watched.errors).toEqual([]);
  });
});
