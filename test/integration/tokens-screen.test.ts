/**
 * PKCS#11 tokens on the Cards screen and PKCS#11 modules in Settings, in Chromium against browser
 * mode, with a SoftHSM2 token: flags, objects, a PIN check (wrong, then right), and a vendor
 * module added and removed. SoftHSM2 never locks a PIN; locking is tested on the PIV card.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { buildConstructorLibrary, privateLibraryFolder } from '../support/constructor-library';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { createSoftHsm, type SoftHsm } from '../support/softhsm';

let softhsm: SoftHsm;
let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let libraries: string;

beforeAll(async () => {
  softhsm = await createSoftHsm({ label: 'CardDesk Screen Test', userPin: '246810', soPin: '13579135' });
  const key = await softhsm.pkcs11Tool(['--login', '--pin', softhsm.userPin, '--keypairgen', '--key-type', 'EC:prime256v1', '--id', '01', '--label', 'desk-key']);
  expect(key.code, key.stderr).toBe(0);
  libraries = privateLibraryFolder();
  buildConstructorLibrary(join(libraries, 'libacme-pkcs11.so'));
  host = await startHostProcess();
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.goto(`${host.url}#/cards`);
  await page.getByTestId('tab-tokens').click();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  softhsm?.remove();
  rmSync(libraries, { force: true, recursive: true });
});

const row = () => page.locator('[data-testid="token-row"][data-token-label="CardDesk Screen Test"]');

describe('PKCS#11 tokens', () => {
  it('lists the SoftHSM2 token with its flags', async () => {
    await row().waitFor({ timeout: 20_000 });
    expect(await row().textContent()).toMatch(/SoftHSM2/);
    expect(await row().textContent()).toMatch(/Login required/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('checks the PIN: a wrong one is refused and marked, the right one accepted', async () => {
    const checkPin = () => row().locator('[data-testid^="token-check-pin-"]');
    await checkPin().click();
    await page.getByTestId('field-pin').fill('000000');
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('dialog-problem').textContent()).toBe('Wrong PIN.');
    await page.keyboard.press('Escape');
    await expect.poll(() => row().textContent(), { timeout: 15_000 }).toMatch(/Wrong PIN entered before/);

    await checkPin().click();
    await page.getByTestId('field-pin').fill(softhsm.userPin);
    await page.getByTestId('dialog-submit').click();
    await expect.poll(() => page.getByTestId('tokens-message').textContent()).toBe('The token accepted the PIN.');
  });

  it('shows the token’s objects', async () => {
    // The row's own button: the list re-renders after the PIN check, so no index taken before.
    await row().locator('[data-testid^="token-objects-"]').click();
    await expect.poll(() => page.getByTestId('token-objects').textContent()).toMatch(/Public key · desk-key · EC/);
  });
});

describe('PKCS#11 modules in Settings', () => {
  it('lists OpenSC and SoftHSM2; refuses a module outside the allowed folders; adds one from a folder an administrator allowed, and removes both again', async () => {
    await page.goto(`${host.url}#/settings`);
    const softhsm2 = page.locator('[data-testid="pkcs11-module-row"][data-module-id="softhsm2"]');
    await softhsm2.waitFor({ timeout: 20_000 });
    expect(await softhsm2.getAttribute('data-state')).toBe('loaded');
    // The vault is unlocked (an administrator's session): adding modules and folders needs it.
    expect(await page.evaluate(() => (window as unknown as { carddesk: { vault: { init(a: { passphrase: string }): Promise<{ ok: boolean }> } } }).carddesk.vault.init({ passphrase: 'correct horse battery staple' }))).toMatchObject({ ok: true });
    await page.getByTestId('pkcs11-module-name').fill('Acme Token');
    await page.getByTestId('pkcs11-module-path').fill('/opt/acme/libacme-pkcs11.so');
    await page.getByTestId('pkcs11-module-add').click();
    await expect.poll(() => page.getByTestId('pkcs11-module-problem').textContent(), { timeout: 10_000 }).toBe(en.errors.MODULE_PATH_REFUSED);
    expect(await page.locator('[data-testid="pkcs11-module-row"][data-module-id="vendor-acme-token"]').count()).toBe(0);

    await page.getByTestId('pkcs11-library-folder-path').fill(libraries);
    await page.getByTestId('pkcs11-library-folder-add').click();
    await page.getByTestId('pkcs11-library-folder').getByText(libraries).waitFor();
    await page.getByTestId('pkcs11-module-path').fill(join(libraries, 'libacme-pkcs11.so'));
    await page.getByTestId('pkcs11-module-add').click();
    const acme = page.locator('[data-testid="pkcs11-module-row"][data-module-id="vendor-acme-token"]');
    await acme.waitFor();
    expect(await acme.getAttribute('data-state')).toBe('unavailable');
    expect(await acme.textContent()).toContain(en.settings.pkcs11.problem.notPkcs11Library);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await acme.getByRole('button').click();
    await expect.poll(() => acme.count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('pkcs11-library-folder').getByRole('button').click();
    await expect.poll(() => page.getByTestId('pkcs11-library-folder').count(), { timeout: 10_000 }).toBe(0);
    expect(watched.errors).toEqual([]);
  });
});
