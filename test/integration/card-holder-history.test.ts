/**
 * The holder's history is complete and findable, and cards are issued for the right person, on the
 * real stack: virtual PIV cards in the vpcd readers of pcscd, the CLI, and the screens in Chromium
 * against browser mode.
 * - `carddesk card issue` shows the holder and the card and asks; only `y` (or --yes) personalises;
 *   the log has no error line during the issuance.
 * - Six wrong PINs and two blocks through `carddesk card verify-pin` land in the holder's history:
 *   the holder view counts them, the filter finds the holder by personal number, names not ids,
 *   and the events read as sentences.
 * - Offline unblock is offered for the blocked issued card and refused for a blank one (screen and
 *   service); a second window is told in words that the card waits for an unblock response.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { launchBrowser, openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { letterText, secretsIn } from '../support/lifecycle-rig';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50601001';
const BLANK = '50601002';
const PN = personalNumber(601);

let pcscd: Pcscd;
let issued: CardInReader;
let blank: CardInReader;
let home: string;
let host: HostProcess | undefined;
let browser: Browser | undefined;
let holderId = '';

const cd = (args: string[], input = '') => carddesk(args, { home, input, timeoutMs: 90_000 });

/** Error lines in the desk's log file, from `from` (a byte offset) on. */
function errorLines(from = 0): string[] {
  let text: string;
  try {
    text = readFileSync(join(home, 'logs', 'carddesk.log'), 'utf8').slice(from);
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line.includes('"level":"error"'));
}

const logSize = (): number => {
  try {
    return readFileSync(join(home, 'logs', 'carddesk.log')).length;
  } catch {
    return 0;
  }
};

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-holder-history-');
  for (const [args, input] of [
    [['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`],
    [['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=History Root, O=CardDesk Test', '--issuing-name', 'CN=History Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`],
    // Cards become active at issuance here: this file is about the history, activation has its own tests.
    [['card', 'policy', '--activation', 'at-issuance'], `${PASSPHRASE}\n`],
    [['holder', 'add', '--personal-number', PN, '--first-name', 'Lin', '--last-name', 'Qiao', '--email', 'lin@example.org', '--document-number', 'P1234567', '--document-expiry', '2031-05-01']],
    [['holder', 'add', '--personal-number', personalNumber(602), '--first-name', 'Linus', '--last-name', 'Pauling']],
  ] as [string[], string?][]) {
    const result = await cd(args, input ?? '');
    if (result.code !== 0) throw new Error(`carddesk ${args.join(' ')}: ${result.stderr}`);
  }
  const shown = await cd(['holder', 'show', PN, '--json']);
  holderId = (JSON.parse(shown.stdout) as { holder: { id: string } }).holder.id;
  expect(holderId).toMatch(/^[0-9a-f-]{36}$/);
  issued = await CardInReader.create(0, { serial: Number(SERIAL) });
  blank = await CardInReader.create(1, { serial: Number(BLANK) });
  await issued.insert();
  await blank.insert();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await issued?.remove();
  await blank?.remove();
  await pcscd?.stop();
});

let pin = '';
let puk = '';

describe('issuing for the right person, from the command line', () => {
  it('shows the holder and the card, and personalises nothing without a yes', async () => {
    const before = issued.apdus;
    const declined = await cd(['card', 'issue', '--holder', PN, '--reader', issued.readerName], `${PASSPHRASE}\nn\n`);
    expect(declined.code, declined.stderr).toBe(3);
    for (const shown of ['Lin Qiao', PN, 'P1234567', 'lin@example.org', SERIAL]) expect(declined.stderr).toContain(shown);
    expect(declined.stderr).toContain('Nothing was done');
    // Reading the serial is all that happened to the card: no GENERATE, no PUT DATA, no key change.
    expect(issued.apdus - before).toBeLessThan(20);
    const record = await cd(['card', 'record', '--serial', SERIAL], `${PASSPHRASE}\n`);
    expect(JSON.parse(record.stdout)).toMatchObject({ card: null });
  });

  it('personalises after the confirmation, with no error line in the log', async () => {
    const from = logSize();
    const done = await cd(['card', 'issue', '--holder', PN, '--reader', issued.readerName], `${PASSPHRASE}\ny\n`);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`Card ${SERIAL} is issued and active.`);
    expect(errorLines(from)).toEqual([]);
    const letter = /PIN and PUK for the holder: (\S+)/.exec(done.stdout)?.[1] ?? '';
    ({ pin, puk } = (({ pin: p, puk: k }) => ({ pin: p, puk: k ?? '' }))(secretsIn(letterText({ home }, letter))));
    expect(puk).toMatch(/^\d{8}$/);
  }, 120_000);
});

describe("the holder's history", () => {
  it('records six wrong PINs and two blocks through carddesk card, against the holder', async () => {
    const wrong = pin === '000000' ? '111111' : '000000';
    const verify = () => cd(['card', 'verify-pin', '--reader', issued.readerName], `${wrong}\n`);
    for (let i = 0; i < 3; i += 1) expect((await verify()).code).toBe(3);
    const unblocked = await cd(['card', 'unblock', '--reader', issued.readerName], `${puk}\n${pin}\n${pin}\n`);
    expect(unblocked.code, unblocked.stderr).toBe(0);
    for (let i = 0; i < 3; i += 1) expect((await verify()).code).toBe(3);
    const events = await cd(['audit', 'export', '--json', '--holder', holderId]);
    expect(events.code, events.stderr).toBe(0);
    const entries = events.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { action: string; outcome: string; details: Record<string, unknown> });
    const failedChecks = entries.filter((e) => e.action === 'card.pinVerify' && e.outcome === 'failure');
    expect(failedChecks).toHaveLength(6);
    expect(failedChecks.filter((e) => e.details['triesLeft'] === 0)).toHaveLength(2);
    expect(entries.some((e) => e.action === 'card.unblockWithPuk' && e.outcome === 'success')).toBe(true);
  }, 120_000);

  it('the holder view counts them; the filter finds the holder by personal number; names, sentences, no ids', async () => {
    host = await startHostProcess({ home });
    browser = await launchBrowser();
    const { page, errors } = await openPage(browser);
    await page.goto(`${host.url}#/access-history`);
    await page.getByTestId('audit-filter-holder').fill(PN);
    await expect.poll(() => page.getByTestId('audit-filter-holder-resolved').getAttribute('data-kind'), { timeout: 10_000 }).toBe('holder');
    expect(await page.getByTestId('audit-filter-holder-resolved').textContent()).toContain('Lin Qiao');
    await expect.poll(async () => new Set(await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-holder')))), { timeout: 10_000 }).toEqual(new Set([holderId]));
    const table = (await page.getByTestId('audit-table').innerText()) ?? '';
    expect(table).toContain('Lin Qiao');
    expect(table).not.toContain(holderId);
    for (const raw of ['wrongPin', 'from:', '[redacted]', 'key:', 'triesLeft']) expect(table).not.toContain(raw);
    expect(table).toContain(en.accessHistory.details.pinBlockedNow);

    await page.getByTestId('audit-holder-link').first().click();
    const dialog = page.getByTestId('holder-history-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole('heading').first().textContent()).toContain('Lin Qiao');
    await expect.poll(() => page.getByTestId('holder-history-failed').textContent(), { timeout: 10_000 }).toBe('6');
    await page.getByTestId('holder-history-outcome').click();
    await page.getByRole('option', { name: en.accessHistory.outcomes.failure, exact: true }).click();
    await expect.poll(() => page.getByTestId('holder-history-row').count()).toBe(6);
    const blocks = await page.getByTestId('holder-history-row').evaluateAll((rows, text) => rows.filter((row) => row.textContent?.includes(text)).length, en.accessHistory.details.pinBlockedNow);
    expect(blocks).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

async function openCard(on: Page, readerName: string, serial: string): Promise<void> {
  await on.goto(`${host?.url ?? ''}#/cards`);
  await on.getByTestId('tab-readers').click();
  await on.locator(`[data-testid="reader-row"][data-reader-name="${readerName}"] [role="button"]`).click();
  await expect.poll(() => on.getByTestId('card-serial').textContent(), { timeout: 15_000 }).toBe(serial);
  await expect.poll(() => on.getByTestId('lifecycle-section').getAttribute('data-state'), { timeout: 15_000 }).not.toBe('loading');
}

describe('offline unblock, only where it belongs', () => {
  it('is offered for the blocked issued card, not for a blank one; a second window is told the card waits', async () => {
    if (browser === undefined || host === undefined) throw new Error('the host is not running');
    const desk = await openPage(browser);
    await openCard(desk.page, blank.readerName, BLANK);
    expect(await desk.page.getByTestId('lifecycle-action-offlineUnblock').count()).toBe(0);

    await openCard(desk.page, issued.readerName, SERIAL);
    expect(await desk.page.getByTestId('lifecycle-section').getAttribute('data-state')).toBe('active');
    await desk.page.getByTestId('lifecycle-action-offlineUnblock').click();
    await desk.page.getByTestId('offline-unblock-challenge').waitFor({ timeout: 15_000 });

    const other = await openPage(browser);
    await other.page.goto(`${host.url}#/cards`);
    await other.page.getByTestId('tab-readers').click();
    await other.page.locator(`[data-testid="reader-row"][data-reader-name="${issued.readerName}"] [role="button"]`).click();
    const problem = other.page.getByTestId('card-problem');
    await problem.waitFor({ timeout: 15_000 });
    expect(await problem.getAttribute('data-reason')).toBe('awaitingUnblock');
    expect(await problem.innerText()).toContain(en.cards.failure.awaitingUnblock);
    expect(await problem.innerText()).not.toContain(en.cards.failure.cardInUse);
    await other.page.context().close();

    await desk.page.getByTestId('offline-unblock-cancel').click();
    expect(desk.errors).toEqual([]);
    await desk.page.context().close();
  }, 120_000);

  it('the service refuses a blank card, with a sentence', async () => {
    await host?.stop();
    host = undefined;
    const refused = await cd(['card', 'unblock-offline', '--reader', blank.readerName]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('Only a card this desk issued');
  }, 60_000);
});
