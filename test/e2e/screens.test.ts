/**
 * Every desk screen in every language, in the real renderer in Chromium against browser mode:
 * the right heading, no console errors, no serious or critical accessibility violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';

const locales = { en, sq, it: it_, nl } as const;
type Language = keyof typeof locales;
type Locale = (typeof locales)[Language];

const screens: { path: string; nav: (l: Locale) => string; heading: (l: Locale) => string }[] = [
  { path: 'users', nav: (l) => l.nav.users, heading: (l) => l.nav.users },
  { path: 'cards', nav: (l) => l.nav.cards, heading: (l) => l.cards.title },
  { path: 'certificates', nav: (l) => l.nav.certificates, heading: (l) => l.nav.certificates },
  { path: 'contracts', nav: (l) => l.nav.contracts, heading: (l) => l.nav.contracts },
  { path: 'access-history', nav: (l) => l.nav.accessHistory, heading: (l) => l.nav.accessHistory },
  { path: 'settings', nav: (l) => l.nav.settings, heading: (l) => l.settings.title },
];

let host: HostProcess;
let browser: Browser;

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function chooseLanguage(watched: WatchedPage, language: Language): Promise<void> {
  await watched.page.getByTestId('language-button').click();
  await watched.page.getByTestId(`language-${language}`).click();
  await expect.poll(() => watched.page.evaluate(() => document.documentElement.lang)).toBe(language);
}

describe.each(Object.keys(locales) as Language[])('the desk in %s', (language) => {
  const locale = locales[language];

  it.each(['light', 'dark'] as const)('shows every screen in the %s theme, accessibly and without errors', async (scheme) => {
    const watched = await openPage(browser, { colorScheme: scheme });
    const { page } = watched;
    await page.goto(host.url);
    await page.getByTestId('app-title').waitFor();
    await chooseLanguage(watched, language);
    // The theme follows the system's preference until the operator picks one.
    await expect.poll(() => page.getByTestId('theme-toggle').getAttribute('data-mode')).toBe(scheme);
    const navLabels = await page.locator('nav[aria-label] a').allTextContents();
    expect(navLabels).toEqual(screens.map((screen) => screen.nav(locale)));

    for (const screen of screens) {
      await page.getByTestId(`nav-${screen.path}`).click();
      await expect.poll(() => page.url()).toMatch(new RegExp(`#/${screen.path}$`));
      await expect.poll(() => page.locator('h1').textContent()).toBe(screen.heading(locale));
      expect(await seriousAccessibilityViolations(page), `${language} ${scheme} ${screen.path}`).toEqual([]);
    }
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });
});

describe('the desk shell', () => {
  it('keeps the chosen language and theme across a reload', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    // A new data folder opens the welcome flow; the Cards screen is asked for by name.
    await page.goto(`${host.url}#/cards`);
    await chooseLanguage(watched, 'nl');
    await page.getByTestId('theme-toggle').click();
    await page.reload();
    await page.getByTestId('app-title').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
    expect(await page.getByTestId('theme-toggle').getAttribute('data-mode')).toBe('dark');
    expect(await page.locator('h1').textContent()).toBe(nl.cards.title);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });

  it('shows the real installation facts on Settings', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('settings-data-folder').waitFor();
    expect(await page.getByTestId('settings-data-folder').textContent()).toBe(host.home);
    expect(await page.getByTestId('settings-mode').textContent()).toBe(en.settings.modeBrowser);
    expect(await page.getByTestId('settings-version').textContent()).toMatch(/^CardDesk \d+\.\d+\.\d+/);
    await page.context().close();
  });

  it('opens the Contracts screen with its list and the file check, not a placeholder', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.url}#/contracts`);
    await page.getByTestId('contracts-screen').waitFor();
    await expect.poll(() => page.getByTestId('contracts-total').textContent()).toBe(en.contracts.total.replace('{{count}}', '0'));
    expect(await page.getByTestId('contracts-check-file').textContent()).toBe(en.contracts.checkFile.button);
    // An empty desk says why the list is empty and where contracts come from; a search that finds nothing says so instead.
    expect(await page.getByTestId('contracts-empty').textContent()).toBe(en.contracts.empty.none);
    await page.getByTestId('contracts-search').fill('nobody');
    await expect.poll(() => page.getByTestId('contracts-empty').textContent()).toBe(en.contracts.empty.noMatch);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });
});
