/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download cannot work on
 * machines that reach only package registries). Every page records console errors and page
 * errors, so a test can insist on none, and its whole console log, so a failed test can leave
 * a screenshot and the log behind (see failure-artifacts.ts).
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CARDDESK_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far. */
  readonly errors: string[];
  /** Every console message and page error seen so far, one line each. */
  readonly log: string[];
}

/** Pages of this test file whose context is still open; a failed test saves each of them. */
export const openPages = new Set<WatchedPage>();

export async function openPage(browser: Browser, options: { colorScheme?: 'light' | 'dark'; locale?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light', locale: options.locale ?? 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  const log: string[] = [];
  page.on('console', (message) => {
    log.push(`${new Date().toISOString()} ${message.type()}: ${message.text()}`);
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    log.push(`${new Date().toISOString()} pageerror: ${error.stack ?? error.message}`);
    errors.push(`page: ${error.message}`);
  });
  const watched: WatchedPage = { page, errors, log };
  openPages.add(watched);
  context.on('close', () => openPages.delete(watched));
  return watched;
}
