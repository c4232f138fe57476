/**
 * PIN letters handled from the screens (browser mode, Chromium) on the real stack: a holder with a
 * postal address added with the CLI, a card issued on the virtual PIV card in a vpcd reader of the
 * real pcscd, and a private CUPS scheduler (test/support/cups.ts) the desk prints through. The
 * printer is chosen in Settings from the queues CUPS lists; from the workflow result the printer
 * route is refused in words while the scheduler is stopped, and the letter sent to the drop folder
 * chosen in Settings: there it is whole, mode 0600, named without the PIN, and poppler's pdftotext
 * reads the holder's name, the address and a PIN that OpenSC verifies on the card. The letter is
 * marked sent, the audit log has the event and no PIN, and neither the page nor the WebSocket ever
 * carried the PIN letter or its PIN; only the user-number letter can be opened, from the holder's
 * page, which prints it on the chosen queue (exactly its bytes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { allLines } from '../support/audit';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { PrivateCups } from '../support/cups';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { secretsIn } from '../support/lifecycle-rig';
import { toolAsync } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50601001';

let pcscd: Pcscd;
let cups: PrivateCups;
let card: CardInReader;
let home: string;
let drop: string;
let holderId: string;
let host: HostProcess;
let browser: Browser;
let page: Page;
/** Everything the page received or sent over its WebSocket. */
const frames: string[] = [];
let pinLetter = '';
let numberLetter = '';
let pin = '';
let puk = '';

const cli = async (args: string[], input = '') => {
  const result = await carddesk(args, { home, input, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`carddesk ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
};

/** Records every text node and attribute value the page ever shows, from its first script on. */
const recordEverything = (): void => {
  const seen: string[] = [];
  (window as unknown as { __seen: string[] }).__seen = seen;
  const take = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) seen.push(node.textContent ?? '');
    if (node instanceof Element) {
      for (const attribute of Array.from(node.attributes)) seen.push(attribute.value);
      node.childNodes.forEach(take);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') seen.push(record.target.textContent ?? '');
      else if (record.type === 'attributes' && record.target instanceof Element) seen.push(record.target.getAttribute(record.attributeName ?? '') ?? '');
      else record.addedNodes.forEach(take);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
};

const containsSecret = (text: string, secret: string): boolean => new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text);
/** "%PDF-" in base64: a PDF crossing the WebSocket. */
const PDF_BASE64 = 'JVBERi0';

async function expectNoPinLetterSeen(): Promise<void> {
  const seen = (await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen.join('\n'))) + (await page.locator('body').innerText());
  expect(seen.length).toBeGreaterThan(1000);
  for (const secret of [pin, puk]) {
    expect(containsSecret(seen, secret), 'the PIN or PUK appeared on the page').toBe(false);
    expect(frames.some((frame) => containsSecret(frame, secret)), 'the PIN or PUK crossed the WebSocket').toBe(false);
  }
}

const pdfText = (file: string): string => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
const squash = (text: string): string => text.replace(/\s+/g, ' ');

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-letters-screens-');
  drop = mkdtempSync(join(tmpdir(), 'carddesk-mailing-drop-'));
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Letters Root, O=CardDesk Test', '--issuing-name', 'CN=Letters Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`);
  const added = await cli([
    'holder', 'add', '--json',
    '--personal-number', personalNumber(601), '--first-name', 'Arbër', '--last-name', 'Çela', '--language', 'sq',
    '--street', 'Rruga B 12', '--postcode', '10000', '--city', 'Prishtinë', '--country', 'XK',
    '--contact-person', 'Drita Krasniqi', '--contact-street', 'Via Roma 1', '--contact-postcode', '00184', '--contact-city', 'Roma', '--contact-country', 'IT',
  ]);
  holderId = (JSON.parse(added.stdout) as { id: string; street: string; contactCity: string }).id;
  expect(JSON.parse(added.stdout)).toMatchObject({ street: 'Rruga B 12', postcode: '10000', city: 'Prishtinë', country: 'XK', contactCity: 'Roma', contactCountry: 'IT' });

  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  cups = await PrivateCups.start();
  await cups.addQueue('Mailroom');
  host = await startHostProcess({ home, env: { CUPS_SERVER: cups.socket } });
  browser = await launchBrowser();
  const opened = await openPage(browser);
  page = opened.page;
  await page.addInitScript(recordEverything);
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
    socket.on('framesent', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
  });
  await page.goto(`${host.url}#/settings`);
  await page.getByTestId('settings-letters').waitFor({ timeout: 15_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
  await cups?.dispose();
});

describe('PIN letters from the screens', () => {
  it('chooses the drop folder, checked, and a printer the print system lists, in Settings', async () => {
    expect(await page.getByTestId('settings-letters-no-printing').count()).toBe(0);
    await page.getByTestId('settings-letters-printer').locator('[role="combobox"]').click();
    expect(await page.getByRole('option').allInnerTexts()).toEqual([en.letters.settings.noDefaultPrinter, 'Mailroom']);
    await page.getByRole('option', { name: 'Mailroom' }).click();
    await page.getByTestId('settings-letters-folder').fill('mailing/in');
    await page.getByTestId('settings-letters-save').click();
    await expect.poll(() => page.getByTestId('settings-letters').innerText()).toContain(en.letters.settings.problems.notAbsolute);
    await page.getByTestId('settings-letters-folder').fill(drop);
    await page.getByTestId('settings-letters-save').click();
    await page.getByTestId('settings-letters-saved').waitFor();
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8'))).toMatchObject({ letters: { folder: drop, printer: 'Mailroom' } });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('issues a card, refuses the printer in words, and puts the PIN letter in the drop folder', async () => {
    await page.goto(`${host.url}#/cards`);
    await page.getByTestId('tab-readers').click();
    await page.locator(`[data-testid="reader-row"][data-reader-name="${card.readerName}"] [role="button"]`).click();
    await expect.poll(() => page.getByTestId('card-serial').textContent(), { timeout: 15_000 }).toBe(SERIAL);
    await expect.poll(() => page.getByTestId('lifecycle-section').getAttribute('data-state'), { timeout: 15_000 }).not.toBe('loading');
    await page.getByTestId('lifecycle-action-issue').click();
    await page.getByTestId('workflow-holder').fill('Çela');
    await page.getByRole('option', { name: /Çela, Arbër/ }).click();
    await page.getByRole('radio', { name: en.lifecycle.recipients.contactPerson }).check();
    await page.getByTestId('workflow-start').click();
    // Personalisation starts only once the operator has confirmed whom and which card.
    await page.getByTestId('workflow-confirmation').waitFor();
    await page.getByTestId('workflow-confirm').click();
    const dialog = page.getByTestId('vault-unlock-dialog');
    const finished = page.locator('[data-testid^="workflow-dialog-"][data-phase="finished"]');
    await Promise.race([dialog.waitFor({ timeout: 30_000 }), finished.waitFor({ timeout: 30_000 })]).catch(() => undefined);
    if (await dialog.isVisible()) {
      await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
      await page.getByTestId('vault-unlock-submit').click();
    }
    await finished.waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('workflow-success').getAttribute('data-serial')).toBe(SERIAL);
    pinLetter = (await page.locator('[data-testid="workflow-letter-row"][data-kind="pin"]').getAttribute('data-file')) ?? '';
    numberLetter = (await page.locator('[data-testid="workflow-letter-row"][data-kind="userNumber"]').getAttribute('data-file')) ?? '';
    expect(pinLetter).toMatch(/\.pdf$/);
    const actions = page.locator(`[data-testid="letter-actions"][data-file="${pinLetter}"]`);
    expect(await actions.getAttribute('data-state')).toBe('waiting');
    // A PIN letter cannot be opened from here at all.
    expect(await actions.getByTestId('letter-preview').count()).toBe(0);

    // The print system stops: the letter is refused in words and keeps waiting.
    await cups.stop();
    try {
      await actions.getByTestId('letter-print').click();
      const refusal = actions.getByTestId('letter-refusal');
      await refusal.waitFor();
      expect(await refusal.getAttribute('data-reason')).toBe('printSystemDown');
      expect(await refusal.innerText()).toContain(en.letters.refused.printSystemDown);
      expect(await actions.getByTestId('letter-settings-link').textContent()).toBe(en.letters.toSettings);
      expect(await actions.getAttribute('data-state')).toBe('waiting');
      expect(readdirSync(drop)).toEqual([]);
    } finally {
      await cups.resume();
    }

    await actions.getByTestId('letter-to-folder').click();
    await expect.poll(() => actions.getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
    expect(await actions.getByTestId('letter-state').textContent()).toContain(en.letters.sentVia.folder);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // In the drop folder: only the letter, whole, private, named without the PIN.
    expect(readdirSync(drop)).toEqual([pinLetter]);
    const dropped = join(drop, pinLetter);
    expect(statSync(dropped).mode & 0o777).toBe(0o600);
    const text = pdfText(dropped);
    ({ pin, puk } = (({ pin: p, puk: k }) => ({ pin: p, puk: k ?? '' }))(secretsIn(text)));
    expect(pin).toMatch(/^\d{6,8}$/);
    expect(puk).toMatch(/^\d{8}$/);
    expect(pinLetter).not.toContain(pin);
    for (const line of ['Arbër Çela', 'Rruga B 12', '10000 Prishtinë', 'KOSOVË']) expect(squash(text)).toContain(line);
    // The desk keeps no copy of the PIN letter once it is sent.
    expect(readdirSync(join(home, 'outbox'))).not.toContain(pinLetter);
    // OpenSC, which we did not write, verifies the PIN from the letter on the card.
    const verified = await toolAsync('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', pin]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    await expectNoPinLetterSeen();
    expect(frames.some((frame) => frame.includes(PDF_BASE64)), 'a letter crossed the WebSocket').toBe(false);

    // The audit log (its lines as written) has the event, and no PIN or PUK anywhere.
    const lines = allLines(join(home, 'audit')).map((line) => line.text);
    const sent = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry['action'] === 'letter.send' && entry['outcome'] === 'success');
    expect(sent).toMatchObject({ holder: holderId, card: SERIAL, details: { letter: 'pin', route: 'folder', file: pinLetter } });
    for (const secret of [pin, puk]) expect(lines.some((line) => containsSecret(line, secret)), 'a PIN or PUK reached the audit log').toBe(false);
    await page.getByTestId('workflow-close').click();
  });

  it('shows the letters on the holder page: the PIN letter sent, the user-number letter opened and printed', async () => {
    await page.goto(`${host.url}#/users/${holderId}`);
    await page.getByTestId('holder-letters').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('holder-fact-address').textContent()).toBe('Rruga B 12, 10000 Prishtinë, XK');
    expect(await page.getByTestId('holder-fact-contactAddress').textContent()).toBe('Via Roma 1, 00184 Roma, IT');
    const pinRow = page.locator(`[data-testid="holder-letter-row"][data-file="${pinLetter}"]`);
    expect(await pinRow.getByTestId('letter-actions').getAttribute('data-state')).toBe('sent');
    expect(await pinRow.getByTestId('letter-preview').count()).toBe(0);
    expect(await pinRow.getByTestId('letter-print').count()).toBe(0);

    // The service refuses to hand out a PIN letter even when asked directly.
    const asked = await page.evaluate((fileName) => (window as unknown as { carddesk: { letters: { preview(a: { fileName: string }): Promise<{ ok: boolean; error?: { code: string } }> } } }).carddesk.letters.preview({ fileName }), pinLetter);
    expect(asked).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });

    const numberRow = page.locator(`[data-testid="holder-letter-row"][data-file="${numberLetter}"]`);
    const download = page.waitForEvent('download');
    await numberRow.getByTestId('letter-preview').click();
    const file = join(home, 'preview.pdf');
    await (await download).saveAs(file);
    const preview = pdfText(file);
    expect(squash(preview)).toContain('Drita Krasniqi');
    expect(squash(preview)).toContain('00184 Roma');
    expect(await numberRow.getByTestId('letter-mark-sent').count()).toBe(1);
    await numberRow.getByTestId('letter-print').click();
    await expect.poll(() => numberRow.getByTestId('letter-actions').getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
    expect(await numberRow.getByTestId('letter-state').textContent()).toContain(en.letters.sentVia.printer);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The queue printed exactly the letter that was previewed.
    expect((await cups.printed('Mailroom')).equals(readFileSync(file))).toBe(true);
    expect(squash(pdfText(cups.printedFile('Mailroom')))).toContain('Drita Krasniqi');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expectNoPinLetterSeen();
  });

  it('edits the address in the holder form, and says which address field is wrong', async () => {
    await page.getByTestId('holder-edit').click();
    await page.getByTestId('holder-dialog').waitFor();
    expect(await page.getByTestId('holder-field-street').inputValue()).toBe('Rruga B 12');
    await page.getByTestId('holder-field-postcode').fill('');
    await page.getByTestId('holder-field-country').fill('K');
    await page.getByTestId('holder-save').click();
    const dialog = page.getByTestId('holder-dialog');
    await expect.poll(() => dialog.innerText()).toContain(en.users.problems.required);
    expect(await dialog.innerText()).toContain(en.users.problems.invalid);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('holder-field-street').fill('Rruga C 3');
    await page.getByTestId('holder-field-postcode').fill('10010');
    await page.getByTestId('holder-field-country').fill('xk');
    await page.getByTestId('holder-save').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('holder-fact-address').textContent()).toBe('Rruga C 3, 10010 Prishtinë, XK');
  });
});
