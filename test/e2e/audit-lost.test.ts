/**
 * The integrity badge on the Access history screen, in Chromium against browser mode, when the
 * audit log was deleted (issue 11 §1): the host opens the vault over a log that lacks the record
 * the vault anchored, records the loss, and the badge says *Log lost or replaced* (in the page's
 * language) until an administrator acknowledges it there, after unlocking the vault.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { PASSPHRASE } from '../support/vault-fixtures';

let home: string;
let host: HostProcess;
let browser: Browser;

beforeAll(async () => {
  home = freshHome('carddesk-e2e-audit-lost-');
  const env = { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') };
  const init = await carddesk(['vault', 'init'], { home, env, input: `${PASSPHRASE}\n${PASSPHRASE}\n` });
  expect(init.code, init.stderr).toBe(0);
  const unlock = await carddesk(['vault', 'unlock'], { home, env, input: `${PASSPHRASE}\n` });
  expect(unlock.code, unlock.stderr).toBe(0);
  rmSync(join(home, 'audit'), { recursive: true });
  host = await startHostProcess({ home, env });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the integrity badge over a deleted log', () => {
  it('says the log was lost (in the page language) and keeps saying so until acknowledged', async () => {
    const { page, errors } = await openPage(browser, { locale: 'it' });
    await page.goto(`${host.url}#/access-history`);
    const badge = page.getByTestId('audit-integrity');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('lost');
    expect(await badge.textContent()).toContain(it_.accessHistory.integrity.lost);
    expect(await page.getByTestId('audit-problem').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset['kind']))).toContain('lost');
    // Checking again does not make it go away.
    await page.getByTestId('audit-recheck').click();
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('lost');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('is acknowledged by an administrator after unlocking the vault, and then intact', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${host.url}#/access-history`);
    const badge = page.getByTestId('audit-integrity');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('lost');
    expect(await badge.textContent()).toContain(en.accessHistory.integrity.lostExplain);
    await page.getByTestId('audit-acknowledge-loss').click();
    await page.getByTestId('vault-unlock-dialog').waitFor();
    await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
    await page.getByTestId('vault-unlock-submit').click();
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('intact');
    expect(await page.getByTestId('audit-loss-acknowledged').textContent()).toBe(en.accessHistory.integrity.acknowledged);
    // Recorded: the loss found by the host (once), the attempt refused while locked, and who acknowledged it.
    const exported = await carddesk(['audit', 'export', '--json', '--action', 'audit.loss', 'audit.lossAcknowledge'], { home, env: { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') } });
    const actions = exported.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { action: string; outcome: string; reason: string | null }));
    expect(actions.map(({ action, outcome, reason }) => ({ action, outcome, reason }))).toEqual([
      { action: 'audit.loss', outcome: 'failure', reason: expect.stringMatching(/deleted or emptied/) as string },
      { action: 'audit.lossAcknowledge', outcome: 'failure', reason: 'VAULT_LOCKED' },
      { action: 'audit.lossAcknowledge', outcome: 'success', reason: null },
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
