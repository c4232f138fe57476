/**
 * The kiosk (browser mode with --kiosk): only the holder's routes, large language buttons, the PIN
 * promise, in every language, accessible and without console errors.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { waitUntil } from '../support/wait';

const locales = { en, sq, it: it_, nl } as const;

let host: HostProcess;
let browser: Browser;

beforeAll(async () => {
  host = await startHostProcess({ kiosk: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the kiosk', () => {
  it.each(Object.keys(locales) as (keyof typeof locales)[])('welcomes the holder in %s', async (language) => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(host.url);
    await page.getByTestId('kiosk-welcome').waitFor();
    await page.getByTestId(`kiosk-language-${language}`).click();
    const locale = locales[language];
    await expect.poll(() => page.locator('h1').textContent()).toBe(locale.kiosk.welcome);
    expect(await page.locator('footer').textContent()).toBe(locale.kiosk.neverAskPin);
    expect(await page.getByTestId(`kiosk-language-${language}`).getAttribute('aria-pressed')).toBe('true');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });

  // The holder's own screens too: without a card session on this page there is nothing to show.
  it.each(['#/users', '#/cards', '#/settings', '#/certificates', '#/nowhere', '#/kiosk/pin', '#/kiosk/unblock', '#/kiosk/activate', '#/kiosk/home'])('sends %s back to the holder’s welcome', async (hash) => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.url}${hash}`);
    await page.getByTestId('kiosk-welcome').waitFor();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/kiosk');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    await page.context().close();
  });

  it('says plainly when it cannot take a card, and offers no PIN pad', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.setViewportSize({ width: 1080, height: 1920 });
    await page.goto(host.url);
    await page.getByTestId('kiosk-welcome').waitFor();
    // No PC/SC service here (or no reader): the kiosk says so in words, whichever it found first.
    const said = page.locator('[data-testid="kiosk-out-of-service"], [data-testid="kiosk-unavailable"]');
    await said.waitFor({ timeout: 15_000 });
    const text = await said.textContent();
    expect([en.kiosk.outOfService.noReaderService, en.kiosk.serviceDown, en.kiosk.noReader]).toContain(text);
    expect(await page.getByTestId('kiosk-pin-pad').count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });

  it('has touch-sized language buttons', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(host.url);
    for (const language of Object.keys(locales)) {
      const box = await page.getByTestId(`kiosk-language-${language}`).boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(44);
      expect(box?.width).toBeGreaterThanOrEqual(44);
    }
    await page.context().close();
  });

  it('says it is out of service when started beside a running desk on the same data folder', async () => {
    // The first process holds the data folder (and its vault); a second one started with --kiosk on it must not pretend to serve.
    const desk = await startHostProcess({});
    // The desk answers before its services have started: wait until it holds the vault, else the kiosk may take it first.
    await waitUntil(() => existsSync(join(desk.home, 'vault', 'vault.lock')), 30_000, 'the desk to hold the vault');
    const second = await startHostProcess({ kiosk: true, home: desk.home });
    try {
      const watched = await openPage(browser);
      const { page } = watched;
      await page.goto(second.url);
      await page.getByTestId('kiosk-welcome').waitFor();
      await expect.poll(() => page.getByTestId('kiosk-out-of-service').textContent(), { timeout: 15_000 }).toBe(en.kiosk.outOfService.dataFolderInUse);
      expect(await page.getByTestId('kiosk-pin-pad').count()).toBe(0);
      // In words on the page, one line in its log: no stack trace for the holder or the terminal.
      expect(second.output()).not.toMatch(/\n\s+at /);
      expect(watched.errors).toEqual([]);
      await page.context().close();
    } finally {
      await second.stop();
      await desk.stop();
    }
  });

  it('reports itself as the kiosk surface', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(host.url);
    await page.getByTestId('kiosk-welcome').waitFor();
    const info = await page.evaluate(() => (window as unknown as { carddesk: { app: { info(): Promise<unknown> } } }).carddesk.app.info());
    expect(info).toMatchObject({ ok: true, value: { surface: 'kiosk', mode: 'browser' } });
    await page.context().close();
  });
});
