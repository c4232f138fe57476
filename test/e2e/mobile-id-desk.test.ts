/**
 * The mobile ID on the holder's page (issue 16 §1, §3), in Chromium against browser mode with the
 * desk's own listener serving EST over HTTPS: Get mobile ID → the QR code on screen, photographed
 * and read by the reference phone client (`carddesk mobile enroll --qr`, a separate process with
 * its own data folder) → the page shows it active as the phone enrols; lock, unlock and revoke
 * from the page, with the desk's OCSP responder following each at once (`openssl ocsp`); a second,
 * unfinished one cancelled leaves nothing. The QR code never reaches the page's storage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { mobileIdTestIds as ids } from '../../renderer/src/features/holders/mobile/MobileIdPanel';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { carddesk } from '../support/cli';
import type { Session } from '../support/host-session';
import type { HostProcess } from '../support/host-process';
import { startMobileDesk } from '../support/mobile-desk';
import { tempHome } from '../support/vault-fixtures';
import { startMailServer, type MailServer } from '../support/mail-server';

const run = promisify(execFile);
let host: HostProcess;
let browser: Browser;
let session: Session;
let page: Page;
let holderId = '';
let port = 0;
let mail: MailServer;
const work = mkdtempSync(join(tmpdir(), 'carddesk-e2e-mobile-'));
const passFile = join(work, 'p12-passphrase');
const phoneDir = join(work, 'phone');

/** What the desk's OCSP responder says of the phone's authentication certificate. */
async function ocspStatus(): Promise<string> {
  const chain = readFileSync(join(phoneDir, 'ca-chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
  writeFileSync(join(work, 'issuing.pem'), chain[0] ?? '');
  writeFileSync(join(work, 'chain.pem'), chain.join(''));
  await run('openssl', ['pkcs12', '-in', join(phoneDir, 'auth.p12'), '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', join(work, 'auth.pem')]);
  const answer = await run('openssl', ['ocsp', '-issuer', join(work, 'issuing.pem'), '-cert', join(work, 'auth.pem'), '-url', `http://127.0.0.1:${port}/ocsp`, '-CAfile', join(work, 'chain.pem'), '-timeout', '10']);
  expect(answer.stdout + answer.stderr).toContain('Response verify OK');
  return answer.stdout;
}

async function act(action: 'lock' | 'unlock' | 'revoke', state: string): Promise<void> {
  const row = page.getByTestId(ids.row).first();
  await row.getByTestId(ids.action(action)).click();
  await page.getByRole('dialog').waitFor();
  expect(await seriousAccessibilityViolations(page), `${action} dialog`).toEqual([]);
  await page.getByTestId(ids.confirm).click();
  await expect.poll(() => row.getAttribute('data-state'), { timeout: 20_000 }).toBe(state);
}

beforeAll(async () => {
  writeFileSync(passFile, 'the phone keystore passphrase\n');
  ({ host, session, holderId, port } = await startMobileDesk());
  browser = await launchBrowser();
  page = (await openPage(browser)).page;
}, 120_000);

afterAll(async () => {
  await mail?.close();
  session?.close();
  await browser?.close();
  await host?.stop();
});

describe("a holder's mobile ID at the desk", () => {
  it('shows the QR code; the phone enrols from a photo of it and the page shows the mobile ID active', async () => {
    await page.goto(`${host.url}#/users/${holderId}`);
    const panel = page.getByTestId(ids.panel);
    await panel.getByText(en.mobile.none).waitFor();
    await page.getByTestId(ids.issue).click();
    await page.getByTestId(ids.label('sign')).uncheck();
    await page.getByTestId(ids.days).fill('0');
    await page.getByText(en.mobile.badDays).waitFor();
    expect(await page.getByTestId(ids.create).isDisabled()).toBe(true);
    await page.getByTestId(ids.days).fill('200');
    expect(await seriousAccessibilityViolations(page), 'issue dialog').toEqual([]);
    await page.getByTestId(ids.create).click();
    const qr = page.getByTestId(ids.qr);
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    const photo = join(work, 'qr.png');
    await qr.screenshot({ path: photo });
    // The QR code (with its one-time code) is on screen only, never kept by the page.
    expect(await page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }))).not.toContain('carddesk-mobile');
    const row = page.getByTestId(ids.row).first();
    expect(await row.getAttribute('data-state')).toBe('pending');

    const phone = await carddesk(['mobile', 'enroll', '--qr', photo, '--out', phoneDir, '--p12-passphrase-file', passFile], { home: tempHome(), timeoutMs: 120_000 });
    expect(phone.code, phone.stderr).toBe(0);
    await page.getByTestId(ids.qrClose).click();
    // The page follows the phone's enrollment by itself (the audit log's event).
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 20_000 }).toBe('active');
    expect(await row.textContent()).toContain(en.mobile.labels.auth);
    expect(await row.textContent()).not.toContain(en.mobile.labels.sign);
    expect(await ocspStatus()).toMatch(/auth\.pem: good/);
    expect((await run('openssl', ['x509', '-in', join(work, 'auth.pem'), '-noout', '-subject'])).stdout).toContain('Hopper');
  }, 180_000);

  it('locks, unlocks and revokes from the page, and OCSP follows each at once', async () => {
    await act('lock', 'locked');
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: certificateHold/);
    await act('unlock', 'active');
    expect(await ocspStatus()).toMatch(/auth\.pem: good/);
    await act('revoke', 'revoked');
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: keyCompromise/);
    expect(await page.getByTestId(ids.row).first().getByRole('button').count()).toBe(0);
  }, 120_000);

  it('cancels an unfinished enrollment: nothing of it is left', async () => {
    await page.getByTestId(ids.issue).click();
    await page.getByTestId(ids.create).click();
    await page.getByTestId(ids.qr).waitFor();
    await page.getByTestId(ids.qrClose).click();
    await expect.poll(() => page.getByTestId(ids.row).count()).toBe(2);
    const pending = page.locator(`[data-testid="${ids.row}"][data-state="pending"]`);
    await pending.getByTestId(ids.action('cancel')).click();
    await page.getByTestId(ids.confirm).click();
    await expect.poll(() => page.getByTestId(ids.row).count(), { timeout: 20_000 }).toBe(1);
    const listed = await session.call('mobile:list', { holderId });
    expect(listed.envelope).toMatchObject({ ok: true, value: [{ state: 'revoked' }] });
  }, 120_000);

  it('the dialog opens with the policy’s defaults; by email it shows where the QR code went, and the mail has it', async () => {
    mail = await startMailServer();
    const call = async (channel: Parameters<Session['call']>[0], args?: unknown): Promise<unknown> => {
      const { envelope } = await session.call(channel, args);
      if (!envelope.ok) throw new Error(`${channel}: ${JSON.stringify(envelope)}`);
      return envelope.value;
    };
    await call('notify:setSettings', { smtp: { host: '127.0.0.1', port: mail.port, security: 'none', user: '', password: '', fromAddress: 'desk@carddesk.example', fromName: 'CardDesk' } });
    // The policy changed through the desk's channel: a new mobile ID sends its QR code by email, for 30 days, authentication only.
    await call('cards:updatePolicy', { mobileId: { labels: ['auth'], validityDays: 30, delivery: 'email', recoverKey: false, notify: true } });
    await page.getByTestId(ids.issue).click();
    await expect.poll(() => page.getByTestId(ids.days).inputValue()).toBe('30');
    expect(await page.getByTestId(ids.label('auth')).isChecked()).toBe(true);
    expect(await page.getByTestId(ids.label('sign')).isChecked()).toBe(false);
    expect(await page.getByTestId(ids.delivery).textContent()).toContain(en.mobile.deliveries.email);
    expect(await page.getByTestId(ids.notify).isChecked()).toBe(true);
    expect(await seriousAccessibilityViolations(page), 'issue dialog with options').toEqual([]);
    await page.getByTestId(ids.create).click();
    const sentTo = page.getByTestId(ids.sentTo);
    await sentTo.waitFor();
    expect(await sentTo.textContent()).toContain('g***@example.org');
    expect(await page.getByTestId(ids.qr).count()).toBe(0);
    const enrollmentMails = () => mail.received.filter((m) => m.parsed.subject === 'Your mobile ID: set it up on your phone');
    await expect.poll(() => enrollmentMails().length, { timeout: 30_000 }).toBe(1);
    // The first mobile ID's notice (it turned active before any SMTP server was set) went out too, once.
    expect(mail.received.filter((m) => m.parsed.subject === 'Your mobile ID is active')).toHaveLength(1);
    const letter = enrollmentMails()[0]!;
    expect(letter.envelopeTo).toEqual(['grace@example.org']);
    expect(letter.parsed.text).toMatch(/carddesk-mobile:enroll\?/);
    expect(letter.parsed.attachments.some((a) => a.contentType === 'image/png')).toBe(true);
    // The link is in the mail only: the page kept nothing of it.
    expect(await page.evaluate(() => document.body.innerText + JSON.stringify({ ...window.localStorage }))).not.toContain('carddesk-mobile');
    await page.getByTestId(ids.qrClose).click();
    const pending = page.locator(`[data-testid="${ids.row}"][data-state="pending"]`);
    await pending.waitFor();
    // Cancel still leaves nothing behind.
    await pending.getByTestId(ids.action('cancel')).click();
    await page.getByTestId(ids.confirm).click();
    await expect.poll(() => page.getByTestId(ids.row).count(), { timeout: 20_000 }).toBe(1);

    // Through the channel with no options at all: the policy's values; no QR code, the masked address.
    const issued = (await call('mobile:issue', { holderId, options: {} })) as { mobileId: { id: string; options: unknown }; qr: string | null; sentTo: string | null };
    expect(issued.mobileId.options).toEqual({ labels: ['auth'], validityDays: 30, delivery: 'email', recoverKey: false, notify: true });
    expect(issued).toMatchObject({ qr: null, sentTo: 'g***@example.org' });
    // A request's option overrides the policy's.
    const onScreen = (await call('mobile:issue', { holderId, options: { delivery: 'screen', validityDays: 7 } })) as typeof issued;
    expect(onScreen.mobileId.options).toEqual({ labels: ['auth'], validityDays: 7, delivery: 'screen', recoverKey: false, notify: true });
    expect(onScreen.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(onScreen.sentTo).toBeNull();
    for (const id of [issued.mobileId.id, onScreen.mobileId.id]) await call('mobile:cancel', { id });
    await expect.poll(() => page.getByTestId(ids.row).count(), { timeout: 20_000 }).toBe(1);
  }, 120_000);
});
