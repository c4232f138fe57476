/**
 * The Access history's operator filter in Chromium against browser mode (issue 17 §5): two
 * operator accounts in the vault (Anna Berg, Bert Cole), events they made in the log; the filter
 * suggests their names as one types, maps the name to the accounts in the core (any part, any
 * case), and the table names each operator with the operator card they used. Beside
 * access-history.test.ts, whose log has no vault (its integrity checks rely on that).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { allLines, testSigner } from '../support/audit';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { holderInput, operator, PASSPHRASE } from '../support/vault-fixtures';

interface Seeded {
  readonly who: 'anna' | 'bert';
  readonly outcome: 'success' | 'failure';
}

const seeded: Seeded[] = Array.from({ length: 24 }, (_, i) => ({ who: i % 3 === 0 ? 'bert' : 'anna', outcome: i % 4 === 0 ? 'failure' : 'success' }));
const cardOf = { anna: 'OPC-ANNA', bert: 'OPC-BERT' } as const;

let home: string;
let host: HostProcess;
let browser: Browser;
let seqs: number[] = [];

beforeAll(async () => {
  home = freshHome('carddesk-e2e-audit-operators-');
  const services = createVaultServices({ dataDir: home, audit: new MemoryAuditTrail(), log: silentLogger });
  await services.vault.init(Buffer.from(PASSPHRASE), operator);
  const ids: Record<string, string> = {};
  for (const [n, who, firstName, lastName, roles] of [[1, 'anna', 'Anna', 'Berg', ['caAdministrator', 'auditor']], [2, 'bert', 'Bert', 'Cole', ['helpdesk']]] as const) {
    const holder = await services.directory.create(holderInput(n, { firstName, lastName }), operator);
    if (!holder.ok) throw new Error('holder not saved');
    const added = await services.operators.add(holder.holder.id, [...roles], operator);
    if (!added.ok) throw new Error(added.message);
    ids[who] = added.operator.id;
  }
  await services.close();
  const log = createDeskAuditLog(home, { signer: testSigner(home) });
  for (const [i, s] of seeded.entries()) {
    await log.record({ action: 'card.pinVerify', outcome: s.outcome, actor: { kind: 'operator', id: ids[s.who] ?? '' }, channel: 'desk', holderId: `H-${i}`, cardSerial: String(70_000_000 + i), details: { operatorCard: cardOf[s.who], osUser: 'desk' } });
  }
  await log.close();
  seqs = allLines(join(home, 'audit'))
    .map((line) => JSON.parse(line.text) as { seq: number; type: string })
    .filter((record) => record.type === 'event')
    .map((record) => record.seq);
  host = await startHostProcess({ home, env: { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') } });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function openScreen(): Promise<WatchedPage> {
  const watched = await openPage(browser);
  await watched.page.goto(`${host.url}#/access-history`);
  await watched.page.getByTestId('audit-row').first().waitFor();
  return watched;
}

const shownSeqs = (page: Page): Promise<number[]> => page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset['seq'])));

function expected(match: (s: Seeded) => boolean): number[] {
  return seeded
    .map((s, i) => ({ s, seq: seqs[i] ?? 0 }))
    .filter(({ s }) => match(s))
    .map(({ seq }) => seq)
    .reverse();
}

describe('the access history’s operator filter', () => {
  it('suggests operator names, filters by the accounts so named, and names the operator with their card', async () => {
    expect(seqs).toHaveLength(seeded.length);
    const { page, errors } = await openScreen();
    const field = page.getByTestId('audit-filter-operator');
    await field.fill('be');
    // Both names hold "be" (Anna Berg, Bert Cole): both suggested, both operators' events match.
    await expect.poll(() => page.locator('[role="listbox"] [role="option"]').allTextContents(), { timeout: 5000 }).toEqual(['Anna Berg', 'Bert Cole']);
    await expect.poll(() => shownSeqs(page), { timeout: 5000 }).toEqual(expected(() => true));
    await page.locator('[role="listbox"] [role="option"]', { hasText: 'Bert Cole' }).click();
    await expect.poll(() => field.inputValue()).toBe('Bert Cole');
    await expect.poll(() => shownSeqs(page), { timeout: 5000 }).toEqual(expected((s) => s.who === 'bert'));
    expect(await page.getByTestId('audit-total').getAttribute('data-total')).toBe(String(expected((s) => s.who === 'bert').length));
    expect(new Set(await page.getByTestId('audit-actor').allTextContents())).toEqual(new Set(['Operator: Bert Cole (card OPC-BERT)']));
    // Typed, any part and any case, with another filter; an operator nobody is named: nothing.
    await field.fill('ANNA');
    await page.getByTestId('audit-filter-outcome').click();
    await page.locator('[role="listbox"] li[data-value="failure"]').click();
    await expect.poll(() => shownSeqs(page), { timeout: 5000 }).toEqual(expected((s) => s.who === 'anna' && s.outcome === 'failure'));
    expect(new Set(await page.getByTestId('audit-actor').allTextContents())).toEqual(new Set(['Operator: Anna Berg (card OPC-ANNA)']));
    await field.fill('Turing');
    await page.getByTestId('audit-empty').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
