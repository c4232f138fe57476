/**
 * The kiosk's settings from the desk, in Chromium against one browser-mode host serving both the
 * operator desk and the holder kiosk: the desk's Settings → Kiosk refuses an idle time outside
 * 15–900 seconds and changes nothing; a good change (30 seconds, shuffled PIN pad) is saved, shown
 * again after a reload, and the kiosk page's own `kiosk:status` reports it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { settingsTestIds as ids } from '../../renderer/src/features/settings/testIds';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';

interface KioskStatus {
  idleSeconds: number;
  shufflePinPad: boolean;
  filesAllowed: boolean;
}

let host: HostProcess;
let browser: Browser;

beforeAll(async () => {
  host = await startHostProcess({ kiosk: true, env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

/** What the kiosk page itself is told, over its own connection (the kiosk surface). */
async function kioskStatus(kiosk: Page): Promise<KioskStatus> {
  return deskCall<KioskStatus>(kiosk, 'kiosk', 'status');
}

describe('kiosk settings in the desk Settings', () => {
  let desk: WatchedPage;
  let kiosk: WatchedPage;

  it('changes the idle time and the PIN pad shuffle the kiosk reports', async () => {
    expect(host.deskUrl).not.toBe(host.url);
    kiosk = await openPage(browser);
    await kiosk.page.goto(host.url);
    await kiosk.page.getByTestId('kiosk-welcome').waitFor();
    expect(await kioskStatus(kiosk.page)).toMatchObject({ idleSeconds: 60, shufflePinPad: false, filesAllowed: true });
    // The kiosk page cannot read or change the desk's settings.
    await expect(deskCall(kiosk.page, 'settings', 'setKiosk', { idleSeconds: 900, shufflePinPad: true, filesAllowed: true })).rejects.toThrow(/NOT_ON_THIS_SURFACE/);

    desk = await openPage(browser);
    const { page } = desk;
    await page.goto(`${host.deskUrl}#/settings`);
    const panel = page.getByTestId(ids.kiosk);
    await panel.waitFor();
    await expect.poll(() => page.getByTestId(ids.kioskIdleSeconds).inputValue()).toBe('60');
    expect(await page.getByTestId(ids.kioskShufflePinPad).isChecked()).toBe(false);
    expect(await page.getByTestId(ids.kioskFilesAllowed).isChecked()).toBe(true);
    expect(await panel.textContent()).toContain(en.settings.kiosk.idleSecondsHint);

    // Out of bounds: told, nothing saved.
    await page.getByTestId(ids.kioskIdleSeconds).fill('10');
    await page.getByTestId(ids.kioskShufflePinPad).check();
    await page.getByTestId(ids.kioskSave).click();
    await expect.poll(() => page.getByTestId(ids.kioskMessage).getAttribute('data-severity')).toBe('error');
    expect(await page.getByTestId(ids.kioskMessage).textContent()).toContain(en.settings.kiosk.badIdleSeconds);
    expect(await kioskStatus(kiosk.page)).toMatchObject({ idleSeconds: 60, shufflePinPad: false });

    // 30 seconds and a shuffled PIN pad: saved, and the kiosk says so.
    await page.getByTestId(ids.kioskIdleSeconds).fill('30');
    await page.getByTestId(ids.kioskSave).click();
    await expect.poll(() => page.getByTestId(ids.kioskMessage).getAttribute('data-severity')).toBe('success');
    expect(await page.getByTestId(ids.kioskMessage).textContent()).toContain(en.settings.kiosk.saved);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await expect.poll(() => kioskStatus(kiosk.page)).toMatchObject({ idleSeconds: 30, shufflePinPad: true, filesAllowed: true });

    // The desk shows what it saved after a reload.
    await page.reload();
    await page.getByTestId(ids.kiosk).waitFor();
    await expect.poll(() => page.getByTestId(ids.kioskIdleSeconds).inputValue()).toBe('30');
    expect(await page.getByTestId(ids.kioskShufflePinPad).isChecked()).toBe(true);
    expect(await deskCall(page, 'settings', 'kiosk')).toEqual({ idleSeconds: 30, shufflePinPad: true, filesAllowed: true });

    expect(desk.errors).toEqual([]);
    expect(kiosk.errors).toEqual([]);
  });
});
