/**
 * Settings → Operators in Chromium against a browser-mode desk (issue 17 §1, §6): the first
 * operator refused unless a CA administrator (the refusal in words), an administrator and a
 * helpdesk operator added by searching the directory, the helpdesk operator's roles changed,
 * suspended, resumed and removed after a confirmation; the last CA administrator cannot be
 * removed; "Issue an operator card" opens the card workflow for that person. The desk's own
 * channel and the audit log agree with the screen. Screenshots at 1024×768 in English and Dutch
 * go to CARDDESK_SCREENSHOTS when it names a folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import it_ from '../../renderer/src/i18n/locales/it.json';
import nl from '../../renderer/src/i18n/locales/nl.json';
import sq from '../../renderer/src/i18n/locales/sq.json';

const locales = { en, nl, it: it_, sq } as const;
import { settingsTestIds as ids } from '../../renderer/src/features/settings/testIds';
import { lifecycleTestIds } from '../../renderer/src/features/lifecycle/testIds';
import type { OperatorRecord } from '../../electron/shared/schemas/operators';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { openHostSession, type Session } from '../support/host-session';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';

const SHOTS = process.env.CARDDESK_SCREENSHOTS;
let host: HostProcess;
let session: Session;
let browser: Browser;
const holders: Record<'ada' | 'grace', string> = { ada: '', grace: '' };

async function step(channel: string, args?: unknown): Promise<unknown> {
  const { envelope } = await session.call(channel, args);
  if (!envelope.ok) throw new Error(`${channel}: ${JSON.stringify(envelope)}`);
  return envelope.value;
}

beforeAll(async () => {
  host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  session = await openHostSession(host);
  await step('vault:init', { passphrase: PASSPHRASE });
  holders.ada = ((await step('holders:create', holderInput(1, { firstName: 'Ada', lastName: 'Lovelace' }))) as { holder: { id: string } }).holder.id;
  holders.grace = ((await step('holders:create', holderInput(2, { firstName: 'Grace', lastName: 'Hopper' }))) as { holder: { id: string } }).holder.id;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  session?.close();
  await browser?.close();
  await host?.stop();
});

const row = (page: Page, name: string) => page.getByTestId(ids.operatorRow).filter({ hasText: name });

async function addOperator(page: Page, search: string, holderId: string, roles: string[]): Promise<void> {
  await page.getByTestId(ids.operatorsAdd).click();
  const dialog = page.getByTestId(ids.operatorDialog);
  await page.getByTestId(ids.operatorHolder).fill(search);
  await page.locator(`li[data-holder-id="${holderId}"]`).click();
  for (const role of roles) await dialog.getByTestId(ids.operatorRoleChoice(role)).check();
  await dialog.getByTestId(ids.operatorSave).click();
  await dialog.waitFor({ state: 'detached' });
}

async function rolesOf(page: Page, name: string): Promise<(string | null)[]> {
  return row(page, name).getByTestId(ids.operatorRole).evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-role')));
}

async function shoot(page: Page, language: keyof typeof locales): Promise<void> {
  if (SHOTS === undefined) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate((chosen) => window.localStorage.setItem('carddesk.language', chosen), language);
  await page.reload();
  const panel = page.getByTestId(ids.operators);
  await panel.waitFor();
  await row(page, 'Ada Lovelace').waitFor();
  await panel.scrollIntoViewIfNeeded();
  expect(await panel.textContent()).toContain(locales[language].settings.operators.title);
  await page.screenshot({ path: join(SHOTS, `operators-${language}.png`) });
  await page.getByTestId(ids.operatorsAdd).click();
  await page.getByTestId(ids.operatorDialog).waitFor();
  // After the dialog's fade-in (MUI's enter transition), so the picture shows it, not the page behind.
  await page.waitForFunction(() => [...document.querySelectorAll('.MuiDialog-container')].every((node) => getComputedStyle(node).opacity === '1'));
  await page.screenshot({ path: join(SHOTS, `operators-add-${language}.png`) });
  await page.keyboard.press('Escape');
  await page.getByTestId(ids.operatorDialog).waitFor({ state: 'detached' });
}

describe('Settings → Operators', () => {
  let desk: WatchedPage;

  it('adds, changes roles, suspends, resumes and removes operators, and keeps the last CA administrator', async () => {
    desk = await openPage(browser);
    const { page } = desk;
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${host.url}#/settings`);
    const panel = page.getByTestId(ids.operators);
    await panel.waitFor();
    expect(await panel.textContent()).toContain(en.settings.operators.none);

    // The first operator must be a CA administrator: refused in words, nothing added.
    await addOperator(page, 'Hopper', holders.grace, ['helpdesk']);
    await expect.poll(() => page.getByTestId(ids.operatorsRefusal).getAttribute('data-reason')).toBe('lastAdministrator');
    expect(await page.getByTestId(ids.operatorsRefusal).textContent()).toBe(en.settings.operators.refused.lastAdministrator);
    expect(await page.getByTestId(ids.operatorRow).count()).toBe(0);

    await addOperator(page, 'Lovelace', holders.ada, ['caAdministrator']);
    await row(page, 'Ada Lovelace').waitFor();
    expect(await rolesOf(page, 'Ada Lovelace')).toEqual(['caAdministrator']);
    expect(await row(page, 'Ada Lovelace').getByTestId(ids.operatorRole).textContent()).toBe(en.settings.operators.roles.caAdministrator);
    await addOperator(page, 'Hopper', holders.grace, ['helpdesk']);
    await row(page, 'Grace Hopper').waitFor();
    expect(await row(page, 'Grace Hopper').getByTestId(ids.operatorState).textContent()).toBe(en.settings.operators.states.active);
    expect(await row(page, 'Grace Hopper').getByTestId(ids.operatorCards).textContent()).toBe(en.settings.operators.noCards);

    // Roles: helpdesk off, issuer and auditor on.
    await row(page, 'Grace Hopper').getByTestId(ids.operatorEditRoles).click();
    const dialog = page.getByTestId(ids.operatorDialog);
    await dialog.getByTestId(ids.operatorRoleChoice('helpdesk')).uncheck();
    expect(await dialog.getByTestId(ids.operatorSave).isDisabled()).toBe(true);
    await dialog.getByTestId(ids.operatorRoleChoice('auditor')).check();
    await dialog.getByTestId(ids.operatorRoleChoice('issuer')).check();
    await dialog.getByTestId(ids.operatorSave).click();
    await expect.poll(() => rolesOf(page, 'Grace Hopper')).toEqual(['issuer', 'auditor']);

    // Suspend and resume.
    await row(page, 'Grace Hopper').getByTestId(ids.operatorSuspend).click();
    await expect.poll(() => row(page, 'Grace Hopper').getAttribute('data-state')).toBe('suspended');
    expect(await row(page, 'Grace Hopper').getByTestId(ids.operatorState).textContent()).toBe(en.settings.operators.states.suspended);
    await row(page, 'Grace Hopper').getByTestId(ids.operatorResume).click();
    await expect.poll(() => row(page, 'Grace Hopper').getAttribute('data-state')).toBe('active');

    // The last CA administrator: removal refused, after the confirmation.
    await row(page, 'Ada Lovelace').getByTestId(ids.operatorRemove).click();
    await page.getByTestId(ids.operatorRemoveConfirm).click();
    await expect.poll(() => page.getByTestId(ids.operatorsRefusal).getAttribute('data-reason')).toBe('lastAdministrator');
    expect(await row(page, 'Ada Lovelace').getAttribute('data-state')).toBe('active');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // "Issue an operator card" opens the card issuance for that person.
    await row(page, 'Grace Hopper').getByTestId(ids.operatorIssueCard).click();
    const workflow = page.getByTestId(lifecycleTestIds.dialog('issue'));
    await workflow.waitFor();
    expect(await workflow.textContent()).toContain('Hopper');
    await page.keyboard.press('Escape');
    await workflow.waitFor({ state: 'detached' });

    // Remove Grace: confirmed, the row stays, removed, with no actions.
    await row(page, 'Grace Hopper').getByTestId(ids.operatorRemove).click();
    expect(await page.getByTestId(ids.operatorRemoveDialog).textContent()).toContain(en.settings.operators.removeBody);
    await page.getByTestId(ids.operatorRemoveConfirm).click();
    await expect.poll(() => row(page, 'Grace Hopper').getAttribute('data-state')).toBe('removed');
    expect(await row(page, 'Grace Hopper').getByTestId(ids.operatorSuspend).count()).toBe(0);
    expect(await page.getByTestId(ids.operatorsMessage).textContent()).toBe(en.settings.operators.done.remove.replace('{{name}}', 'Grace Hopper'));

    // The desk's own answer and the audit log agree with the screen.
    const listed = (await step('operators:list')) as OperatorRecord[];
    expect(listed.map((o) => [o.name, o.state, o.roles])).toEqual([
      ['Ada Lovelace', 'active', ['caAdministrator']],
      ['Grace Hopper', 'removed', ['issuer', 'auditor']],
    ]);
    const audit = (await step('audit:query', { limit: 100 })) as { entries: { action: string; outcome: string; reason?: string }[] };
    const operatorEvents = audit.entries.filter((e) => e.action.startsWith('operator.') && e.action !== 'operator.denied').map((e) => `${e.action} ${e.outcome}`).reverse();
    expect(operatorEvents).toEqual([
      'operator.added failure',
      'operator.added success',
      'operator.added success',
      'operator.rolesChanged success',
      'operator.suspended success',
      'operator.resumed success',
      'operator.removed failure',
      'operator.removed success',
    ]);

    for (const language of ['en', 'nl', 'it', 'sq'] as const) await shoot(page, language);
    expect(desk.errors).toEqual([]);
  }, 180_000);
});
