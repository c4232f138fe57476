/**
 * The first run in Chromium against browser mode: a new data folder opens the welcome flow (vault
 * passphrase → CA → issuance policy → first holder), each step through the desk's own forms, resumed
 * after a reload and in another browser profile (skipped steps are kept with the desk's settings);
 * the vault's lock state in the app bar locks and unlocks; a second CardDesk on the
 * same data folder says so on its page, and in one line without a stack on its terminal. Each
 * welcome step is saved as a screenshot per language (CARDDESK_SHOTS, default a temporary folder).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { PASSPHRASE } from '../support/vault-fixtures';

const locales = { en, sq, it: it_, nl } as const;
type Language = keyof typeof locales;
const shots = process.env['CARDDESK_SHOTS'] ?? join(tmpdir(), 'carddesk-welcome-shots');

let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;

async function settle(): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
}

/** The current welcome step in every language: its heading, no sideways scrolling, a screenshot. */
async function inEveryLanguage(step: string): Promise<void> {
  for (const language of Object.keys(locales) as Language[]) {
    await page.evaluate((chosen) => window.localStorage.setItem('carddesk.language', chosen), language);
    await page.reload();
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe(step);
    await expect.poll(() => page.locator('h1').textContent()).toBe(locales[language].welcome.title);
    await settle();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), `${language} ${step}`).toBe(true);
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/\{\{/);
    await page.screenshot({ path: join(shots, `welcome-${step}-${language}.png`) });
  }
  await page.evaluate(() => window.localStorage.setItem('carddesk.language', 'en'));
  await page.reload();
  await expect.poll(() => page.locator('h1').textContent()).toBe(en.welcome.title);
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  host = await startHostProcess();
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
  await page.setViewportSize({ width: 1024, height: 768 });
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the first run', () => {
  it('opens the welcome flow on a new data folder, at the vault passphrase', async () => {
    await page.goto(host.url);
    await expect.poll(() => page.url()).toMatch(/#\/welcome$/);
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe('vault');
    expect(await page.getByTestId('welcome-skip').count()).toBe(0);
    // No vault yet: nothing to lock in the app bar.
    expect(await page.getByTestId('vault-bar-lock').count()).toBe(0);
    await inEveryLanguage('vault');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('sets the passphrase and creates the CA with the CA wizard, then goes on to the policy', async () => {
    await page.getByTestId('welcome-start').click();
    await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
    await page.getByTestId('vault-passphrase-repeat').fill(PASSPHRASE);
    await page.getByTestId('ca-wizard-next').click();
    await page.getByTestId('ca-wizard-root-name').fill('CN=Welcome Root, O=CardDesk E2E, C=XK');
    await page.getByTestId('ca-wizard-issuing-name').fill('CN=Welcome Issuing, O=CardDesk E2E, C=XK');
    await page.getByTestId('ca-wizard-root-years').fill('15');
    await page.getByTestId('ca-wizard-issuing-years').fill('5');
    await page.getByTestId('ca-wizard-create').click();
    await page.getByText(en.certificates.wizard.done).waitFor({ timeout: 30_000 });
    // The validity chosen in the form is the certificates' validity.
    const ca = (await page.evaluate(() => (window as unknown as { carddesk: { ca: { status(): Promise<unknown> } } }).carddesk.ca.status())) as { value: { certificates: { role: string; notBefore: string; notAfter: string }[] } };
    const years = (role: string): number => {
      const certificate = ca.value.certificates.find((c) => c.role === role);
      return Math.round((Date.parse(certificate?.notAfter ?? '') - Date.parse(certificate?.notBefore ?? '')) / (365.25 * 86_400_000));
    };
    expect([years('root'), years('issuing')]).toEqual([15, 5]);
    await page.getByRole('button', { name: en.common.close }).click();
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe('policy');
    expect(await page.getByTestId('welcome-step-vault').getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('welcome-step-ca').getAttribute('data-state')).toBe('done');
    await inEveryLanguage('policy');
  });

  it('resumes where it stopped when the app is opened again', async () => {
    await page.goto(`${host.url.split('#')[0]}`);
    await expect.poll(() => page.url()).toMatch(/#\/welcome$/);
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe('policy');
  });

  it('saves the policy with the Settings form, then asks for the first holder (skippable)', async () => {
    await page.getByTestId('policy-save').click();
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe('holder');
    await inEveryLanguage('holder');
    await page.getByTestId('welcome-skip').click();
    await expect.poll(() => page.getByTestId('welcome').getAttribute('data-step')).toBe('finished');
    expect(await page.getByTestId('welcome-step-holder').getAttribute('data-state')).toBe('skipped');
    await inEveryLanguage('finished');
    // Set up: the desk now opens at the Cards screen.
    await page.goto(host.url.split('#')[0] ?? host.url);
    await expect.poll(() => page.url()).toMatch(/#\/cards$/);
    // The skipped step is the desk's, not this browser profile's: another profile (another
    // window, another operator's browser) opens at the Cards screen too.
    const settings = JSON.parse(readFileSync(join(host.home, 'settings.json'), 'utf8')) as { welcome?: unknown };
    expect(settings.welcome).toEqual({ skipped: ['holder'], policyDone: true });
    const other = await openPage(browser);
    try {
      await other.page.goto(host.url);
      await expect.poll(() => other.page.url()).toMatch(/#\/cards$/);
      expect(other.errors).toEqual([]);
    } finally {
      await other.page.context().close();
    }
  });

  it('locks and unlocks the vault from the app bar', async () => {
    const bar = page.getByTestId('vault-bar-lock');
    const unlockFromBar = async (): Promise<void> => {
      await bar.click();
      await page.getByTestId('vault-unlock-dialog').waitFor();
      await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
      await page.getByTestId('vault-unlock-submit').click();
      // scrypt takes its time on a busy machine.
      await expect.poll(() => bar.getAttribute('data-state'), { timeout: 20_000 }).toBe('unlocked');
    };
    await bar.waitFor();
    // A reload of the page may have locked it (the desk locks when its last window goes).
    if ((await bar.getAttribute('data-state')) === 'locked') {
      expect(await bar.textContent()).toBe(en.welcome.bar.locked);
      await unlockFromBar();
    }
    expect(await bar.textContent()).toBe(en.welcome.bar.unlocked);
    await bar.click();
    await expect.poll(() => bar.getAttribute('data-state')).toBe('locked');
    expect(await bar.textContent()).toBe(en.welcome.bar.locked);
    await unlockFromBar();
    expect(watched.errors).toEqual([]);
  });

  it('tells a second CardDesk on the same data folder so on its page, and without a stack on its terminal', async () => {
    const second = await startHostProcess({ home: host.home });
    try {
      const other = await openPage(browser);
      await other.page.goto(second.url);
      await other.page.getByTestId('vault-in-use').waitFor({ timeout: 10_000 });
      expect(await other.page.getByTestId('vault-in-use').textContent()).toBe(en.errors.VAULT_IN_USE);
      await other.page.evaluate(() => window.localStorage.setItem('carddesk.language', 'sq'));
      await other.page.reload();
      await expect.poll(() => other.page.getByTestId('vault-in-use').textContent()).toBe(sq.errors.VAULT_IN_USE);
      await other.page.screenshot({ path: join(shots, 'second-instance-sq.png') });
      expect(second.output()).toMatch(/in use by PID \d+/);
      if (/"stack"|\n\s+at \S+ \(/.test(second.output())) throw new Error(second.output());
      await other.page.context().close();
    } finally {
      await second.stop();
    }
  });
});
