/**
 * The holder's mobile ID at the kiosk, for real (issue 16 §1, §3): a card issued with the CLI on a
 * virtual PIV card in a vpcd reader of the real pcscd, the holder signs in with the PIN in
 * Chromium (browser-mode host with --kiosk; the desk page of the same host unlocked the vault and
 * turned the network listener's HTTPS on), opens Mobile ID and gets one: the QR code on the kiosk
 * screen, photographed and read by the reference phone client (`carddesk mobile enroll --qr`, a
 * separate process with its own data folder) which enrols over EST → the kiosk shows it active
 * with its certificate; the desk's OCSP responder says good. A crafted call from the signed-in
 * kiosk page with another holder's mobile ID is refused and recorded, and changes nothing. The
 * holder locks it (OCSP: revoked, certificateHold) and revokes it with the PIN (OCSP: revoked,
 * keyCompromise). It moves a new one to a new phone: the old phone keeps working until the new
 * one has enrolled from the new QR code, then OCSP says the old one is revoked (superseded). With
 * the listener's HTTPS off, Get mobile ID says so and makes nothing. Screens at 1024×768 in English and Dutch go to /work/shots.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { kioskMobileTestIds as ids } from '../../renderer/src/features/kiosk/KioskMobileId';
import { seriousAccessibilityViolations } from '../support/axe';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { freePort } from '../support/free-port';
import { freshHome, type HostProcess } from '../support/host-process';
import { deskCall } from '../support/kiosk-desk';
import { cliOn, enterOnPad, issueActiveCard, openKioskBesideDesk, typeOnPad } from '../support/kiosk-rig';
import { ocspStatusAsync } from '../support/openssl';
import { Pcscd } from '../support/pcscd';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const run = promisify(execFile);
const SERIAL = '50616001';
/** Where to save each screen in the four languages (1024×768) for a person to look at; none when unset. */
const SHOTS = process.env.CARDDESK_SCREENSHOTS;
const work = mkdtempSync(join(tmpdir(), 'carddesk-kiosk-mobile-'));
const passFile = join(work, 'p12-passphrase');
const phoneDir = join(work, 'phone');
let pcscd: Pcscd;
let card: CardInReader;
let host: HostProcess;
let browser: Browser;
let desk: Page;
let page: Page;
let port = 0;
let ada: { id: string; pin: string };
let bobMobileId = '';
let bobId = '';

/** What the desk's OCSP responder says of the phone's authentication certificate. */
async function ocspStatus(dir = phoneDir): Promise<string> {
  const chain = readFileSync(join(dir, 'ca-chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
  writeFileSync(join(work, 'issuing.pem'), chain[0] ?? '');
  writeFileSync(join(work, 'chain.pem'), chain.join(''));
  await run('openssl', ['pkcs12', '-in', join(dir, 'auth.p12'), '-passin', `file:${passFile}`, '-clcerts', '-nokeys', '-out', join(work, 'auth.pem')]);
  const answer = await ocspStatusAsync({ issuer: join(work, 'issuing.pem'), cert: join(work, 'auth.pem'), url: `http://127.0.0.1:${port}/ocsp`, chain: join(work, 'chain.pem'), timeoutSeconds: 10 });
  expect(answer.code, answer.stderr).toBe(0);
  expect(answer.stdout + answer.stderr).toContain('Response verify OK');
  return answer.stdout;
}

async function language(lang: 'en' | 'sq' | 'it' | 'nl'): Promise<void> {
  await page.getByTestId(`kiosk-language-${lang}`).click();
  await expect.poll(() => page.getByTestId(`kiosk-language-${lang}`).getAttribute('aria-pressed')).toBe('true');
}

/** The screen in each language (1024×768) when CARDDESK_SCREENSHOTS names a folder, back in English after. */
async function shots(name: string): Promise<void> {
  if (SHOTS === undefined) return;
  for (const lang of ['en', 'sq', 'it', 'nl'] as const) {
    await language(lang);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `mobile-kiosk-${name}-${lang}.png`), fullPage: false });
  }
  await language('en');
}

const row = () => page.getByTestId(ids.row).first();

beforeAll(async () => {
  if (SHOTS !== undefined) mkdirSync(SHOTS, { recursive: true });
  writeFileSync(passFile, 'the phone keystore passphrase\n');
  pcscd = await Pcscd.ensure();
  const home = freshHome('carddesk-kiosk-mobile-');
  const cli = cliOn(home);
  await cli(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  await cli(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Kiosk Phone Root, O=CardDesk Test', '--issuing-name', 'CN=Kiosk Phone Issuing, O=CardDesk Test']);
  await cli(['holder', 'add', '--personal-number', personalNumber(616), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org'], '');
  await cli(['holder', 'add', '--personal-number', personalNumber(617), '--first-name', 'Bob', '--last-name', 'Other', '--email', 'bob@example.org'], '');
  card = await CardInReader.create(0, { serial: Number(SERIAL) });
  await card.insert();
  const { pin } = await issueActiveCard(cli, home, card, 616);
  await card.remove();
  const holderId = async (n: number) => (JSON.parse((await cli(['holder', 'show', personalNumber(n), '--json'], '')).stdout) as { holder: { id: string } }).holder.id;
  ada = { id: await holderId(616), pin };
  bobId = await holderId(617);
  ({ host, browser, desk, page } = await openKioskBesideDesk(home));
  // The session outlives the phone's enrollment; the kiosk's settings change as an operator changes them.
  await deskCall(desk, 'settings', 'setKiosk', { idleSeconds: 900, shufflePinPad: false, filesAllowed: false });
  port = await freePort();
  const tlsPort = await freePort();
  await deskCall(desk, 'settings', 'setNetworkListener', { enabled: true, address: '127.0.0.1', port, tlsPort, publicHost: '127.0.0.1' });
  for (let tries = 0; ((await deskCall<{ tlsListening?: unknown }>(desk, 'settings', 'networkListener')).tlsListening ?? null) === null; tries++) {
    if (tries === 300) throw new Error('the listener did not start HTTPS in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Another holder's mobile ID, issued at the desk.
  bobMobileId = (await deskCall<{ mobileId: { id: string } }>(desk, 'mobile', 'issue', { holderId: bobId, options: { labels: ['auth'] } })).mobileId.id;
  await page.setViewportSize({ width: 1024, height: 768 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await card?.remove();
  await pcscd?.stop();
});

describe('mobile ID at the kiosk', () => {
  it('gets a mobile ID: the QR code on the kiosk screen, the phone enrols from a photo of it, the kiosk shows it active', async () => {
    await card.insert();
    await page.getByTestId('kiosk-pin-screen').waitFor({ timeout: 20_000 });
    await enterOnPad(page, ada.pin);
    await page.getByTestId('kiosk-home').waitFor({ timeout: 20_000 });
    await page.getByTestId('kiosk-tab-mobile').click();
    await page.getByTestId(ids.panel).getByText(en.kiosk.mobile.none).waitFor({ timeout: 20_000 });
    expect(await seriousAccessibilityViolations(page), 'mobile ID list').toEqual([]);
    await shots('empty');

    await page.getByTestId(ids.get).click();
    await page.getByTestId(ids.label('auth')).check();
    expect(await seriousAccessibilityViolations(page), 'choose').toEqual([]);
    await shots('choose');
    await page.getByTestId(ids.confirm).click();
    const qr = page.getByTestId(ids.qr);
    await qr.waitFor({ timeout: 20_000 });
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    // Large enough to scan from a phone held in front of the kiosk, with the code's countdown.
    const box = await qr.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(300);
    const seconds = Number(await page.getByTestId(ids.countdown).getAttribute('data-seconds'));
    expect(seconds).toBeGreaterThan(14 * 60);
    expect(seconds).toBeLessThanOrEqual(15 * 60);
    expect(await seriousAccessibilityViolations(page), 'QR code').toEqual([]);
    const photo = join(work, 'qr.png');
    await qr.screenshot({ path: photo });
    await shots('qr');
    // The code is on screen only: the page keeps nothing of it.
    expect(await page.evaluate(() => JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage }))).not.toMatch(/carddesk-mobile|code=/);

    const phone = await carddesk(['mobile', 'enroll', '--qr', photo, '--out', phoneDir, '--p12-passphrase-file', passFile], { home: tempHome(), timeoutMs: 120_000 });
    expect(phone.code, phone.stderr).toBe(0);
    await page.getByTestId(ids.done).click();
    await expect.poll(() => row().getAttribute('data-state'), { timeout: 20_000 }).toBe('active');
    const shown = (await row().textContent()) ?? '';
    expect(shown).toContain(en.mobile.labels.auth);
    const certificate = (await run('openssl', ['pkcs12', '-in', join(phoneDir, 'auth.p12'), '-passin', `file:${passFile}`, '-clcerts', '-nokeys'])).stdout;
    writeFileSync(join(work, 'phone-auth.pem'), certificate);
    const phoneSerial = (await run('openssl', ['x509', '-in', join(work, 'phone-auth.pem'), '-noout', '-serial'])).stdout.trim().replace(/^serial=/, '').replace(/^(00)+(?=..)/, '');
    expect(shown.toUpperCase()).toContain(phoneSerial.toUpperCase());
    expect(await ocspStatus()).toMatch(/auth\.pem: good/);
    await shots('active');
  }, 240_000);

  it('refuses a crafted call with another holder’s mobile ID, records it, and changes nothing', async () => {
    const answers = await page.evaluate(async (other) => {
      const kiosk = (window as unknown as { carddesk: { kiosk: Record<string, (args?: unknown) => Promise<{ ok: boolean; value?: { ok: boolean; reason?: string }; error?: { code: string } }>> } }).carddesk.kiosk;
      const calls = [kiosk['mobileLock']!({ id: other, days: 3 }), kiosk['mobileCancel']!({ id: other }), kiosk['mobileRevoke']!({ id: other, reason: 'unspecified', pin: '00000000' })];
      return (await Promise.all(calls)).map((answer) => (answer.ok ? (answer.value?.reason ?? 'done') : (answer.error?.code ?? 'error')));
    }, bobMobileId);
    expect(answers).toEqual(['mobileNotFound', 'mobileNotFound', 'mobileNotFound']);
    const audit = await deskCall<{ entries: { action: string; outcome: string; reason?: string; holderId?: string; details?: Record<string, string> }[] }>(desk, 'audit', 'query', {
      actions: ['mobile.lock', 'mobile.cancel', 'mobile.revoke'],
      outcome: 'failure',
      limit: 20,
    });
    const refused = audit.entries.filter((e) => e.details?.['mobileId'] === bobMobileId);
    expect(refused.map((e) => e.action).sort()).toEqual(['mobile.cancel', 'mobile.lock', 'mobile.revoke']);
    for (const entry of refused) expect(entry).toMatchObject({ reason: 'mobileNotFound', holderId: ada.id });
    // Bob's mobile ID is still there, pending, and not on Ada's kiosk.
    expect(await deskCall<{ id: string; state: string }[]>(desk, 'mobile', 'list', { holderId: bobId })).toMatchObject([{ id: bobMobileId, state: 'pending' }]);
    const shownIds = await page.getByTestId(ids.row).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(shownIds).not.toContain(bobMobileId);
  }, 60_000);

  it('locks it at the kiosk (OCSP: on hold) and revokes it with the PIN (OCSP: revoked)', async () => {
    await row().getByTestId(ids.action('lock')).click();
    expect(await seriousAccessibilityViolations(page), 'lock').toEqual([]);
    await shots('lock');
    await page.getByTestId(ids.confirm).click();
    await page.getByTestId(ids.outcome).waitFor({ timeout: 20_000 });
    await expect.poll(() => row().getAttribute('data-state'), { timeout: 20_000 }).toBe('locked');
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: certificateHold/);

    await row().getByTestId(ids.action('revoke')).click();
    await page.getByTestId(ids.revokeReason('keyCompromise')).check();
    expect(await page.getByTestId(ids.revokeNext).isDisabled()).toBe(true);
    await page.getByTestId(ids.revokeUnderstand).check();
    expect(await seriousAccessibilityViolations(page), 'revoke').toEqual([]);
    await shots('revoke');
    await page.getByTestId(ids.revokeNext).click();
    // A wrong PIN is refused by the card; nothing is revoked.
    const wrong = ada.pin.startsWith('9') ? `1${ada.pin.slice(1)}` : `9${ada.pin.slice(1)}`;
    await enterOnPad(page, wrong);
    await page.getByTestId(ids.problem).waitFor({ timeout: 20_000 });
    expect(await deskCall<{ state: string }[]>(desk, 'mobile', 'list', { holderId: ada.id })).toMatchObject([{ state: 'locked' }]);
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: certificateHold/);
    await typeOnPad(page, ada.pin);
    await page.getByTestId('kiosk-pin-key-ok').click();
    await page.getByTestId(ids.outcome).waitFor({ timeout: 20_000 });
    await expect.poll(() => row().getAttribute('data-state'), { timeout: 20_000 }).toBe('revoked');
    expect(await ocspStatus()).toMatch(/auth\.pem: revoked[\s\S]*Reason: keyCompromise/);
    expect(await row().getByRole('button').count()).toBe(0);
    await shots('revoked');
  }, 120_000);

  it('cancels an unfinished one from the QR screen: nothing of it is left', async () => {
    const before = await page.getByTestId(ids.row).count();
    await page.getByTestId(ids.get).click();
    await page.getByTestId(ids.confirm).click();
    await page.getByTestId(ids.qr).waitFor({ timeout: 20_000 });
    await page.getByTestId(ids.cancel).click();
    await page.getByTestId(ids.outcome).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId(ids.row).count()).toBe(before);
    const listed = await deskCall<{ state: string }[]>(desk, 'mobile', 'list', { holderId: ada.id });
    expect(listed.map((m) => m.state)).toEqual(['revoked']);
  }, 60_000);

  it('moves a mobile ID to a new phone: the old phone works until the new one enrols from the new QR code, then it is superseded', async () => {
    const enrol = async (dir: string, name: string): Promise<void> => {
      const qr = page.getByTestId(ids.qr);
      await qr.waitFor({ timeout: 20_000 });
      await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
      const photo = join(work, `${name}.png`);
      await qr.screenshot({ path: photo });
      const phone = await carddesk(['mobile', 'enroll', '--qr', photo, '--out', dir, '--p12-passphrase-file', passFile], { home: tempHome(), timeoutMs: 120_000 });
      expect(phone.code, phone.stderr).toBe(0);
      await page.getByTestId(ids.done).click();
    };
    const oldPhone = join(work, 'old-phone');
    const newPhone = join(work, 'new-phone');
    await page.getByTestId(ids.get).click();
    await page.getByTestId(ids.label('auth')).check();
    await page.getByTestId(ids.confirm).click();
    await enrol(oldPhone, 'old-qr');
    const active = page.locator(`[data-testid="${ids.row}"][data-state="active"]`);
    await expect.poll(() => active.count(), { timeout: 20_000 }).toBe(1);
    const oldId = (await active.getAttribute('data-id')) ?? '';

    await active.getByTestId(ids.action('migrate')).click();
    await page.getByText(en.kiosk.mobile.migrateIntro).waitFor();
    expect(await seriousAccessibilityViolations(page), 'migrate').toEqual([]);
    await shots('migrate');
    await page.getByTestId(ids.confirm).click();
    await page.getByTestId(ids.qr).waitFor({ timeout: 20_000 });
    // Until the new phone has enrolled, the old one keeps working.
    expect(await ocspStatus(oldPhone)).toMatch(/auth\.pem: good/);
    await enrol(newPhone, 'new-qr');
    const rowOf = (id: string) => page.locator(`[data-testid="${ids.row}"][data-id="${id}"]`);
    await expect.poll(() => rowOf(oldId).getAttribute('data-state'), { timeout: 20_000 }).toBe('revoked');
    const listed = await deskCall<{ id: string; state: string; supersedes: string | null }[]>(desk, 'mobile', 'list', { holderId: ada.id });
    const replacement = listed.find((m) => m.supersedes === oldId);
    expect(replacement?.state).toBe('active');
    expect(await rowOf(replacement?.id ?? 'none').getAttribute('data-state')).toBe('active');
    expect(await rowOf(replacement?.id ?? 'none').textContent()).toContain(en.kiosk.mobile.replaces.replace('{{id}}', oldId.slice(0, 8)));
    expect(await rowOf(oldId).textContent()).toContain(en.kiosk.mobile.replacedBy.replace('{{id}}', (replacement?.id ?? '').slice(0, 8)));
    expect(await ocspStatus(oldPhone)).toMatch(/auth\.pem: revoked[\s\S]*Reason: superseded/);
    expect(await ocspStatus(newPhone)).toMatch(/auth\.pem: good/);
    await shots('migrated');
  }, 240_000);

  it('says so when the desk’s listener has no HTTPS port, and makes nothing', async () => {
    await deskCall(desk, 'settings', 'setNetworkListener', { enabled: true, address: '127.0.0.1', port, tlsPort: null, publicHost: '127.0.0.1' });
    const before = (await deskCall<unknown[]>(desk, 'mobile', 'list', { holderId: ada.id })).length;
    await page.getByTestId(ids.get).click();
    await page.getByTestId(ids.confirm).click();
    await page.getByTestId(ids.problem).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId(ids.problem).textContent()).toBe(en.kiosk.mobile.refusal.mobileListenerOff);
    expect(await page.getByTestId(ids.qr).count()).toBe(0);
    await shots('listener-off');
    expect(await deskCall<unknown[]>(desk, 'mobile', 'list', { holderId: ada.id })).toHaveLength(before);
  }, 60_000);
});
