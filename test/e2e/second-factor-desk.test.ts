/**
 * The holder's second factor on the desk's Users page, in Chromium against browser mode: OATH
 * tokens imported from a PSKC file made by csv2pskc and encrypted under a vendor key (a wrong key
 * is refused with nothing imported, the right one imports both, with a line per key), one
 * assigned to the holder by its serial (the desk then says so, and the service agrees), and the
 * factor removed with a reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { secondFactorTestIds as ids } from '../../renderer/src/features/holders/account/SecondFactorPanel';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage } from '../support/browser';
import { openHostSession, type Session } from '../support/host-session';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';

let host: HostProcess;
let browser: Browser;
let session: Session;
let holderId = '';
const vendorKey = '8899aabbccddeeff0011223344556677';

/** A PSKC file with two TOTP tokens, their seeds encrypted under `vendorKey` (csv2pskc, python-pskc). */
function pskcFile(): Buffer {
  const folder = mkdtempSync(join(tmpdir(), 'carddesk-e2e-pskc-'));
  const csv = join(folder, 'tokens.csv');
  writeFileSync(
    csv,
    'serial,secret,algorithm,response_length,time_interval,manufacturer\n' +
      'E2E-TOKEN-1,0a1b2c3d4e5f60718293a4b5c6d7e8f901234567,urn:ietf:params:xml:ns:keyprov:pskc:totp,6,30,Acme\n' +
      'E2E-TOKEN-2,1b2c3d4e5f60718293a4b5c6d7e8f90123456789,urn:ietf:params:xml:ns:keyprov:pskc:totp,6,30,Acme\n',
  );
  return execFileSync('csv2pskc', ['--secret', vendorKey, csv]);
}

beforeAll(async () => {
  host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  session = await openHostSession(host);
  expect((await session.call('vault:init', { passphrase: PASSPHRASE })).envelope).toMatchObject({ ok: true });
  const created = await session.call('holders:create', holderInput(1));
  if (!created.envelope.ok) throw new Error('holder not created');
  holderId = (created.envelope.value as { holder: { id: string } }).holder.id;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  session?.close();
  await browser?.close();
  await host?.stop();
});

describe("a holder's second factor at the desk", () => {
  it('imports tokens from a PSKC file (a wrong key refused), assigns one by serial and removes it with a reason', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${host.url}#/users/${holderId}`);
    const status = page.getByTestId(ids.status);
    await expect.poll(() => status.getAttribute('data-method'), { timeout: 20_000 }).toBe('none');

    await page.getByTestId(ids.importOpen).click();
    await page.getByTestId(ids.importFile).setInputFiles({ name: 'tokens.pskc', mimeType: 'application/xml', buffer: pskcFile() });
    await page.getByTestId(ids.importKey).fill('ffeeddccbbaa99887766554433221100');
    await page.getByTestId(ids.importRun).click();
    const report = page.getByTestId(ids.importReport);
    await expect.poll(() => report.getAttribute('data-ok')).toBe('false');
    expect(await report.textContent()).toContain(en.account.secondFactor.import.file.wrongKey);
    expect((await session.call('account:otpTokens')).envelope).toMatchObject({ ok: true, value: [] });

    await page.getByTestId(ids.importKey).fill(vendorKey);
    await page.getByTestId(ids.importRun).click();
    await expect.poll(() => report.getAttribute('data-ok')).toBe('true');
    expect(await report.locator('[data-outcome="imported"]').count()).toBe(2);
    expect(await report.textContent()).toContain('E2E-TOKEN-2');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId(ids.importClose).click();

    await page.getByTestId(ids.assignSelect).click();
    await page.getByRole('option', { name: /E2E-TOKEN-1/ }).click();
    await page.getByTestId(ids.assign).click();
    await expect.poll(() => status.getAttribute('data-method')).toBe('token');
    expect(await status.textContent()).toContain('E2E-TOKEN-1');
    expect((await session.call('account:secondFactor', { holderId })).envelope).toMatchObject({ ok: true, value: { method: 'token', state: 'enrolled', tokenSerial: 'E2E-TOKEN-1' } });

    await page.getByTestId(ids.remove).click();
    await page.getByTestId(ids.removeReason).fill('token lost');
    await page.getByTestId(ids.removeConfirm).click();
    await expect.poll(() => status.getAttribute('data-method')).toBe('none');
    const tokens = await session.call('account:otpTokens');
    expect(tokens.envelope).toMatchObject({ ok: true, value: [{ serial: 'E2E-TOKEN-1', holderId: null }, { serial: 'E2E-TOKEN-2', holderId: null }] });
  }, 120_000);
});
