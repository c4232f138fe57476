/**
 * Team mode's live screens in Chromium against browser mode (issue 18 §4, §5): the host is a
 * station on a team database; another station (vault services in this process) adds a holder
 * and the open Users list shows it without a reload; the database stopped, every screen says so
 * in the operator's language; back, the banner goes. Screenshots at 1024×768 go to
 * CARDDESK_SCREENSHOTS when it names a folder.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';
import { launchBrowser, openPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { TestPostgres } from '../support/postgres';
import { freshTeamDatabase } from '../support/team-schema';
import { holderInput, operator, tempHome } from '../support/vault-fixtures';

const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const locales = { en, nl, it: it_, sq } as const;

let server: TestPostgres;
let host: HostProcess;
let browser: Browser;
let other: VaultServices;

beforeAll(async () => {
  server = await TestPostgres.start();
  const url = await freshTeamDatabase(server);
  host = await startHostProcess({ env: { CARDDESK_DATABASE_URL: url, PCSCLITE_CSOCK_NAME: join(tempHome(), 'no-pcscd.comm') } });
  other = createVaultServices({ dataDir: tempHome(), audit: new MemoryAuditTrail(), log: silentLogger, storage: { databaseUrl: url, team: { reconnectMs: 100 } } });
  await other.access.prepare();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await other?.close();
  await host?.stop();
  await server?.stop();
});

describe('a desk in team mode', () => {
  it('shows another station\'s holder live, and says on every screen while the database is lost', async () => {
    const { page } = await openPage(browser);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${host.url}#/users`);
    await page.getByTestId('users-screen').waitFor();
    await expect.poll(() => page.getByTestId('holder-row').count()).toBe(0);
    expect(await page.getByTestId('database-lost').count()).toBe(0);

    const created = await other.directory.create({ ...holderInput(1), lastName: 'Elsewhere' }, operator);
    if (!created.ok) throw new Error('not saved');
    // No reload, no click: the list follows the other station's change.
    await page.locator(`[data-holder-id="${created.holder.id}"]`).waitFor({ timeout: 3000 });

    await server.stopServer();
    const banner = page.getByTestId('database-lost');
    await banner.waitFor({ timeout: 10_000 });
    for (const [language, locale] of Object.entries(locales)) {
      await page.getByTestId('language-button').click();
      await page.getByTestId(`language-${language}`).click();
      await page.getByTestId(`language-${language}`).waitFor({ state: 'detached' });
      await expect.poll(() => banner.textContent()).toBe(locale.app.databaseLost);
      if (SHOTS !== undefined) await page.screenshot({ path: join(SHOTS, `team-database-lost-${language}.png`) });
    }
    // Every screen: another one shows it too.
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('certificates-screen').waitFor();
    expect(await banner.isVisible()).toBe(true);
    // A screen opened while the database is away says so too (it asks; the event went before it).
    await page.reload();
    await page.getByTestId('certificates-screen').waitFor();
    await banner.waitFor({ timeout: 5000 });

    await server.startServer();
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
  });
});
