/**
 * Move to a new phone on the holder's page (issue 16 §4), in Chromium against browser mode with the
 * desk's own listener serving EST over HTTPS: the old phone enrols from a photo of the QR code
 * (reference client), then *Move to a new phone* shows a new QR code once; the old phone stays good
 * at the desk's OCSP until the new phone (another reference client) enrols from a photo of that
 * code, and is then revoked (superseded); the rows say "replaces" / "replaced by".
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
import { mobileMigrateTestIds as migrateIds } from '../../renderer/src/features/holders/mobile/MobileMigrateDialog';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { carddesk } from '../support/cli';
import type { Session } from '../support/host-session';
import type { HostProcess } from '../support/host-process';
import { startMobileDesk } from '../support/mobile-desk';
import { tempHome } from '../support/vault-fixtures';

const run = promisify(execFile);
let host: HostProcess;
let browser: Browser;
let session: Session;
let page: Page;
let holderId = '';
let port = 0;
const work = mkdtempSync(join(tmpdir(), 'carddesk-e2e-mobile-migrate-'));
const passFile = join(work, 'p12-passphrase');
const phoneDir = join(work, 'old-phone');
const newPhoneDir = join(work, 'new-phone');

/** What the desk's OCSP responder says of a phone's authentication certificate. */
async function ocspStatus(dir = phoneDir): Promise<string> {
  const chain = readFileSync(join(dir, 'ca-chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
  writeFileSync(join(work, 'issuing.pem'), chain[0] ?? '');
  writeFileSync(join(work, 'chain.pem'), chain.join(''));
  await run('openssl', ['pkcs12', '-in', join(dir, 'auth.p12'), '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', join(work, 'auth.pem')]);
  const answer = await run('openssl', ['ocsp', '-issuer', join(work, 'issuing.pem'), '-cert', join(work, 'auth.pem'), '-url', `http://127.0.0.1:${port}/ocsp`, '-CAfile', join(work, 'chain.pem'), '-timeout', '10']);
  expect(answer.stdout + answer.stderr).toContain('Response verify OK');
  return answer.stdout;
}

beforeAll(async () => {
  writeFileSync(passFile, 'the phone keystore passphrase\n');
  ({ host, session, holderId, port } = await startMobileDesk());
  browser = await launchBrowser();
  page = (await openPage(browser)).page;
}, 120_000);

afterAll(async () => {
  session?.close();
  await browser?.close();
  await host?.stop();
});

describe('moving a mobile ID to a new phone at the desk', () => {
  /** Photographs the QR code on screen and lets a reference client enrol from it into `dir`. */
  async function enrolFromScreen(testId: string, dir: string): Promise<void> {
    const qr = page.getByTestId(testId);
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    const photo = join(work, `${testId}.png`);
    await qr.screenshot({ path: photo });
    const phone = await carddesk(['mobile', 'enroll', '--qr', photo, '--out', dir, '--p12-passphrase-file', passFile], { home: tempHome(), timeoutMs: 120_000 });
    expect(phone.code, phone.stderr).toBe(0);
  }

  it('the old phone enrols; Move to a new phone shows a new QR code and the old phone stays good until the new one enrols', async () => {
    await page.goto(`${host.url}#/users/${holderId}`);
    await page.getByTestId(ids.panel).getByText(en.mobile.none).waitFor();
    await page.getByTestId(ids.issue).click();
    await page.getByTestId(ids.label('sign')).uncheck();
    await page.getByTestId(ids.create).click();
    await enrolFromScreen(ids.qr, phoneDir);
    await page.getByTestId(ids.qrClose).click();
    const old = page.getByTestId(ids.row).first();
    await expect.poll(() => old.getAttribute('data-state'), { timeout: 20_000 }).toBe('active');
    const oldId = (await old.getAttribute('data-id')) ?? '';
    expect(await ocspStatus()).toMatch(/auth\.pem: good/);

    await old.getByTestId(ids.action('migrate')).click();
    const dialog = page.getByTestId(migrateIds.dialog);
    await dialog.getByText(en.mobile.migrate.intro).waitFor();
    expect(await seriousAccessibilityViolations(page), 'move dialog').toEqual([]);
    await page.getByTestId(migrateIds.create).click();
    await page.getByTestId(migrateIds.qr).waitFor();
    // The new one is pending and replaces the old one, which is still active and good.
    const fresh = page.locator(`[data-testid="${ids.row}"][data-state="pending"]`);
    await expect.poll(() => fresh.count(), { timeout: 20_000 }).toBe(1);
    expect(await fresh.textContent()).toContain(en.mobile.replaces.replace('{{id}}', oldId.slice(0, 8)));
    expect(await page.locator(`[data-testid="${ids.row}"][data-id="${oldId}"]`).getAttribute('data-state')).toBe('active');
    expect(await ocspStatus()).toMatch(/auth\.pem: good/);

    await enrolFromScreen(migrateIds.qr, newPhoneDir);
    await page.getByTestId(migrateIds.close).click();
    const oldRow = page.locator(`[data-testid="${ids.row}"][data-id="${oldId}"]`);
    await expect.poll(() => oldRow.getAttribute('data-state'), { timeout: 20_000 }).toBe('revoked');
    const newId = (await page.locator(`[data-testid="${ids.row}"][data-state="active"]`).getAttribute('data-id')) ?? '';
    expect(newId).not.toBe('');
    expect(await oldRow.textContent()).toContain(en.mobile.replacedBy.replace('{{id}}', newId.slice(0, 8)));
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: superseded/);
    expect(await ocspStatus(newPhoneDir)).toMatch(/auth\.pem: good/);
    // A replaced mobile ID offers nothing more.
    expect(await oldRow.getByRole('button').count()).toBe(0);
  }, 240_000);
});
