/**
 * The recovery-code unblock at the kiosk through its screens (browser mode with --kiosk,
 * Chromium) on a virtual PIV card in a vpcd reader of the real pcscd (issue 15): the holder's PIN
 * is blocked with OpenSC; at the kiosk the holder chooses "Unblock with my recovery code", types
 * the code from the recovery-code letter, then the one-time code (read from the stand-in
 * notification log, CARDDESK_TEST_NOTIFICATION_LOG — // LEAD: switch to the real SMTP receiver at
 * merge), then a new PIN twice on the PIN pad; the desk unblocks with RESET RETRY COUNTER and the
 * sealed PUK; the holder then signs in with the new PIN, and the old recovery code is refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from '../support/browser';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { freshHome, startHostProcess, type HostProcess } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';
import { Pcscd } from '../support/pcscd';
import { run as tool } from '../support/run';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const SERIAL = '50603001';
const NEW_PIN = '583920';

let pcscd: Pcscd;
let card: CardInReader;
let home: string;
let host: HostProcess;
let browser: Browser;
let page: Page;
let desk: Page;
let holderId = '';
let recoveryCode = '';
let notifications = '';

const cli = async (args: string[], input = `${PASSPHRASE}\n`) => {
  const result = await carddesk(args, { home, input, timeoutMs: 90_000 });
  if (result.code !== 0) throw new Error(`carddesk ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
};
const letterText = (fileName: string): string => execFileSync('pdftotext', ['-layout', join(home, 'outbox', fileName), '-'], { encoding: 'utf8' });

async function typeOnPad(on: Page, digits: string): Promise<void> {
  for (const digit of digits) await on.getByTestId(`kiosk-pin-key-${digit}`).click();
  await on.getByTestId('kiosk-pin-key-ok').click();
}

/** The newest one-time code the stand-in queue logged for `to`. */
function lastOneTimeCode(to: string): string | null {
  if (!existsSync(notifications)) return null;
  const lines = readFileSync(notifications, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; to: string; params: Record<string, string> });
  return lines.filter((l) => l.kind === 'oneTimeCode' && l.to === to).at(-1)?.params.code ?? null;
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  home = freshHome('carddesk-kiosk-recovery-');
  notifications = join(home, 'notifications.jsonl');
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Recovery Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Recovery Issuing, O=CardDesk Test']);
  await cli(['card', 'policy', '--activation', 'at-issuance']);
  await cli(['holder', 'add', '--personal-number', personalNumber(631), '--first-name', 'Rita', '--last-name', 'Recover', '--email', 'rita@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const issued = JSON.parse((await cli(['card', 'issue', '--yes', '--holder', personalNumber(631), '--json', '--reader', card.readerName])).stdout) as { letters: { kind: string; fileName: string }[] };
  recoveryCode = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(letterText(issued.letters.find((l) => l.kind === 'recoveryCode')!.fileName))![1]!;
  // The holder forgot the PIN: three wrong ones through OpenSC block it.
  for (let i = 0; i < 3; i += 1) await tool('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', '00000000']);
  await card.remove();
  holderId = (JSON.parse((await cli(['holder', 'show', personalNumber(631), '--json'], '')).stdout) as { holder: { id: string } }).holder.id;

  host = await startHostProcess({ home, kiosk: true, env: { CARDDESK_TEST_NOTIFICATION_LOG: notifications } });
  browser = await launchBrowser();
  desk = (await openPage(browser)).page;
  await desk.goto(host.deskUrl);
  await desk.waitForFunction(() => 'carddesk' in window, undefined, { timeout: 20_000 });
  await deskCall(desk, 'vault', 'unlock', { passphrase: PASSPHRASE });
  page = (await openPage(browser)).page;
  await page.setViewportSize({ width: 1080, height: 1920 });
  await page.goto(host.url);
  await page.getByTestId('kiosk-insert-card').waitFor({ timeout: 20_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
});

describe('unblock with the recovery code at the kiosk', () => {
  it('recovery code → one-time code → new PIN on the pad; then the holder signs in with the new PIN', async () => {
    await card.insert();
    await page.getByTestId('kiosk-unblock').waitFor({ timeout: 30_000 });
    await page.getByTestId('kiosk-unblock-recovery').click();
    // A mistyped character is caught by the check character.
    const compact = recoveryCode.replace(/-/g, '');
    await page.getByTestId('kiosk-recovery-code').fill(`${compact.slice(0, 4)}${compact[4] === '7' ? '8' : '7'}${compact.slice(5)}`);
    await page.getByTestId('kiosk-recovery-next').click();
    await expect.poll(() => page.getByTestId('kiosk-recovery-problem').textContent()).toContain('mistyped');
    await page.getByTestId('kiosk-recovery-code').fill(recoveryCode.toLowerCase().replace(/-/g, ' '));
    await page.getByTestId('kiosk-recovery-next').click();
    await page.locator('[data-testid="kiosk-recovery"][data-stage="otp"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => lastOneTimeCode('rita@example.org')).not.toBeNull();
    await page.getByTestId('kiosk-recovery-otp').fill(lastOneTimeCode('rita@example.org')!);
    await page.getByTestId('kiosk-recovery-otp-next').click();
    await typeOnPad(page, NEW_PIN);
    await typeOnPad(page, NEW_PIN);
    await page.getByTestId('kiosk-unblock-done').waitFor({ timeout: 30_000 });
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toContain(NEW_PIN);
    expect(shown.replace(/[\s-]/g, '').toUpperCase()).not.toContain(compact);

    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    await typeOnPad(page, NEW_PIN);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 30_000 });

    // The old recovery code works no more: a new letter waits in the outbox, the unsent first one is withdrawn.
    const letters = await deskCall<{ kind: string; state: string }[]>(desk, 'letters', 'list', { holderId });
    expect(letters.filter((l) => l.kind === 'recoveryCode').map((l) => l.state).sort()).toEqual(['waiting', 'withdrawn']);
    const notified = readFileSync(notifications, 'utf8');
    expect(notified).toContain('"pinUnblocked"');
    expect(notified).not.toContain(compact);
  });
});
