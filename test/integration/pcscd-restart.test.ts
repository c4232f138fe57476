/**
 * pcscd goes away and comes back: the Cards screen says plainly that the smart-card service is
 * not running, then shows the readers again, and a card inserted afterwards still appears.
 * Restarting pcscd is only done to the pcscd this test started itself.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { readerRow } from '../support/cards-page';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { Pcscd, pcscdRunning } from '../support/pcscd';
import { insertTestCard, testCardLink, VIRTUAL_READERS } from '../support/test-card';

let pcscd: Pcscd | null = null;
let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;

function needOwnPcscd(context: TestContext): Pcscd {
  if (pcscd === null || !pcscd.startedByUs) {
    const reason = 'pcscd was already running, started by someone else; this test only stops a pcscd it started itself';
    console.warn(`SKIPPED: ${context.task.name}: ${reason}`);
    context.skip(reason);
  }
  return pcscd;
}

beforeAll(async () => {
  // Begin with no PC/SC service at all, when the machine lets us.
  if (await pcscdRunning()) pcscd = await Pcscd.ensure();
  host = await startHostProcess();
  browser = await launchBrowser();
  watched = await openPage(browser);
  await watched.page.goto(`${host.url}#/cards`);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await pcscd?.stop();
});

describe('when pcscd is not running, then starts, then restarts', () => {
  it('says plainly that the smart-card service is not running', async (context) => {
    if (pcscd !== null) needOwnPcscd(context);
    const alert = watched.page.getByTestId('pcsc-unavailable');
    await alert.waitFor({ timeout: 5000 });
    expect(await alert.textContent()).toContain('The smart-card service is not running');
    expect(await watched.page.locator('[data-testid="reader-row"][data-reader-name^="Virtual PCD"]').count()).toBe(0);
    // Without PC/SC readers CardDesk offers its built-in virtual reader, and says so.
    await watched.page.locator('[data-testid="reader-row"][data-reader-name="CardDesk Virtual Reader"]').waitFor();
    expect(await alert.textContent()).toContain('built-in virtual reader');
  });

  it('finds the readers on its own once pcscd starts', async (context) => {
    if (pcscd === null) pcscd = await Pcscd.ensure();
    needOwnPcscd(context);
    const started = Date.now();
    for (const name of VIRTUAL_READERS) await readerRow(watched.page, name).waitFor({ timeout: 5000 });
    console.log(`readers back on screen ${Date.now() - started} ms after pcscd accepted connections`);
    expect(await watched.page.getByTestId('pcsc-unavailable').count()).toBe(0);
    // Real readers are back, so the virtual one steps aside.
    await expect.poll(() => watched.page.locator('[data-reader-name="CardDesk Virtual Reader"]').count()).toBe(0);
  });

  it('survives pcscd restarting: unavailable while it is down, readers and cards back after', async (context) => {
    const own = needOwnPcscd(context);
    await own.stop();
    await watched.page.getByTestId('pcsc-unavailable').waitFor({ timeout: 5000 });
    await own.start();
    const back = Date.now();
    for (const name of VIRTUAL_READERS) await readerRow(watched.page, name).waitFor({ timeout: 5000 });
    const reconnectMs = Date.now() - back;
    console.log(`reconnected ${reconnectMs} ms after pcscd came back (back-off is capped at 2000 ms)`);
    expect(reconnectMs).toBeLessThan(3000);

    const link = testCardLink(0);
    await insertTestCard(link);
    await expect.poll(() => readerRow(watched.page, VIRTUAL_READERS[0]).getAttribute('data-card-state'), { timeout: 3000 }).toBe('present');
    await link.remove();
    await expect.poll(() => readerRow(watched.page, VIRTUAL_READERS[0]).getAttribute('data-card-state'), { timeout: 3000 }).toBe('absent');
  });

  it('kept the host alive and the page free of errors throughout', () => {
    expect(host.output()).not.toMatch(/Uncaught|TypeError|RangeError/);
    expect(watched.errors).toEqual([]);
  });
});
