/**
 * Two-person control in Chromium (issue 17 §4, §6, §7): the built renderer served by the browser-mode
 * host on the real core with pcscd + vpcd, the real operator directory and operator cards from the
 * real issuance. Ada (CA administrator) is signed in and changes Carl's roles; the approval dialog
 * asks for a second operator; Bob's card (in the other reader) and PIN on the pad approve it; the
 * roles change and the event names both. Screenshots of the dialog in en/nl/it/sq at 1024x768.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { approvalTestIds as approval } from '../../renderer/src/components/testIds';
import { settingsTestIds as ids } from '../../renderer/src/features/settings/testIds';
import { sessionTestIds } from '../../renderer/src/features/session/testIds';
import { dispatch } from '../../electron/core/api/dispatch';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { silentLogger } from '../../electron/core/log/logger';
import { localConnection } from '../../electron/core/process/local-connection';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { startHost, type RunningHost } from '../../electron/host/server';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import { launchBrowser, openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { issueCardFor } from '../support/operator-accounts';
import { Pcscd } from '../support/pcscd';
import { testCore } from '../support/test-core';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const dist = join(__dirname, '..', '..', 'dist');
const locales = { en, nl, it: it_, sq } as const;

let pcscd: Pcscd;
const core = testCore({ loadPcsc: loadPcscLite, virtualReader: false });
let host: RunningHost;
let browser: Browser;
const cards: CardInReader[] = [];
const ops = { ada: { id: '', pin: '', serial: '' }, bob: { id: '', pin: '', serial: '' }, carl: { id: '', name: '' } };

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  const result = await dispatch(core.handlers, channel, args, { surface: 'desk', transport: 'ipc' }, silentLogger);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelResult<C>;
}

async function present(card: CardInReader): Promise<void> {
  await card.insert();
  await waitUntil(() => core.readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 10_000, `a card in ${card.readerName}`);
}

const row = (page: Page, name: string) => page.getByTestId(ids.operatorRow).filter({ hasText: name });

/** Opens Carl's roles, adds helpdesk and saves: the approval dialog opens. */
async function askRoleChange(page: Page): Promise<void> {
  await row(page, ops.carl.name).getByTestId(ids.operatorEditRoles).click();
  const dialog = page.getByTestId(ids.operatorDialog);
  await dialog.getByTestId(ids.operatorRoleChoice('helpdesk')).check();
  await dialog.getByTestId(ids.operatorSave).click();
  await page.getByTestId(approval.dialog).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.MuiDialog-container')].every((node) => getComputedStyle(node).opacity === '1'));
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  await core.start();
  cards.push(await CardInReader.create(0, { serial: 73_000_001 }), await CardInReader.create(1, { serial: 73_000_002 }));
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=Dual E2E Root, O=Example, C=XK', issuingSubject: 'CN=Dual E2E Issuing, O=Example, C=XK' });
  await call('cards:updatePolicy', { activation: 'atIssuance' });
  const holder = async (n: number) => {
    const created = await call('holders:create', holderInput(n));
    if (!created.ok) throw new Error('no holder');
    return created.holder.id;
  };
  const [ada, bob, carl] = [await holder(51), await holder(52), await holder(53)];
  // Accounts first (no card yet, so still the bootstrap), then Bob's card ends it.
  for (const [key, holderId, roles] of [['bob', bob, ['caAdministrator', 'issuer']], ['ada', ada, ['caAdministrator', 'issuer']], ['carl', carl, ['auditor']]] as const) {
    const added = await call('operators:add', { holderId, roles: [...roles] });
    if (!added.ok) throw new Error(added.reason);
    ops[key].id = added.operator.id;
    if (key === 'carl') ops.carl.name = added.operator.name;
  }
  const forHolder = (id: string) => (<C extends ChannelName>(channel: C, args: ChannelArgs<C>) => (channel === 'holders:create' ? Promise.resolve({ ok: true, holder: { id } } as ChannelResult<C>) : call(channel, args))) as Parameters<typeof issueCardFor>[0];
  await present(cards[1]!);
  const bobCard = await issueCardFor(forHolder(bob), cards[1]!.readerName, 52, 'operator');
  Object.assign(ops.bob, { pin: bobCard.pin, serial: bobCard.serial });
  // Bob (an issuer) signs in and issues Ada's card, then signs out: Ada signs in in the browser.
  expect(await call('session:signIn', { reader: cards[1]!.readerName, pin: ops.bob.pin })).toMatchObject({ ok: true });
  await present(cards[0]!);
  const adaCard = await issueCardFor(forHolder(ada), cards[0]!.readerName, 51, 'operator');
  Object.assign(ops.ada, { pin: adaCard.pin, serial: adaCard.serial });
  await call('session:signOut', undefined);
  host = await startHost({
    core: localConnection(core.handlers, core.events, silentLogger),
    log: silentLogger,
    surface: 'desk',
    rendererDir: join(dist, 'renderer'),
    bridgeFile: join(dist, 'bridge', 'carddesk-bridge.js'),
    port: 0,
  });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await core.dispose();
  for (const card of cards) await card.remove().catch(() => undefined);
  await pcscd?.stop();
});

describe('the approval dialog', () => {
  it("asks a second operator's card and PIN for a role change, changes nothing on cancel, and names both once approved", async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(host.url);
    // Ada signs in with her card (reader 0) and PIN.
    await page.getByTestId(sessionTestIds.screen).waitFor();
    await page.getByTestId(sessionTestIds.reader).click();
    await page.getByRole('option', { name: cards[0]!.readerName }).click();
    await page.getByTestId(sessionTestIds.pin).fill(ops.ada.pin);
    await page.getByTestId(sessionTestIds.submit).click();
    await page.getByTestId(sessionTestIds.operator).waitFor();

    await page.goto(`${host.url}#/settings`);
    await row(page, ops.carl.name).waitFor();
    // Each language: the dialog as the operator sees it, then cancelled: nothing changed.
    if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
    for (const language of ['nl', 'it', 'sq', 'en'] as const) {
      await page.evaluate((chosen) => window.localStorage.setItem('carddesk.language', chosen), language);
      await page.reload();
      await row(page, ops.carl.name).waitFor();
      await askRoleChange(page);
      const dialog = page.getByTestId(approval.dialog);
      expect(await dialog.textContent()).toContain(locales[language].approval.instruction);
      expect(await dialog.textContent()).toContain(locales[language].approval.actions.operatorRoles);
      if (SHOTS !== undefined) await page.screenshot({ path: join(SHOTS, `approval-${language}.png`) });
      if (language !== 'en') {
        await dialog.getByTestId(approval.cancel).click();
        await dialog.waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await page.getByTestId(ids.operatorDialog).waitFor({ state: 'detached' });
        expect(core.vault.operators.byId(ops.carl.id)?.roles).toEqual(['auditor']);
      }
    }

    // English: Ada's own card is refused (her own request); then Bob's card and PIN on the pad.
    const dialog = page.getByTestId(approval.dialog);
    await dialog.getByTestId(approval.reader).click();
    await page.getByRole('option', { name: cards[0]!.readerName }).click();
    await dialog.getByTestId(approval.pin).fill(ops.ada.pin);
    await dialog.getByTestId(approval.approve).click();
    await expect.poll(() => dialog.getByTestId(approval.refusal).getAttribute('data-reason')).toBe('ownRequest');
    expect(await dialog.getByTestId(approval.refusal).textContent()).toBe(en.approval.refusals.ownRequest);
    if (SHOTS !== undefined) await page.screenshot({ path: join(SHOTS, 'approval-en-own-request.png') });
    await dialog.getByTestId(approval.reader).click();
    await page.getByRole('option', { name: cards[1]!.readerName }).click();
    for (const digit of ops.bob.pin) await dialog.getByTestId(`pin-key-${digit}`).click();
    await dialog.getByTestId(approval.approve).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => core.vault.operators.byId(ops.carl.id)?.roles).toEqual(['helpdesk', 'auditor']);

    const { index, reader } = await core.audit.index();
    const changed = (await queryPage(index, reader, { actions: ['operator.rolesChanged'], limit: 1, count: false })).entries[0];
    expect(changed).toMatchObject({ outcome: 'success', actor: { kind: 'operator', id: ops.ada.id }, details: { requestedBy: ops.ada.id, approvedBy: ops.bob.id, approverCard: ops.bob.serial, operatorCard: ops.ada.serial } });
    expect(watched.errors).toEqual([]);
  }, 180_000);
});
