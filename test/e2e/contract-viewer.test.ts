/**
 * The contract viewer against hostile PDFs, in Chromium against browser mode, the operator's way:
 * Contracts → "Check a PDF file" → a local file. For every file: no script of the document runs
 * (no global set, no dialog), nothing navigates or opens a window, no request leaves the app's
 * origin, the viewer shows the first page or a translated error within 5 s, and the desk still
 * works afterwards. The files are built at test time (test/support/hostile-pdfs.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { contractsTestIds } from '../../renderer/src/features/contracts/testIds';
import { viewerTestIds } from '../../renderer/src/features/contracts/viewer/testIds';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { openHostSession } from '../support/host-session';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { actionsPdf, deeplyNestedPdf, fontMatrixPdf, HOSTILE_URL, javascriptPdf, manyPagesPdf, plainPdf, pngBytes, PWNED_GLOBAL, truncatedPdf } from '../support/hostile-pdfs';
import { PASSPHRASE } from '../support/vault-fixtures';

/** What ContractsScreen accepts in browser mode. */
const MAX_CHECKED_BYTES = 750 * 1024;
/** The brief's bound: the first page or an error within this time of choosing the file. */
const RESULT_WITHIN_MS = 5_000;

let host: HostProcess;
let browser: Browser;

beforeAll(async () => {
  host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  const session = await openHostSession(host);
  const init = await session.call('vault:init', { passphrase: PASSPHRASE });
  session.close();
  expect(init.envelope).toMatchObject({ ok: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

interface Watch {
  readonly watched: WatchedPage;
  readonly page: Page;
  readonly dialogs: string[];
  readonly popups: string[];
  readonly foreignRequests: string[];
  readonly navigations: string[];
  readonly contractsUrl: string;
}

/** The Contracts screen in a fresh page, with everything a hostile file could set off recorded. */
async function openContracts(): Promise<Watch> {
  const watched = await openPage(browser);
  const { page } = watched;
  const dialogs: string[] = [];
  const popups: string[] = [];
  const foreignRequests: string[] = [];
  const navigations: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('popup', (popup) => popups.push(popup.url()));
  page.context().on('page', (other) => {
    if (other !== page) popups.push(other.url());
  });
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== host.origin) foreignRequests.push(url);
  });
  // Straight to the Contracts screen: from the start address a new data folder goes on to the welcome flow,
  // and a click racing that redirect could land there instead.
  await page.goto(`${host.url}#/contracts`);
  await page.getByTestId('app-title').waitFor();
  await page.getByTestId(contractsTestIds.screen).waitFor();
  const contractsUrl = page.url();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  return { watched, page, dialogs, popups, foreignRequests, navigations, contractsUrl };
}

/** Chooses `bytes` as the operator would; resolves with the viewer's state once it has a result. */
async function checkFile(watch: Watch, fileName: string, bytes: Buffer): Promise<{ state: string; elapsed: number }> {
  expect(bytes.length, `${fileName} must be small enough for the desk to take`).toBeLessThanOrEqual(MAX_CHECKED_BYTES);
  const { page } = watch;
  const started = Date.now();
  await page.getByTestId(contractsTestIds.checkFileInput).setInputFiles({ name: fileName, mimeType: fileName.endsWith('.pdf') ? 'application/pdf' : 'image/png', buffer: bytes });
  const viewer = page.getByTestId(viewerTestIds.viewer);
  // A result: page 1 drawn (or its own failure notice), or the viewer's error.
  const result = page.locator(
    `[data-testid="${viewerTestIds.error}"], [data-testid="${viewerTestIds.page(1)}"][data-state="rendered"], [data-testid="${viewerTestIds.page(1)}"][data-state="failed"]`,
  );
  await result.first().waitFor({ timeout: RESULT_WITHIN_MS });
  const elapsed = Date.now() - started;
  const state = (await viewer.getAttribute('data-state')) ?? '';
  return { state, elapsed };
}

/** Nothing the document carried ran, navigated, opened or fetched. */
async function expectNothingHappened(watch: Watch): Promise<void> {
  const { page } = watch;
  // Script from the file would have had time to run while the page was drawn; give stragglers a moment.
  await page.waitForTimeout(300);
  expect(await page.evaluate((name) => (window as unknown as Record<string, unknown>)[name], PWNED_GLOBAL)).toBeUndefined();
  expect(watch.dialogs).toEqual([]);
  expect(watch.popups).toEqual([]);
  expect(watch.foreignRequests).toEqual([]);
  expect(watch.navigations).toEqual([]);
  expect(page.url()).toBe(watch.contractsUrl);
  expect(page.context().pages()).toHaveLength(1);
  // Uncaught errors in the page would mean the viewer lost control of the file.
  expect(watch.watched.errors.filter((error) => error.startsWith('page:'))).toEqual([]);
}

/** The desk still works: another screen and back, and a plain file opens in the viewer. */
async function expectDeskUsable(watch: Watch): Promise<void> {
  const { page } = watch;
  await page.getByTestId('nav-cards').click();
  await expect.poll(() => page.locator('h1').textContent()).toBe(en.cards.title);
  await page.getByTestId('nav-contracts').click();
  await page.getByTestId(contractsTestIds.screen).waitFor();
  expect(await page.locator('h1').textContent()).toBe(en.nav.contracts);
  const { state } = await checkFile(watch, 'after.pdf', plainPdf('After the hostile file'));
  expect(state).toBe('ready');
  await page.getByTestId(viewerTestIds.page(1)).and(page.locator('[data-state="rendered"]')).waitFor({ timeout: RESULT_WITHIN_MS });
  expect(await page.getByTestId(viewerTestIds.pages).textContent()).toContain('After the hostile file');
  // Those were the test's own moves between screens, not the document's.
  watch.navigations.splice(0);
}

const failure = (reason: keyof typeof en.contracts.viewer.failure, fileName: string): string => en.contracts.viewer.failure[reason].replace('{{fileName}}', fileName);

async function expectRenderedFirstPage(watch: Watch, text: string): Promise<void> {
  const { page } = watch;
  const first = page.getByTestId(viewerTestIds.page(1));
  await expect.poll(() => first.getAttribute('data-state'), { timeout: RESULT_WITHIN_MS }).toBe('rendered');
  expect(await first.textContent()).toContain(text);
  // The canvas holds a drawing, not a blank rectangle.
  const inked = await first.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (context === null) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 128) dark += 1;
    return dark;
  });
  expect(inked).toBeGreaterThan(50);
}

describe('the contract viewer', () => {
  it('is served under a Content-Security-Policy without unsafe-eval, and shows a plain file', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const response = await page.request.get(host.origin + '/');
    const header = response.headers()['content-security-policy'] ?? '';
    const meta = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    expect(header).toContain("script-src 'self'");
    for (const policy of [header, meta]) expect(policy.replaceAll("'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');

    const { state, elapsed } = await checkFile(watch, 'plain.pdf', plainPdf());
    expect(state).toBe('ready');
    expect(elapsed).toBeLessThan(RESULT_WITHIN_MS);
    await expectRenderedFirstPage(watch, 'CardDesk test document');
    expect(await page.getByTestId(viewerTestIds.pageIndicator).textContent()).toBe(en.contracts.viewer.ofPages.replace('{{total}}', '1'));
    await page.screenshot({ path: '/tmp/viewer-normal.png' });
    await expectNothingHappened(watch);
    await page.context().close();
  });

  it('CVE-2024-4367: a Type1 font whose /FontMatrix carries script draws its glyphs and runs nothing', async () => {
    const watch = await openContracts();
    const { state } = await checkFile(watch, 'font-matrix.pdf', fontMatrixPdf());
    expect(state).toBe('ready');
    await expectRenderedFirstPage(watch, 'Font matrix check');
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await expectNothingHappened(watch);
    await watch.page.context().close();
  });

  it('document JavaScript in /Names and /OpenAction does not run', async () => {
    const watch = await openContracts();
    const { state } = await checkFile(watch, 'javascript.pdf', javascriptPdf());
    expect(state).toBe('ready');
    await expectRenderedFirstPage(watch, 'A document with JavaScript');
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await watch.page.context().close();
  });

  it('a /URI link and a /Launch link are shown as links but clicking them neither navigates nor opens anything', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const { state } = await checkFile(watch, 'actions.pdf', actionsPdf());
    expect(state).toBe('ready');
    await expectRenderedFirstPage(watch, 'Links that must not be followed');
    const links = page.getByTestId(viewerTestIds.link);
    await expect.poll(() => links.count(), { timeout: RESULT_WITHIN_MS }).toBe(2);
    const titles = await links.evaluateAll((elements) => elements.map((element) => element.getAttribute('title') ?? ''));
    expect(titles).toContain(en.contracts.viewer.linkNotFollowedTo.replace('{{target}}', HOSTILE_URL));
    for (let index = 0; index < 2; index += 1) {
      await links.nth(index).click();
      await links.nth(index).click({ modifiers: ['Control'] });
      await links.nth(index).click({ button: 'middle' });
      await links.nth(index).dblclick();
    }
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await watch.page.context().close();
  });

  it('a 20,000-page file opens at page 1 within 5 s, and its last page can be reached', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const bytes = manyPagesPdf(20_000);
    const { state } = await checkFile(watch, 'twenty-thousand-pages.pdf', bytes);
    expect(state).toBe('ready');
    await expectRenderedFirstPage(watch, 'One of twenty thousand pages');
    expect(await page.getByTestId(viewerTestIds.pageIndicator).textContent()).toBe(en.contracts.viewer.ofPages.replace('{{total}}', '20000'));
    // Only pages near the view are in the page: 20,000 would freeze it.
    expect(await page.locator('[data-testid^="pdf-page-"][role="group"]').count()).toBeLessThan(20);
    await page.getByTestId(viewerTestIds.pages).focus();
    await page.keyboard.press('End');
    const last = page.getByTestId(viewerTestIds.page(20_000));
    await expect.poll(() => last.getAttribute('data-state'), { timeout: RESULT_WITHIN_MS }).toBe('rendered');
    expect(await page.getByTestId(viewerTestIds.pageInput).inputValue()).toBe('20000');
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await page.context().close();
  });

  it('arrays nested 100,000 deep: page 1 says it cannot be shown within 5 s, and the desk keeps working', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const { state } = await checkFile(watch, 'deep.pdf', deeplyNestedPdf(100_000));
    // The document opens (its page tree is sound); pdf.js cannot build page 1 past its nested
    // annotations, so the page says so in words instead of hanging or taking the viewer down.
    expect(state).toBe('ready');
    const first = page.getByTestId(viewerTestIds.page(1));
    await expect.poll(() => first.getAttribute('data-state'), { timeout: RESULT_WITHIN_MS }).toBe('failed');
    expect(await first.getByTestId(viewerTestIds.pageError).textContent()).toBe(en.contracts.viewer.pageFailed);
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await page.context().close();
  });

  it('a PDF cut in half says it is damaged or incomplete', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const { state } = await checkFile(watch, 'cut.pdf', truncatedPdf());
    expect(state).toBe('failed');
    const error = page.getByTestId(viewerTestIds.error);
    expect(await error.getAttribute('data-reason')).toBe('damaged');
    expect(await error.textContent()).toBe(failure('damaged', 'cut.pdf'));
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await page.context().close();
  });

  it('a PNG image says it is not a PDF document', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const { state } = await checkFile(watch, 'picture.png', pngBytes());
    expect(state).toBe('failed');
    const error = page.getByTestId(viewerTestIds.error);
    expect(await error.getAttribute('data-reason')).toBe('notPdf');
    expect(await error.textContent()).toBe(failure('notPdf', 'picture.png'));
    await page.screenshot({ path: '/tmp/viewer-error.png' });
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await page.context().close();
  });

  it('plain text named .pdf says it is not a PDF document', async () => {
    const watch = await openContracts();
    const { page } = watch;
    const { state } = await checkFile(watch, 'notes.pdf', Buffer.from('These are notes, not a PDF.\n<script>window.__pwned = 1</script>\n', 'utf8'));
    expect(state).toBe('failed');
    expect(await page.getByTestId(viewerTestIds.error).textContent()).toBe(failure('notPdf', 'notes.pdf'));
    await expectNothingHappened(watch);
    await expectDeskUsable(watch);
    await page.context().close();
  });
});
