/**
 * Words and layout in every language, in the real renderer in Chromium against browser mode, on a
 * desk with a vault, a CA, a holder and a certificate: every screen fits 1024×768 and 1440×900 without
 * horizontal scrolling in en, sq, it and nl; no {{placeholder}} reaches a screen; Albanian dates are
 * Albanian although Chromium has no Albanian locale data; the Settings counts follow a change without
 * a reload; the integrity badge says how many records it checked.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { allLines } from '../support/audit';
import { launchBrowser, openPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';

const locales = { en, sq, it: it_, nl } as const;
type Language = keyof typeof locales;
const sizes = [
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
] as const;

let host: HostProcess;
let browser: Browser;
let holderId = '';
let serial = '';

/** Calls `window.carddesk.<feature>.<verb>(args)` in the page and returns the value (throws on an error envelope). */
async function call<T>(page: Page, feature: string, verb: string, args?: unknown): Promise<T> {
  const envelope = await page.evaluate(
    ([f, v, a]) => (window as unknown as { carddesk: Record<string, Record<string, (x: unknown) => Promise<unknown>>> }).carddesk[f]?.[v]?.(a),
    [feature, verb, args] as const,
  );
  const result = envelope as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!result.ok) throw new Error(`${feature}.${verb}: ${result.error?.code} ${result.error?.message}`);
  return result.value as T;
}

async function openIn(language: Language, size: { width: number; height: number }) {
  const watched = await openPage(browser);
  await watched.page.setViewportSize(size);
  // The language the operator chose last time, as the app keeps it.
  await watched.page.addInitScript((chosen) => window.localStorage.setItem('carddesk.language', chosen), language);
  return watched;
}

/** Waits until the screen has its heading and nothing is moving or loading. */
async function settle(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running') && document.querySelector('[role="progressbar"]') === null, undefined, { timeout: 10_000 }).catch(() => undefined);
}

/** The page's overflow and, when it overflows, the elements that stick out past the right edge. */
function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(0, 6)
      .map((element) => `${element.tagName.toLowerCase()}${element.getAttribute('data-testid') === null ? '' : `[${element.getAttribute('data-testid')}]`}.${[...element.classList].slice(0, 2).join('.')} right=${Math.round(element.getBoundingClientRect().right)}`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits };
  });
}

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchBrowser();
  const { page } = await openPage(browser);
  await page.goto(host.url);
  await page.getByTestId('app-title').waitFor();
  await call(page, 'vault', 'init', { passphrase: PASSPHRASE });
  await call(page, 'ca', 'init', { rootSubject: 'CN=Layout Root, O=CardDesk E2E, C=XK', issuingSubject: 'CN=Layout Issuing, O=CardDesk E2E, C=XK' });
  const saved = await call<{ ok: boolean; holder: { id: string } }>(page, 'holders', 'create', holderInput(1, { firstName: 'Bajram', lastName: 'Krasniqi-Gashi' }));
  holderId = saved.holder.id;
  const request = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  serial = (await call<{ serial: string }>(page, 'certificates', 'issue', { profile: 'authentication', request, holderId })).serial;
  await page.context().close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

const screens = (): string[] => ['users', `users/${holderId}`, 'cards', 'certificates', 'certificates/ca', `certificates/${serial}`, 'contracts', 'access-history', 'settings', 'welcome'];

describe.each(Object.keys(locales) as Language[])('the desk in %s', (language) => {
  it.each(sizes)('fits every screen at $width×$height without scrolling sideways or a {{placeholder}}', async (size) => {
    const { page, errors } = await openIn(language, size);
    await page.goto(host.url);
    await page.getByTestId('app-title').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(language);
    const problems: string[] = [];
    for (const screen of screens()) {
      await page.goto(`${host.url}#/${screen}`);
      await settle(page);
      const { scrollWidth, clientWidth, culprits } = await overflow(page);
      if (scrollWidth > clientWidth) problems.push(`${screen}: scrollWidth ${scrollWidth} > ${clientWidth}: ${culprits.join(', ')}`);
      // Text set as code (a template's own {{to}} syntax, documented on Settings) is literal, not a missed interpolation.
      const text = await page.evaluate(() => {
        let shown = document.body.innerText;
        for (const code of Array.from(document.querySelectorAll('body code'))) shown = shown.replace(code.textContent ?? '', '');
        return shown;
      });
      if (/\{\{|\}\}/.test(text)) problems.push(`${screen}: a placeholder shows: ${/.{0,40}\{\{.{0,40}/.exec(text)?.[0]}`);
    }
    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

describe('dates and numbers in the chosen language', () => {
  const englishMonths = /\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/;
  const albanianMonths = /\b\d{1,2} (jan|shk|mar|pri|maj|qer|korr|gush|sht|tet|nën|dhj) \d{4}\b/;

  it('writes Albanian dates although Chromium has no Albanian locale data', async () => {
    const { page } = await openIn('sq', sizes[1]);
    // The premise: this Chromium formats 'sq' as English by itself.
    expect(await page.evaluate(() => Intl.DateTimeFormat.supportedLocalesOf(['sq']))).toEqual([]);
    await page.goto(`${host.url}#/certificates/${serial}`);
    await settle(page);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toMatch(albanianMonths);
    expect(text).not.toMatch(englishMonths);
    await page.goto(`${host.url}#/access-history`);
    await expect.poll(() => page.locator('table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('table tbody').innerText()).toMatch(albanianMonths);
    await page.context().close();
  });
});

describe('counts that follow the desk', () => {
  it('updates the Settings counts when a holder is added, without a reload', async () => {
    const { page } = await openIn('en', sizes[1]);
    await page.goto(`${host.url}#/settings`);
    const counts = page.getByTestId('vault-counts');
    await expect.poll(() => counts.textContent()).toMatch(/^Holders: \d+/);
    const before = Number(/^Holders: (\d+)/.exec((await counts.textContent()) ?? '')?.[1]);
    await call(page, 'holders', 'create', holderInput(2));
    await expect.poll(() => counts.textContent(), { timeout: 5000 }).toMatch(new RegExp(`^Holders: ${before + 1} `));
    await page.context().close();
  });

  it('says in the integrity badge how many records it checked', async () => {
    const { page } = await openIn('en', sizes[1]);
    await page.goto(`${host.url}#/access-history`);
    const badge = page.getByTestId('audit-integrity');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 10_000 }).toBe('intact');
    // What is in the files now is what the next check reads; the check itself is recorded after it.
    const records = allLines(join(host.home, 'audit')).length;
    expect(records).toBeGreaterThan(3);
    await page.getByTestId('audit-recheck').click();
    const label = badge.locator('.MuiChip-label').first();
    await expect.poll(() => label.textContent(), { timeout: 10_000 }).toBe(en.accessHistory.integrity.intact.replace('{{records}}', records.toLocaleString('en')));
    expect(await badge.getAttribute('data-records')).toBe(String(records));
    await page.context().close();
  });
});
