/**
 * The holder enrols an authenticator app at the kiosk, for real: a card issued with the CLI on a
 * virtual PIV card in a vpcd reader of the real pcscd, the holder signs in with the PIN in
 * Chromium (browser-mode host with --kiosk), opens Account, scans… or rather reads the key shown
 * under the QR code, and types the code oathtool computes from it on the pad. The desk then sees
 * the app enrolled; another kiosk page cannot begin an enrolment for this holder; the holder
 * removes the factor with the next step's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { kioskSecondFactorTestIds as ids } from '../../renderer/src/features/kiosk/account/KioskSecondFactor';
import { seriousAccessibilityViolations } from '../support/axe';
import { openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { freshHome, type HostProcess } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';
import { cliOn, enterOnPad as typeOnPad, issueActiveCard, openKioskBesideDesk } from '../support/kiosk-rig';
import { oathtool } from '../support/oathtool';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50615001';
let pcscd: Pcscd;
let card: CardInReader;
let host: HostProcess;
let browser: Browser;
let desk: Page;
let page: Page;
let holder: { id: string; userNumber: string; pin: string };

const totp = (secret: string, aheadSeconds = 0): string => oathtool(secret, Date.now() + aheadSeconds * 1000);

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  const home = freshHome('carddesk-2fa-kiosk-');
  const cli = cliOn(home);
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=2FA Kiosk Root, O=CardDesk Test', '--issuing-name', 'CN=2FA Kiosk Issuing, O=CardDesk Test']);
  await cli(['holder', 'add', '--personal-number', personalNumber(615), '--first-name', 'Hedy', '--last-name', 'Lamarr', '--email', 'hedy@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const { pin } = await issueActiveCard(cli, home, card, 615);
  await card.remove();
  const shown = JSON.parse((await cli(['holder', 'show', personalNumber(615), '--json'], '')).stdout) as { holder: { id: string; userNumber: string } };
  holder = { ...shown.holder, pin };
  ({ host, browser, desk, page } = await openKioskBesideDesk(home));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
});

describe('the second factor at the kiosk', () => {
  it('enrols an authenticator app with oathtool’s code for the signed-in holder only, asks its code before suspending, and removes it with a code', async () => {
    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    await typeOnPad(page, holder.pin);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-tab-account').click();
    const status = page.getByTestId(ids.status);
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('none');

    await page.getByTestId(ids.enrol).click();
    const qr = page.getByTestId(ids.qr);
    await qr.waitFor({ timeout: 20_000 });
    // Large enough to scan from a phone held in front of the kiosk.
    const box = await qr.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(300);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = ((await page.getByTestId(ids.secret).textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Another kiosk page (its own session: none) cannot enrol or read anything for this holder.
    const intruder = (await openPage(browser)).page;
    await intruder.goto(host.url);
    await intruder.waitForFunction(() => 'carddesk' in window, undefined, { timeout: 20_000 });
    const crafted = await intruder.evaluate(async () => {
      const kiosk = (window as unknown as { carddesk: { kiosk: Record<string, (args?: unknown) => Promise<{ ok: boolean; error?: { code: string } }>> } }).carddesk.kiosk;
      const answers = [await kiosk['totpBegin']!(), await kiosk['totpConfirm']!({ code: '123456' }), await kiosk['secondFactor']!()];
      return answers.map((answer) => (answer.ok ? 'answered' : (answer.error?.code ?? 'refused')));
    });
    expect(crafted).toEqual(['SESSION_ENDED', 'SESSION_ENDED', 'SESSION_ENDED']);
    await intruder.context().close();

    const enrolCode = totp(secret);
    await typeOnPad(page, enrolCode);
    await page.getByTestId(ids.done).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId(ids.done).textContent()).toContain(en.account.secondFactor.kiosk.enrolled);
    await expect.poll(() => status.getAttribute('data-state')).toBe('enrolled');
    expect(await deskCall(desk, 'account', 'secondFactor', { holderId: holder.id })).toMatchObject({ method: 'app', state: 'enrolled' });
    // The secret is gone from the page once the enrolment is done.
    expect(await page.content()).not.toContain(secret);

    // From now on suspend asks for the code: a wrong one is refused and holds nothing, the next step's suspends.
    const statuses = async (): Promise<string[]> =>
      (await deskCall<{ items: { status: string; cardSerial: string | null }[] }>(desk, 'certificates', 'list', { holderId: holder.id, limit: 100 })).items.filter((item) => item.cardSerial === SERIAL).map((item) => item.status);
    await page.getByTestId('kiosk-tab-suspend').click();
    await page.getByTestId('kiosk-suspend-confirm').click();
    expect(await page.getByTestId('kiosk-suspend-do').count(), 'suspend without the code').toBe(0);
    await typeOnPad(page, enrolCode === '000000' ? '111111' : '000000');
    await page.getByTestId('kiosk-action-problem').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kiosk-action-problem').textContent()).toContain(en.kiosk.refusal.secondFactorWrong);
    expect(new Set(await statuses())).toEqual(new Set(['valid']));
    const suspendCode = totp(secret, 30);
    const suspendStep = Math.floor(Date.now() / 30_000) + 1;
    await typeOnPad(page, suspendCode);
    await page.getByTestId('kiosk-action-done').waitFor({ timeout: 20_000 });
    expect(new Set(await statuses())).toEqual(new Set(['suspended']));

    await page.getByTestId('kiosk-tab-account').click();
    await page.getByTestId(ids.remove).click();
    // The suspension's code is used: the same one is refused as a replay; the next step's is taken
    // (once the clock is in the suspension's step, so that the next one is within the ±1 window).
    await typeOnPad(page, suspendCode);
    await page.getByTestId(ids.refused).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId(ids.refused).textContent()).toContain(en.account.secondFactor.refused.replayed);
    const wait = suspendStep * 30_000 + 500 - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
    await typeOnPad(page, totp(secret, 30));
    await page.getByTestId(ids.done).waitFor({ timeout: 20_000 });
    await expect.poll(() => status.getAttribute('data-state')).toBe('none');
    expect(await deskCall(desk, 'account', 'secondFactor', { holderId: holder.id })).toMatchObject({ method: 'none' });
  }, 240_000);
});
