/**
 * The holder's account on the desk's holder page, in Chromium against browser mode: an operator
 * changes the email with a reason (recorded with the reason; the new address shows unverified and
 * the 6-day cooldown shows with its end), and a new identity document is submitted for the holder
 * with a scan, shown pending, its scan viewed (downloaded byte for byte) and approved, after which
 * the holder's document number and expiry are the new ones. Both steps are in the audit log.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { contactTestIds, documentTestIds } from '../../renderer/src/features/holders/account/contactTestIds';
import { launchBrowser, openPage } from '../support/browser';
import { openHostSession, type Session } from '../support/host-session';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';

let host: HostProcess;
let browser: Browser;
let session: Session;
let holderId = '';

async function value<T>(channel: string, args?: unknown): Promise<T> {
  const { envelope } = await session.call(channel, args);
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

beforeAll(async () => {
  host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  session = await openHostSession(host);
  await value('vault:init', { passphrase: PASSPHRASE });
  const saved = await value<{ ok: boolean; holder: { id: string } }>('holders:create', holderInput(1, { email: 'ada@example.org', firstName: 'Ada', lastName: 'Lovelace' }));
  holderId = saved.holder.id;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  session?.close();
  await browser?.close();
  await host?.stop();
});

async function holderPage() {
  const watched = await openPage(browser);
  await watched.page.goto(`${host.url}#/users/${holderId}`);
  await watched.page.getByTestId(contactTestIds.panel).waitFor();
  return watched;
}

/** With a long reference in it: the holder's history shows the reason and must still fit the page. */
const REASON = 'holder came to the desk with her passport, ticket HD-2026-12-07-000123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789';

describe('the holder account at the desk', () => {
  it('changes the email with a reason: recorded, unverified, cooldown shown until when', async () => {
    const { page } = await holderPage();
    await expect.poll(() => page.getByTestId(contactTestIds.email).textContent()).toBe('ada@example.org');
    expect(await page.getByTestId(contactTestIds.emailVerified).getAttribute('data-verified')).toBe('false');
    expect(await page.getByTestId(contactTestIds.cooldown).textContent()).toBe(en.account.contact.cooldownNone);

    await page.getByTestId(contactTestIds.change).click();
    await page.getByTestId(contactTestIds.value).fill('Ada.Lovelace@Example.org');
    // No reason, no save.
    expect(await page.getByTestId(contactTestIds.save).isDisabled()).toBe(true);
    await page.getByTestId(contactTestIds.reason).fill(REASON);
    const before = Date.now();
    await page.getByTestId(contactTestIds.save).click();

    await expect.poll(() => page.getByTestId(contactTestIds.email).textContent()).toBe('ada.lovelace@example.org');
    expect(await page.getByTestId(contactTestIds.emailVerified).getAttribute('data-verified')).toBe('false');
    const until = (await page.getByTestId(contactTestIds.cooldown).getAttribute('data-until')) ?? '';
    const days = (Date.parse(until) - before) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(6);
    expect(days).toBeLessThan(6.01);
    const text = (await page.getByTestId(contactTestIds.cooldown).textContent()) ?? '';
    const prefix = en.account.contact.cooldownUntil.split('{{date}}')[0] ?? '';
    expect(text.startsWith(prefix)).toBe(true);
    // The date is shown in words (the long style), not as the ISO time.
    expect(text).toContain(String(new Date(until).getFullYear()));
    expect(text).not.toContain(until);

    const page1 = await value<{ entries: { action: string; reason: string | null; holder?: string; actor: { kind: string } }[] }>('audit:query', { actions: ['account.contactChange'], limit: 10 });
    expect(page1.entries).toMatchObject([{ action: 'account.contactChange', reason: REASON, actor: { kind: 'operator' } }]);
    // The holder's page, history included, fits 1024×768 without scrolling sideways.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.reload();
    await page.getByTestId(contactTestIds.panel).waitFor();
    await expect.poll(() => page.evaluate(() => document.body.innerText.includes('ticket HD-2026'))).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.context().close();
  }, 120_000);

  it('submits a document for the holder, views its scan, approves it, and the holder has the new document', async () => {
    const { page } = await holderPage();
    await page.getByTestId(documentTestIds.panel).waitFor();
    expect(await page.getByTestId(documentTestIds.pending).count()).toBe(0);

    const scan = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('% e2e scan of an identity document\n')]);
    await page.getByTestId(documentTestIds.submit).click();
    await page.getByTestId(documentTestIds.submitNumber).fill('ab 1234567');
    await page.getByTestId(documentTestIds.submitExpiry).fill('2031-01-31');
    await page.getByTestId(documentTestIds.submitFile).setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: scan });
    await page.getByTestId(documentTestIds.submitSave).click();
    await page.getByTestId(documentTestIds.pending).waitFor();
    expect(await page.getByTestId(documentTestIds.message).textContent()).toBe(en.account.document.submitted);
    // Pending only: the holder's document is unchanged until approved.
    expect(await page.getByTestId(documentTestIds.number).textContent()).toBe(en.account.document.none);

    const download = page.waitForEvent('download');
    await page.getByTestId(documentTestIds.viewScan).click();
    const file = await download;
    const path = await file.path();
    expect(readFileSync(path).equals(scan)).toBe(true);

    await page.getByTestId(documentTestIds.approve).click();
    await expect.poll(() => page.getByTestId(documentTestIds.number).textContent()).toBe('AB1234567');
    expect(await page.getByTestId(documentTestIds.pending).count()).toBe(0);
    expect(await page.getByTestId(documentTestIds.message).textContent()).toBe(en.account.document.approved);

    const { holder } = await value<{ holder: { documentNumber: string; documentExpiry: string } }>('holders:get', { id: holderId });
    expect(holder).toMatchObject({ documentNumber: 'AB1234567', documentExpiry: '2031-01-31' });
    const audit = await value<{ entries: { action: string; actor: { kind: string } }[] }>('audit:query', { actions: ['account.documentSubmit', 'account.documentView', 'account.documentApprove'], limit: 10 });
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['account.documentApprove', 'account.documentSubmit', 'account.documentView']);
    await page.context().close();
  }, 120_000);
});
