/**
 * The Access history screen in Chromium against browser mode, on a log seeded before the host
 * starts: events arrive live (from the host, and from another process as the CLI would write
 * them), filters select the right events, the CSV export holds exactly the filtered rows, the
 * holder view counts right, and the integrity badge turns red when the files are tampered with.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../electron/core/audit/audit-trail';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { allLines, testSigner } from '../support/audit';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';

const HOUR = 3_600_000;
const start = new Date();
start.setHours(12, 0, 0, 0);
const firstTime = start.getTime() - 20 * 24 * HOUR;

interface Seeded {
  readonly event: AuditEventInput;
  readonly time: number;
}

const actions = ['card.pinVerify', 'card.pinChange', 'card.unblockWithPuk', 'holder.update'] as const;
const seeded: Seeded[] = Array.from({ length: 40 }, (_, i) => {
  const failure = i % 4 === 0;
  return {
    time: firstTime + i * 6 * HOUR,
    event: {
      action: actions[i % actions.length] ?? 'card.pinVerify',
      outcome: failure ? 'failure' : 'success',
      ...(failure ? { reason: i === 8 ? '=HYPERLINK("http://example.invalid")' : 'wrongPin' } : {}),
      actor: { kind: 'operator', id: i % 2 === 0 ? 'op-anna' : 'op-bert' },
      channel: 'desk',
      holderId: `H-${(i % 3) + 1}`,
      cardSerial: String(70_000_000 + i),
    },
  };
});

const localDay = (time: number): string => {
  const day = new Date(time);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
};

let home: string;
let host: HostProcess;
let browser: Browser;
/** Sequence numbers of the seeded events, in seeding order. */
let seqs: number[] = [];

beforeAll(async () => {
  home = freshHome('carddesk-e2e-audit-');
  let clock = 0;
  const log = createDeskAuditLog(home, { signer: testSigner(home), now: () => seeded[Math.min(clock, seeded.length - 1)]?.time ?? Date.now() });
  for (const [i, { event }] of seeded.entries()) {
    clock = i;
    await log.record(event);
  }
  await log.close();
  seqs = allLines(join(home, 'audit'))
    .map((line) => JSON.parse(line.text) as { seq: number; type: string })
    .filter((record) => record.type === 'event')
    .map((record) => record.seq);
  // No PC/SC here: the host offers its embedded virtual reader (never pcscd's vpcd readers).
  host = await startHostProcess({ home, env: { PCSCLITE_CSOCK_NAME: join(home, 'no-pcscd.comm') } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

async function openScreen(hash = '#/access-history'): Promise<WatchedPage> {
  const watched = await openPage(browser);
  await watched.page.goto(`${host.url}${hash}`);
  await watched.page.getByTestId('audit-row').first().waitFor();
  return watched;
}

async function rows(page: Page): Promise<{ seq: number; outcome: string; holder: string; action: string; actor: string }[]> {
  return page.getByTestId('audit-row').evaluateAll((elements) =>
    elements.map((row) => {
      const data = (row as HTMLElement).dataset;
      return { seq: Number(data['seq']), outcome: data['outcome'] ?? '', holder: data['holder'] ?? '', action: data['action'] ?? '', actor: data['actor'] ?? '' };
    }),
  );
}

async function choose(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator(`[role="listbox"] li[data-value="${value}"]`).click();
  await page.locator('[role="listbox"]').waitFor({ state: 'detached' });
}

/** The seeded events matching a predicate, newest first, by sequence number. */
function expected(match: (s: Seeded) => boolean): number[] {
  return seeded
    .map((s, i) => ({ s, seq: seqs[i] ?? 0 }))
    .filter(({ s }) => match(s))
    .map(({ seq }) => seq)
    .reverse();
}

async function settledRows(page: Page, want: number[]): Promise<void> {
  await expect.poll(async () => (await rows(page)).map((row) => row.seq), { timeout: 5000 }).toEqual(want);
}

describe('the access history screen', () => {
  it('shows new events live: from this desk and from another process', async () => {
    const { page, errors } = await openScreen();
    await expect.poll(async () => page.getByTestId('audit-integrity').getAttribute('data-state')).toBe('intact');
    const before = (await rows(page))[0]?.seq ?? 0;
    // An operator action through the app itself.
    await page.evaluate(() => (window as unknown as { carddesk: { readers: { removeVirtualCard(): Promise<unknown> } } }).carddesk.readers.removeVirtualCard());
    await expect.poll(async () => (await rows(page)).find((row) => row.seq > before)?.action, { timeout: 5000 }).toBe('reader.virtualCardRemove');
    // The app holds no audit key (its vault is not set up here): its own event is chained, not yet signed.
    await page.getByTestId('audit-recheck').click();
    await expect.poll(async () => page.getByTestId('audit-unsigned').textContent(), { timeout: 5000 }).toMatch(/^\d+ newer records are chained but not yet signed/);
    expect(await page.getByTestId('audit-integrity').getAttribute('data-state')).toBe('intact');
    // Another process appends, as `carddesk card …` does while the app runs.
    const other = createDeskAuditLog(home, { signer: testSigner(home) });
    await other.record({ action: 'card.pinVerify', outcome: 'failure', reason: 'live-from-the-cli', actor: { kind: 'operator', id: 'op-cli' }, channel: 'cli', holderId: 'H-9' });
    await other.close();
    await expect.poll(async () => (await rows(page)).some((row) => row.actor === 'op-cli'), { timeout: 8000 }).toBe(true);
    expect(await page.getByTestId('audit-announcer').textContent()).toMatch(/new events/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('filters by outcome, holder, event type, operator and date range', async () => {
    const { page, errors } = await openScreen();
    await choose(page, 'audit-filter-outcome', 'failure');
    await page.getByTestId('audit-filter-holder').fill('H-2');
    await settledRows(page, expected((s) => s.event.outcome === 'failure' && s.event.holderId === 'H-2'));
    expect(await page.getByTestId('audit-total').getAttribute('data-total')).toBe(String(expected((s) => s.event.outcome === 'failure' && s.event.holderId === 'H-2').length));

    await page.getByTestId('audit-clear-filters').click();
    await choose(page, 'audit-filter-action', 'card.pinChange');
    await page.getByTestId('audit-filter-actor').fill('op-bert');
    await settledRows(page, expected((s) => s.event.action === 'card.pinChange' && s.event.actor.id === 'op-bert'));

    await page.getByTestId('audit-clear-filters').click();
    const from = localDay(seeded[10]?.time ?? 0);
    const to = localDay(seeded[21]?.time ?? 0);
    await page.getByTestId('audit-filter-from').fill(from);
    await page.getByTestId('audit-filter-to').fill(to);
    await settledRows(page, expected((s) => localDay(s.time) >= from && localDay(s.time) <= to));
    // Free text inside the range: the one event with a formula in its reason is before it.
    await page.getByTestId('audit-filter-text').fill('HYPERLINK');
    await page.getByTestId('audit-empty').waitFor();
    await page.getByTestId('audit-filter-from').fill('');
    await page.getByTestId('audit-filter-to').fill('');
    await settledRows(page, [seqs[8] ?? 0]);
    await page.getByTestId('audit-filter-from').fill(localDay(Date.now() + 48 * HOUR));
    await page.getByTestId('audit-empty').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('downloads exactly the filtered rows as CSV, formula-safe', async () => {
    const { page, errors } = await openScreen();
    await page.getByTestId('audit-filter-holder').fill('H-3');
    await choose(page, 'audit-filter-outcome', 'success');
    const want = expected((s) => s.event.holderId === 'H-3' && s.event.outcome === 'success');
    await settledRows(page, want);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^carddesk-audit-\d{8}-\d{6}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const [header, ...lines] = csv.trimEnd().split('\r\n');
    expect(header).toBe('seq,time,actorKind,actor,channel,action,outcome,reason,holder,card,certificate,details');
    expect(lines.map((line) => Number(line.split(',')[0])).reverse()).toEqual(want);
    expect(lines.every((line) => line.includes(',success,') && line.includes(',H-3,'))).toBe(true);
    await expect.poll(() => page.getByTestId('audit-message').textContent()).toContain(String(want.length));

    await page.getByTestId('audit-clear-filters').click();
    await page.getByTestId('audit-filter-text').fill('HYPERLINK');
    await settledRows(page, [seqs[8] ?? 0]);
    const [formula] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(readFileSync(await formula.path(), 'utf8')).toContain(`"'=HYPERLINK(""http://example.invalid"")"`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a holder’s own history: totals, last access, filters by outcome', async () => {
    const { page, errors } = await openScreen();
    await page.getByTestId('audit-filter-holder').fill('H-1');
    await page.getByTestId('audit-holder-link').first().waitFor();
    await settledRows(page, expected((s) => s.event.holderId === 'H-1'));
    await page.getByTestId('audit-holder-link').first().click();
    await page.getByTestId('holder-history-dialog').waitFor();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/access-history?holder=H-1');
    const mine = seeded.filter((s) => s.event.holderId === 'H-1');
    await expect.poll(() => page.getByTestId('holder-history-total').textContent()).toBe(String(mine.length));
    expect(await page.getByTestId('holder-history-failed').textContent()).toBe(String(mine.filter((s) => s.event.outcome === 'failure').length));
    expect(await page.getByTestId('holder-history-successful').textContent()).toBe(String(mine.filter((s) => s.event.outcome === 'success').length));
    expect(await page.getByTestId('holder-history-last').textContent()).not.toBe('Never');
    await choose(page, 'holder-history-outcome', 'failure');
    await expect
      .poll(async () => page.getByTestId('holder-history-row').evaluateAll((elements) => elements.map((row) => (row as HTMLElement).dataset['seq'])))
      .toEqual(expected((s) => s.event.holderId === 'H-1' && s.event.outcome === 'failure').map(String));
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('holder-history-close').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/access-history');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('turns the integrity badge red when the files are tampered with, and says where', async () => {
    const { page, errors } = await openScreen();
    await expect.poll(async () => page.getByTestId('audit-integrity').getAttribute('data-state')).toBe('intact');
    const target = allLines(join(home, 'audit')).find((line) => line.text.includes('"outcome":"success"') && line.text.includes('"holder":"H-2"'));
    if (target === undefined) throw new Error('nothing to tamper with');
    const path = join(home, 'audit', target.segment);
    writeFileSync(path, readFileSync(path, 'utf8').replace(target.text, target.text.replace('"outcome":"success"', '"outcome":"failure"')));
    await page.getByTestId('audit-recheck').click();
    await expect.poll(async () => page.getByTestId('audit-integrity').getAttribute('data-state'), { timeout: 10_000 }).toBe('tampered');
    expect(await page.getByTestId('audit-problem').first().getAttribute('data-kind')).toBe('changed');
    expect(await page.getByTestId('audit-problem').first().textContent()).toContain(`line ${target.line}`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
