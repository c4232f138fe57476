/**
 * The card life cycle through the screens (browser mode, Chromium) on virtual PIV cards in the two
 * vpcd readers of the real pcscd: issue a card (every step done, the PIN only in the PDF letter —
 * never on the page or on the wire — and it verifies on the card with OpenSC), a card pulled in
 * the middle of issuance and resumed, reset PIN, the offline unblock with the holder's and the
 * desk's screens side by side, renew, retire, and from the holder's page suspend, resume, report
 * stolen, replace and revoke; the expiry watch renews a short-lived certificate; the issuance policy
 * is saved from Settings. Every new dialog is checked with axe.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { letterText, secretsIn } from '../support/lifecycle-rig';
import { openssl, toolAsync } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL_1 = '50501001';
const SERIAL_2 = '50501002';
const SERIAL_3 = '50501003';

let pcscd: Pcscd;
let card1: CardInReader;
let card2: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let shortLived = '';
/** Everything the desk page received over its WebSocket, to prove no PIN ever crossed it. */
const frames: string[] = [];
/** Every PIN and PUK the letters hold; none may ever appear on a page or on the wire. */
const secrets: string[] = [];

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

async function watchedPage(): Promise<WatchedPage> {
  const opened = await openPage(browser);
  await opened.page.addInitScript(recordEverything);
  opened.page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
    socket.on('framesent', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
  });
  return opened;
}

/** A secret occurs as a whole number (not inside a longer run of digits). */
const containsSecret = (text: string, secret: string): boolean => new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text);

async function expectNoSecretSeen(on: Page): Promise<void> {
  const seen = (await on.evaluate(() => (window as unknown as { __seen: string[] }).__seen.join('\n'))) + (await on.locator('body').innerText());
  expect(seen.length).toBeGreaterThan(1000);
  for (const secret of secrets) {
    expect(containsSecret(seen, secret), 'a PIN or PUK appeared on the page').toBe(false);
    expect(frames.some((frame) => containsSecret(frame, secret)), 'a PIN or PUK crossed the WebSocket').toBe(false);
  }
}

async function expectAccessible(on: Page, what: string): Promise<void> {
  expect(await seriousAccessibilityViolations(on), what).toEqual([]);
}

async function choose(on: Page, testId: string, option: string | RegExp): Promise<void> {
  await on.getByTestId(testId).click();
  await on.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
}

async function selectReader(on: Page, readerName: string): Promise<void> {
  await on.locator(`[data-testid="reader-row"][data-reader-name="${readerName}"] [role="button"]`).click();
}

const panelState = (on: Page) => on.getByTestId('lifecycle-section').getAttribute('data-state');

/** The panel of the card in `readerName`, read afresh. */
async function openCard(on: Page, readerName: string, serial: string): Promise<void> {
  if (!on.url().endsWith('#/cards')) await on.goto(`${host.url}#/cards`);
  await on.getByTestId('tab-readers').click();
  await selectReader(on, readerName);
  await expect.poll(() => on.getByTestId('card-serial').textContent(), { timeout: 15_000 }).toBe(serial);
  await on.getByTestId('card-panel').getByRole('button', { name: en.cards.detail.refresh, exact: true }).click();
  await expect.poll(() => on.getByTestId('card-serial').textContent(), { timeout: 15_000 }).toBe(serial);
  await expect.poll(() => panelState(on), { timeout: 15_000 }).not.toBe('loading');
}

/** The states of the workflow's steps once it has ended (the dialog's result is there). */
async function finishedSteps(on: Page): Promise<Record<string, string>> {
  await on.locator('[data-testid^="workflow-dialog-"][data-phase="finished"]').waitFor({ timeout: 90_000 });
  const items = await on.getByTestId('workflow-steps').locator('li').evaluateAll((list) => list.map((li) => [li.getAttribute('data-testid')?.replace('workflow-step-', '') ?? '', li.getAttribute('data-state') ?? '']));
  return Object.fromEntries(items) as Record<string, string>;
}

async function unlockIfAsked(on: Page): Promise<void> {
  const dialog = on.getByTestId('vault-unlock-dialog');
  const finished = on.locator('[data-testid^="workflow-dialog-"][data-phase="finished"]');
  await Promise.race([dialog.waitFor({ timeout: 30_000 }), finished.waitFor({ timeout: 30_000 })]).catch(() => undefined);
  if (await dialog.isVisible()) {
    await on.getByTestId('vault-passphrase').fill(PASSPHRASE);
    await on.getByTestId('vault-unlock-submit').click();
  }
}

function pinLetterSecrets(fileName: string): { pin: string; puk: string | null } {
  const found = secretsIn(letterText({ home }, fileName));
  secrets.push(found.pin, ...(found.puk === null ? [] : [found.puk]));
  return found;
}

const opensc = (card: CardInReader, ...args: string[]) => toolAsync('pkcs15-tool', ['--reader', card.readerName, ...args]);

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-lifecycle-screens-');
  // The vault, the CA, two holders and a certificate that expires in five days, before the host takes the vault.
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Screens Root, O=CardDesk Test', '--issuing-name', 'CN=Screens Issuing, O=CardDesk Test'], `${PASSPHRASE}\n`);
  await cli(['holder', 'add', '--personal-number', personalNumber(501), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org', '--contact-person', 'Charles Babbage', '--organisation', 'Analytical Engines']);
  await cli(['holder', 'add', '--personal-number', personalNumber(502), '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org']);
  const key = join(home, 'short.key');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
  writeFileSync(join(home, 'short.pub'), openssl('pkey', '-in', key, '-pubout').stdout);
  const issued = await cli(['ca', 'issue', '--profile', 'authentication', '--public-key', join(home, 'short.pub'), '--holder', personalNumber(502), '--days', '5', '--out', join(home, 'short.pem')], `${PASSPHRASE}\n`);
  shortLived = /Issued ([0-9A-F]+)/.exec(issued.stderr)?.[1] ?? '';
  expect(shortLived).toMatch(/^[0-9A-F]+$/);

  card1 = await CardInReader.create(0, { serial: Number(SERIAL_1) });
  card2 = await CardInReader.create(1, { serial: Number(SERIAL_2) });
  await card1.insert();
  await card2.insert();
  host = await startHostProcess({ home });
  browser = await launchBrowser();
  watched = await watchedPage();
  page = watched.page;
  await page.goto(`${host.url}#/cards`);
  await page.getByTestId('card-panel').waitFor({ timeout: 15_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card1?.remove();
  await card2?.remove();
  await pcscd?.stop();
});

describe('the card life cycle on the screens', () => {
  it('issues a card: every step done, certificates and letters shown, the PIN only in the letter', async () => {
    await openCard(page, card1.readerName, SERIAL_1);
    expect(await panelState(page)).toBe('unknown');
    await page.getByTestId('lifecycle-action-issue').click();
    await page.getByTestId('workflow-dialog-issue').waitFor();
    // The picker says why each holder is offered: by e-mail here, by last name below.
    await page.getByTestId('workflow-holder').fill('ada@example');
    await expect.poll(() => page.getByRole('option', { name: /Lovelace, Ada/ }).getAttribute('data-matched')).toBe('email');
    expect(await page.getByRole('option', { name: /Lovelace, Ada/ }).textContent()).toContain(en.users.picker.matched.replace('{{fields}}', en.users.fields.email));
    await page.getByTestId('workflow-holder').fill('lovelace');
    await expect.poll(() => page.getByRole('option', { name: /Lovelace, Ada/ }).getAttribute('data-matched')).toBe('lastName');
    await page.getByRole('option', { name: /Lovelace, Ada/ }).click();
    await page.getByRole('radio', { name: en.lifecycle.recipients.contactPerson }).check();
    await expectAccessible(page, 'issue dialog');
    const before = card1.apdus;
    await page.getByTestId('workflow-start').click();
    // Nothing happens to the card until the operator has seen whom and which card.
    await page.getByTestId('workflow-confirmation').waitFor();
    await expect.poll(() => page.getByTestId('workflow-confirmation').getAttribute('data-serial')).toBe(SERIAL_1);
    expect(await page.getByTestId('workflow-confirm-name').textContent()).toBe('Ada Lovelace');
    expect(await page.getByTestId('workflow-confirm-personalNumber').textContent()).toBe(personalNumber(501));
    expect(await page.getByTestId('workflow-confirmation').locator('img').count()).toBe(0);
    await expectAccessible(page, 'issue confirmation');
    await page.getByTestId('workflow-confirm').click();
    // The host started with the vault locked: the screen asks for the passphrase and goes on.
    await unlockIfAsked(page);
    const steps = await finishedSteps(page);
    console.log(`issuance took ${card1.apdus - before} APDUs`);
    expect(Object.keys(steps)).toEqual(['identify', 'authenticate', 'managementKey', 'pinPuk', 'authenticationKey', 'signatureKey', 'encryptionKey', 'cardAuthenticationKey', 'certificates', 'writeObjects', 'letters', 'contract', 'activate']);
    expect(Object.values(steps).every((state) => state === 'done'), JSON.stringify(steps)).toBe(true);
    expect(await page.getByTestId('workflow-success').getAttribute('data-serial')).toBe(SERIAL_1);
    expect(await page.getByTestId('workflow-certificate-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-profile')))).toEqual(['authentication', 'signature', 'encryption', 'cardAuthentication']);
    const letters = await page.getByTestId('workflow-letter-row').evaluateAll((rows) => rows.map((row) => ({ kind: row.getAttribute('data-kind'), recipient: row.getAttribute('data-recipient'), file: row.getAttribute('data-file') ?? '' })));
    expect(letters.map(({ kind, recipient }) => ({ kind, recipient }))).toEqual([
      { kind: 'pin', recipient: 'holder' },
      { kind: 'userNumber', recipient: 'contactPerson' },
      // The emergency recovery code, in its own letter to the holder (issue 15).
      { kind: 'recoveryCode', recipient: 'holder' },
    ]);
    expect(await page.getByTestId('workflow-outbox').textContent()).toBe(join(home, 'outbox'));
    expect(await page.getByTestId('workflow-pin-notice').textContent()).toContain(en.lifecycle.letters.neverAsk);
    await expectAccessible(page, 'issue result');

    const { pin, puk } = pinLetterSecrets(letters[0]!.file);
    expect(pin).toMatch(/^\d{6}$/);
    expect(puk).toMatch(/^\d{8}$/);
    expect(letterText({ home }, letters[1]!.file)).toContain('Charles Babbage');
    // The recovery code is in its letter only: never on the page or the WebSocket, grouped or not.
    const recovery = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(letterText({ home }, letters[2]!.file))?.[1];
    expect(recovery).toBeDefined();
    secrets.push(recovery!, recovery!.replace(/-/g, ''));
    await expectNoSecretSeen(page);

    await page.getByTestId('workflow-close').click();
    await expect.poll(() => panelState(page)).toBe('awaitingActivation');
    expect(await page.getByTestId('lifecycle-card-holder').textContent()).toContain('Ada Lovelace');

    // The holder activates it at the desk, in a second window (the operator's page never carries the
    // PIN): the contract in the viewer, the PIN from the letter, the card signs.
    const holderSide = (await openPage(browser)).page;
    await holderSide.goto(`${host.url}#/cards`);
    await openCard(holderSide, card1.readerName, SERIAL_1);
    await holderSide.getByTestId('lifecycle-card-holder').getByRole('link').click();
    await holderSide.getByTestId('holder-detail').waitFor();
    await holderSide.getByTestId(`holder-card-activate-${SERIAL_1}`).click();
    await holderSide.getByTestId('activation-dialog').waitFor();
    await holderSide.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 15_000 });
    await expectAccessible(holderSide, 'activation dialog');
    await holderSide.getByTestId('activation-pin').fill(pin === '999999' ? '888888' : '999999');
    await holderSide.getByTestId('activation-submit').click();
    await expect.poll(() => holderSide.getByTestId('activation-failure').getAttribute('data-reason'), { timeout: 30_000 }).toBe('wrongPin');
    await holderSide.getByTestId('activation-pin').fill(pin);
    await holderSide.getByTestId('activation-submit').click();
    await holderSide.getByTestId('activation-done').waitFor({ timeout: 30_000 });
    await holderSide.close();
    await openCard(page, card1.readerName, SERIAL_1);
    await expect.poll(() => panelState(page)).toBe('active');
    // OpenSC, which we did not write, verifies the PIN from the letter on the card.
    const verified = await opensc(card1, '--verify-pin', '--pin', pin);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it('a card pulled in the middle of issuance stops with a clear message, and is resumed from the screen', async () => {
    await openCard(page, card2.readerName, SERIAL_2);
    await page.getByTestId('lifecycle-action-issue').click();
    await page.getByTestId('workflow-holder').fill('hopper');
    await page.getByRole('option', { name: /Hopper, Grace/ }).click();
    card2.pullAtInstruction(PULL_AT_INS);
    await page.getByTestId('workflow-start').click();
    await page.getByTestId('workflow-confirm').click();
    const stopped = await finishedSteps(page);
    const failure = page.getByTestId('workflow-failure');
    expect(await failure.getAttribute('data-reason')).toBe('cardRemoved');
    const failedStep = await failure.getAttribute('data-step');
    expect(stopped[failedStep ?? '']).toBe('failed');
    expect(stopped['managementKey']).toBe('done');
    expect(stopped['activate']).toBe('waiting');
    expect(await failure.textContent()).toContain(en.lifecycle.failure.cardRemoved);
    await expectAccessible(page, 'stopped issuance');

    await card2.insert();
    await page.getByTestId('workflow-resume').click();
    const resumed = await finishedSteps(page);
    expect(await page.getByTestId('workflow-success').getAttribute('data-serial')).toBe(SERIAL_2);
    expect(Object.values(resumed).every((state) => state === 'done' || state === 'skipped'), JSON.stringify(resumed)).toBe(true);
    expect(resumed['managementKey']).toBe('skipped');
    const pinLetter = await page.locator('[data-testid="workflow-letter-row"][data-kind="pin"]').getAttribute('data-file');
    const { pin } = pinLetterSecrets(pinLetter ?? '');
    await expectNoSecretSeen(page);
    await page.getByTestId('workflow-close').click();
    await openCard(page, card2.readerName, SERIAL_2);
    expect(await panelState(page)).toBe('awaitingActivation');
    expect((await opensc(card2, '--verify-pin', '--pin', pin)).code).toBe(0);
  });

  it('resets the PIN with the PUK the desk sealed at issuance (RESET RETRY COUNTER, no management key); the new PIN is only in the new letter', async () => {
    await openCard(page, card1.readerName, SERIAL_1);
    await page.getByTestId('lifecycle-action-resetPin').click();
    await page.getByTestId('workflow-dialog-resetPin').waitFor();
    await expectAccessible(page, 'reset PIN dialog');
    await page.getByTestId('workflow-start').click();
    const steps = await finishedSteps(page);
    expect(steps).toEqual({ identify: 'done', authenticate: 'skipped', pinReset: 'done', letters: 'done' });
    const file = await page.locator('[data-testid="workflow-letter-row"][data-kind="pin"]').getAttribute('data-file');
    const { pin, puk } = pinLetterSecrets(file ?? '');
    expect(puk).toBeNull();
    await expectNoSecretSeen(page);
    await page.getByTestId('workflow-close').click();
    // The panel reads the card again (exclusively, for a moment) before OpenSC may have it.
    await expect.poll(() => panelState(page)).toBe('active');
    expect((await opensc(card1, '--verify-pin', '--pin', pin)).code).toBe(0);
  });

  it('unblocks a blocked PIN offline, the holder and the desk each on their own screen', async () => {
    await openCard(page, card1.readerName, SERIAL_1);
    for (let i = 0; i < 3; i += 1) {
      await page.getByTestId('action-verifyPin').click();
      await page.getByTestId('field-pin').fill('000000');
      await page.getByTestId('dialog-submit').click();
      await page.getByTestId('dialog-problem').waitFor();
      await page.keyboard.press('Escape');
    }
    await expect.poll(() => page.getByTestId('card-pin-status').getAttribute('data-tries-left')).toBe('0');

    // The holder's computer.
    const holderSide = await watchedPage();
    const holder = holderSide.page;
    await holder.goto(`${host.url}#/cards`);
    await openCard(holder, card1.readerName, SERIAL_1);
    await holder.getByTestId('lifecycle-action-offlineUnblock').click();
    await holder.getByTestId('offline-unblock-challenge').waitFor({ timeout: 15_000 });
    expect(await holder.getByTestId('offline-unblock-serial').textContent()).toBe(SERIAL_1);
    const challenge = (await holder.getByTestId('offline-unblock-challenge').textContent()) ?? '';
    expect(Number(await holder.getByTestId('offline-unblock-countdown').getAttribute('data-seconds'))).toBeGreaterThan(590);
    await expectAccessible(holder, 'offline unblock, holder side');

    // The desk.
    await page.getByTestId('unblock-response-open').click();
    await page.getByTestId('unblock-response-serial').fill(SERIAL_1);
    await page.getByTestId('unblock-response-challenge').fill(challenge.toLowerCase());
    await expectAccessible(page, 'unblock response dialog');
    await page.getByTestId('unblock-response-submit').click();
    await page.getByTestId('unblock-response-code').waitFor();
    const response = (await page.getByTestId('unblock-response-code').textContent()) ?? '';
    expect(response.length).toBeGreaterThan(4);
    expect(await page.getByTestId('unblock-response-dialog').textContent()).toContain(en.lifecycle.answer.validOnce);
    await expectAccessible(page, 'unblock response shown');
    await page.keyboard.press('Escape');

    // A typo is caught before the card sees it, and the challenge stays.
    const last = response.at(-1) ?? '0';
    const typo = `${response.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    await holder.getByTestId('offline-unblock-response').fill(typo);
    for (const field of ['offline-unblock-new-pin', 'offline-unblock-repeat-pin']) {
      await holder.getByTestId(field).focus();
      for (const digit of '424242') await holder.getByTestId(`pin-key-${digit}`).click();
    }
    await holder.getByTestId('offline-unblock-submit').click();
    await expect.poll(() => holder.getByTestId('offline-unblock-problem').textContent()).toBe(en.cards.offline.completeFailure.responseMistyped);
    expect(await holder.getByTestId('offline-unblock-challenge').textContent()).toBe(challenge);
    expect(await holder.getByTestId('offline-unblock-new-pin').inputValue()).toBe('');

    await holder.getByTestId('offline-unblock-response').fill(response);
    await holder.getByTestId('offline-unblock-new-pin').fill('424242');
    await holder.getByTestId('offline-unblock-repeat-pin').fill('424242');
    await holder.getByTestId('offline-unblock-submit').click();
    await holder.getByTestId('offline-unblock-done').waitFor({ timeout: 15_000 });
    await holder.getByTestId('offline-unblock-cancel').click();
    expect(holderSide.errors).toEqual([]);
    await holder.context().close();

    await openCard(page, card1.readerName, SERIAL_1);
    await expect.poll(() => page.getByTestId('card-pin-status').getAttribute('data-tries-left')).toBe('3');
    expect((await opensc(card1, '--verify-pin', '--pin', '424242')).code).toBe(0);
  });

  it('renews the card: new keys and certificates, the old ones revoked', async () => {
    await openCard(page, card1.readerName, SERIAL_1);
    await page.getByTestId('lifecycle-action-renew').click();
    await expectAccessible(page, 'renew dialog');
    await page.getByTestId('workflow-start').click();
    const steps = await finishedSteps(page);
    expect(Object.values(steps).every((state) => state === 'done' || state === 'skipped'), JSON.stringify(steps)).toBe(true);
    expect(steps['revokeCertificates']).toBe('done');
    expect(await page.getByTestId('workflow-success').textContent()).toBe(en.lifecycle.workflow.renew.done.replace('{{serial}}', SERIAL_1));
    await page.getByTestId('workflow-close').click();
    const statuses = await page.evaluate(async () => {
      const api = (window as unknown as { carddesk: { certificates: { list(a: object): Promise<{ ok: true; value: { items: { cardSerial: string | null; status: string; reason: string | null }[] } }> } } }).carddesk;
      return (await api.certificates.list({ query: '', limit: 100 })).value.items.filter((c) => c.cardSerial === '50501001').map((c) => `${c.status}:${c.reason ?? ''}`).sort();
    });
    expect(statuses).toEqual([...Array(4).fill('revoked:superseded'), ...Array(4).fill('valid:')]);
  });

  it('retires a card: certificates revoked, card wiped to its factory state', async () => {
    await openCard(page, card2.readerName, SERIAL_2);
    await page.getByTestId('lifecycle-action-retire').click();
    await page.getByTestId('workflow-dialog-retire').waitFor();
    expect(await page.getByTestId('workflow-dialog-retire').textContent()).toContain(en.lifecycle.workflow.retire.warning);
    await expectAccessible(page, 'retire dialog');
    await page.getByTestId('workflow-start').click();
    expect(await finishedSteps(page)).toEqual({ identify: 'done', revokeCertificates: 'done', factoryReset: 'done' });
    await page.getByTestId('workflow-close').click();
    await openCard(page, card2.readerName, SERIAL_2);
    await expect.poll(() => panelState(page)).toBe('retired');
    expect(await page.getByTestId('card-defaults-warning').textContent()).toMatch(/factory PIN, PUK, and management key/);
    expect(await page.getByTestId('lifecycle-action-issue').isVisible()).toBe(true);
  });

  it("suspends, resumes, reports stolen, replaces and revokes from the holder's page", async () => {
    await openCard(page, card1.readerName, SERIAL_1);
    await page.getByTestId('lifecycle-card-holder').getByRole('link').click();
    await page.getByTestId('holder-detail').waitFor();
    const row = (serial: string) => page.locator(`[data-testid="holder-card-row"][data-serial="${serial}"]`);
    await expect.poll(() => row(SERIAL_1).getAttribute('data-state')).toBe('active');
    await expectAccessible(page, 'holder detail with cards');

    await page.getByTestId(`holder-card-suspend-${SERIAL_1}`).click();
    await page.getByTestId('holder-card-suspend-days').fill('31');
    expect(await page.getByTestId('holder-card-confirm').isDisabled()).toBe(true);
    await page.getByTestId('holder-card-suspend-days').fill('3');
    await choose(page, 'holder-card-after-hold', en.certificates.afterHoldChoices.revoke);
    await expectAccessible(page, 'suspend dialog');
    await page.getByTestId('holder-card-confirm').click();
    await expect.poll(() => row(SERIAL_1).getAttribute('data-state')).toBe('suspended');
    expect(await page.getByTestId('holder-card-message').textContent()).toBe(`Card ${SERIAL_1} is suspended for 3 days.`);
    expect(await page.getByTestId(`holder-card-state-${SERIAL_1}`).textContent()).toBe(en.users.cardStates.suspended);

    await page.getByTestId(`holder-card-resume-${SERIAL_1}`).click();
    await expectAccessible(page, 'resume dialog');
    await page.getByTestId('holder-card-confirm').click();
    await expect.poll(() => row(SERIAL_1).getAttribute('data-state')).toBe('active');

    await page.getByTestId(`holder-card-reportLost-${SERIAL_1}`).click();
    await page.getByRole('radio', { name: en.lifecycle.holderCard.reportLost.stolen }).check();
    await expectAccessible(page, 'report lost dialog');
    await page.getByTestId('holder-card-confirm').click();
    await expect.poll(() => row(SERIAL_1).getAttribute('data-state')).toBe('lost');
    expect(await page.getByTestId('holder-card-message').textContent()).toContain('reported stolen');

    // The replacement goes onto the wiped card in the second reader, chosen in the dialog.
    await page.getByTestId(`holder-card-replace-${SERIAL_1}`).click();
    await page.getByTestId('workflow-dialog-replace').waitFor();
    expect(await page.getByTestId('workflow-lost-card').getAttribute('data-serial')).toBe(SERIAL_1);
    await choose(page, 'workflow-reader', card2.readerName);
    await expect.poll(() => page.getByTestId('workflow-reader-card').getAttribute('data-serial')).toBe(SERIAL_2);
    await expectAccessible(page, 'replace dialog');
    await page.getByTestId('workflow-start').click();
    await page.getByTestId('workflow-confirm').click();
    const steps = await finishedSteps(page);
    expect(steps['recoverKeys']).toBe('done');
    expect(Object.values(steps).every((state) => state === 'done'), JSON.stringify(steps)).toBe(true);
    const file = await page.locator('[data-testid="workflow-letter-row"][data-kind="pin"]').getAttribute('data-file');
    const { pin } = pinLetterSecrets(file ?? '');
    await expectNoSecretSeen(page);
    await page.getByTestId('workflow-close').click();
    // The replacement waits for its holder to sign its contract, like any new card.
    await expect.poll(() => row(SERIAL_2).getAttribute('data-state')).toBe('awaitingActivation');
    expect(await page.getByTestId(`holder-card-activate-${SERIAL_2}`).isVisible()).toBe(true);
    expect((await opensc(card2, '--verify-pin', '--pin', pin)).code).toBe(0);

    await page.getByTestId(`holder-card-revoke-${SERIAL_2}`).click();
    await choose(page, 'holder-card-revoke-reason', en.certificates.reasons.affiliationChanged);
    await expectAccessible(page, 'revoke dialog');
    await page.getByTestId('holder-card-confirm').click();
    await expect.poll(() => row(SERIAL_2).getAttribute('data-state')).toBe('revoked');
    expect(await page.getByTestId(`holder-card-revoke-${SERIAL_2}`).count()).toBe(0);
  });

  it('lists the short-lived certificate in the expiry watch and renews it from there', async () => {
    await page.goto(`${host.url}#/cards`);
    await page.getByTestId('cards-tab-expiry').click();
    const row = page.locator(`[data-testid="expiry-row"][data-serial="${shortLived}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-window')).toBe('7');
    expect(await row.textContent()).toContain('Grace Hopper');
    expect(await row.textContent()).toContain(en.lifecycle.expiry.noCard);
    expect(await page.locator('[data-testid="expiry-count"][data-window="7"]').getAttribute('data-count')).toBe('1');
    await expectAccessible(page, 'expiry watch');
    await page.getByTestId(`expiry-renew-${shortLived}`).click();
    await expectAccessible(page, 'renew from the expiry watch');
    await page.getByTestId('expiry-renew-confirm').click();
    await expect.poll(() => page.getByTestId('expiry-message').textContent()).toMatch(/^Renewed\. The new certificate is [0-9A-F]+\.$/);
    await expect.poll(() => page.getByTestId(`expiry-renew-${shortLived}`).count()).toBe(0);
    expect(await row.textContent()).toContain(en.lifecycle.expiry.renewedBy);
  });

  it('saves the issuance policy from Settings', async () => {
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('issuance-policy').waitFor();
    await choose(page, 'policy-pinLength', '8');
    await choose(page, 'policy-pinTries', '5');
    await choose(page, 'policy-key-signature', en.lifecycle.algorithms.eccp256);
    await page.getByTestId('policy-escrow').uncheck();
    await choose(page, 'policy-activation', en.lifecycle.policy.activationModes.atIssuance);
    await choose(page, 'policy-recipient', en.lifecycle.recipients.contactPerson);
    await page.getByTestId('policy-sender').fill('');
    expect(await page.getByTestId('policy-save').isDisabled()).toBe(true);
    await page.getByTestId('policy-sender').fill('Ministry of Tests');
    // The mobile ID defaults (issue 16): validity, delivery by email, no notices.
    await page.getByTestId('policy-mobile-id-days').fill('0');
    expect(await page.getByTestId('policy-save').isDisabled()).toBe(true);
    await page.getByTestId('policy-mobile-id-days').fill('45');
    await choose(page, 'policy-mobile-id-delivery', en.mobile.deliveries.email);
    await page.getByTestId('policy-mobile-id-notify').uncheck();
    await expectAccessible(page, 'issuance policy');
    await page.getByTestId('policy-save').click();
    await expect.poll(() => page.getByTestId('policy-message').textContent()).toBe(en.lifecycle.policy.saved);
    await page.reload();
    await page.getByTestId('policy-sender').waitFor();
    expect(await page.getByTestId('policy-sender').inputValue()).toBe('Ministry of Tests');
    const policy = await page.evaluate(async () => (await (window as unknown as { carddesk: { cards: { policy(): Promise<{ value: unknown }> } } }).carddesk.cards.policy()).value);
    expect(policy).toEqual({
      pinLength: 8,
      pinTries: 5,
      pukTries: 3,
      keys: { authentication: 'rsa2048', signature: 'eccp256', encryption: 'rsa2048' },
      escrowEncryptionKeys: false,
      userNumberRecipient: 'contactPerson',
      letterSender: 'Ministry of Tests',
      activation: 'atIssuance',
      mobileId: { labels: ['auth', 'sign'], validityDays: 45, delivery: 'email', recoverKey: false, notify: false },
    });
  });

  it('the holder chooses the PIN: the PUK-only letter, the issue result opens the choose-PIN activation, and the holder page activates with the new PIN', async () => {
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('issuance-policy').waitFor();
    await choose(page, 'policy-activation', en.lifecycle.policy.activationModes.holderChoosesPin);
    await page.getByTestId('policy-save').click();
    const unlock = page.getByTestId('vault-unlock-dialog');
    await Promise.race([unlock.waitFor({ timeout: 15_000 }), page.getByTestId('policy-message').waitFor({ timeout: 15_000 })]);
    if (await unlock.isVisible()) {
      await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
      await page.getByTestId('vault-unlock-submit').click();
    }
    await expect.poll(() => page.getByTestId('policy-message').textContent()).toBe(en.lifecycle.policy.saved);

    // A fresh card in the second reader, issued to Grace Hopper under this policy.
    await card2.remove();
    card2 = await CardInReader.create(1, { serial: Number(SERIAL_3) });
    await card2.insert();
    await openCard(page, card2.readerName, SERIAL_3);
    await page.getByTestId('lifecycle-action-issue').click();
    await page.getByTestId('workflow-holder').fill('hopper');
    await page.getByRole('option', { name: /Hopper, Grace/ }).click();
    await page.getByTestId('workflow-start').click();
    await page.getByTestId('workflow-confirm').click();
    await unlockIfAsked(page);
    await finishedSteps(page);
    expect(await page.getByTestId('workflow-success').getAttribute('data-serial')).toBe(SERIAL_3);
    expect(await page.getByTestId('workflow-choose-pin-notice').textContent()).toContain(en.lifecycle.letters.choosePinNotice);
    expect(await page.getByTestId('workflow-pin-notice').count()).toBe(0);
    const letter = await page.locator('[data-testid="workflow-letter-row"][data-kind="pin"]').getAttribute('data-file');
    const text = letterText({ home }, letter ?? '');
    expect(() => secretsIn(text)).toThrow(/no PIN/);
    const puk = /PUK\s+(\d{8})\b/.exec(text)?.[1] ?? '';
    expect(puk).toMatch(/^\d{8}$/);
    secrets.push(puk);
    await expectAccessible(page, 'issue result, the holder chooses the PIN');

    // The issue result offers the activation in choose-PIN mode (the holder types on their own screen below).
    await page.getByTestId('workflow-choose-pin-now').click();
    await page.getByTestId('activation-dialog').waitFor();
    await expect.poll(() => page.getByTestId('activation-new-pin').isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('activation-pin').count()).toBe(0);
    expect(await page.getByTestId('activation-dialog').textContent()).toContain(en.lifecycle.workflow.activate.bodyChoosePin);
    await page.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 15_000 });
    await expectAccessible(page, 'choose-PIN activation');
    await page.getByTestId('activation-dialog').getByRole('button', { name: en.common.cancel, exact: true }).click();
    await page.getByTestId('workflow-close').click();

    // The holder page's Activate button opens the same mode while the transport PIN waits in the vault.
    const holderSide = (await openPage(browser)).page;
    await holderSide.goto(`${host.url}#/cards`);
    await openCard(holderSide, card2.readerName, SERIAL_3);
    await holderSide.getByTestId('lifecycle-card-holder').getByRole('link').click();
    await holderSide.getByTestId('holder-detail').waitFor();
    await holderSide.getByTestId(`holder-card-activate-${SERIAL_3}`).click();
    await holderSide.getByTestId('activation-dialog').waitFor();
    await expect.poll(() => holderSide.getByTestId('activation-new-pin').isEnabled(), { timeout: 15_000 }).toBe(true);
    await holderSide.locator('[data-testid="pdf-page-1"][data-state="rendered"]').waitFor({ timeout: 15_000 });
    await choose(holderSide, 'workflow-reader', card2.readerName);
    await expect.poll(() => holderSide.getByTestId('workflow-reader-card').getAttribute('data-serial')).toBe(SERIAL_3);
    const policy = await holderSide.evaluate(async () => (await (window as unknown as { carddesk: { cards: { policy(): Promise<{ value: { pinLength: number } }> } } }).carddesk.cards.policy()).value);
    const chosen = '24681357'.slice(0, policy.pinLength);
    const other = `${chosen.slice(0, -1)}9`;
    // On the PIN pad: the new PIN, then a different repeat — refused before anything reaches the card.
    for (const digit of chosen) await holderSide.getByTestId(`pin-key-${digit}`).click();
    for (const digit of other) await holderSide.getByTestId(`pin-key-${digit}`).click();
    await holderSide.getByTestId('activation-mismatch').waitFor();
    expect(await holderSide.getByTestId('activation-mismatch').textContent()).toBe(en.contracts.activation.mismatch);
    expect(await holderSide.getByTestId('activation-submit').isDisabled()).toBe(true);
    await expectAccessible(holderSide, 'choose-PIN activation, PINs differ');
    await holderSide.getByTestId('activation-repeat-pin').fill(chosen);
    await holderSide.getByTestId('activation-submit').click();
    await holderSide.getByTestId('activation-done').waitFor({ timeout: 30_000 });
    await holderSide.close();
    await openCard(page, card2.readerName, SERIAL_3);
    await expect.poll(() => panelState(page)).toBe('active');
    // OpenSC, which we did not write, finds the holder's chosen PIN on the card.
    const verified = await opensc(card2, '--verify-pin', '--pin', chosen);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  }, 180_000);

  it('never showed a PIN or PUK, and logged no errors', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    await expectNoSecretSeen(page);
    expect(watched.errors).toEqual([]);
  });
});

/**
 * The second card is pulled as the first key is generated (GENERATE ASYMMETRIC KEY PAIR, SP 800-73-4
 * §3.3.2): past the management key, before the keys are all made — whatever the APDUs before it
 * (extended length or chaining).
 */
const PULL_AT_INS = 0x47;
