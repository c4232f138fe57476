/**
 * The CA vault and the directory through the real screens (browser mode, Chromium): the first-run
 * wizard creates the CA, a holder is added and a CSV imported (a bad file imports nothing and
 * reports each bad row), a certificate is issued and then suspended, resumed and revoked from the
 * certificate screen; OpenSSL checks the CRLs and the OCSP answers the screens caused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { openssl, toolAsync } from '../support/openssl';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

let host: HostProcess;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let holderUrl = '';
let serial = '';

const crlFile = (name: string) => join(host.home, 'crl', name);
const crlText = () => openssl('crl', '-in', crlFile('ca.crl.pem'), '-noout', '-text').stdout;

async function expectAccessible(what: string): Promise<void> {
  // Dialogs fade in: contrast is only meaningful once every transition has finished.
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
  expect(await seriousAccessibilityViolations(page), what).toEqual([]);
}

/** GET over HTTPS from the desk's listener, trusting nothing (the test checks the certificate itself). */
function httpsGet(port: number, path: string): Promise<{ body: Buffer; peer: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest({ host: '127.0.0.1', port, path, servername: 'desk.carddesk.test', rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (response) => {
      const peer = (response.socket as TLSSocket).getPeerCertificate().raw;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve({ body: Buffer.concat(chunks), peer }) : reject(new Error(`HTTP ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end();
  });
}

async function choose(testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchBrowser();
  watched = await openPage(browser);
  page = watched.page;
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the CA vault and the directory on the screens', () => {
  it('creates the CA with the first-run wizard', async () => {
    await page.goto(`${host.url}#/certificates/ca`);
    await page.getByTestId('ca-missing').waitFor();
    await expectAccessible('CA page without a CA');
    await page.getByTestId('ca-start-wizard').click();
    await page.getByTestId('ca-wizard').waitFor();
    await page.getByTestId('vault-passphrase').fill('too short');
    await page.getByTestId('vault-passphrase-repeat').fill('too short');
    await page.getByTestId('ca-wizard-next').click();
    await expect.poll(() => page.getByTestId('ca-wizard-error').textContent()).toBe(en.vault.tooShort);
    // The fields are cleared after each try: the passphrase is not kept in the page.
    expect(await page.getByTestId('vault-passphrase').inputValue()).toBe('');
    await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
    await page.getByTestId('vault-passphrase-repeat').fill(PASSPHRASE);
    await page.getByTestId('ca-wizard-next').click();
    await page.getByTestId('ca-wizard-root-name').waitFor();
    await expectAccessible('wizard, CA step');
    await page.getByTestId('ca-wizard-root-name').fill('CN=Screen Root, O=CardDesk E2E, C=XK');
    await page.getByTestId('ca-wizard-issuing-name').fill('CN=Screen Issuing, O=CardDesk E2E, C=XK');
    // The published base URL is proposed from the host name, and a loopback address is refused.
    await expect.poll(() => page.getByTestId('ca-base-url').inputValue()).toBe(`http://${hostname().toLowerCase()}:8080/`);
    await page.getByTestId('ca-base-url').fill('http://127.0.0.1:8080/');
    await page.getByTestId('ca-wizard-create').click();
    await expect.poll(() => page.getByTestId('ca-wizard-error').textContent()).toBe(en.certificates.baseUrl.loopback);
    await page.getByTestId('ca-base-url').fill('http://pki.e2e.example:8080/');
    await page.getByTestId('ca-wizard-create').click();
    await page.getByText(en.certificates.wizard.done).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: en.common.close }).click();
    await expect.poll(() => page.getByTestId('ca-certificate-row').count()).toBe(3);
    expect(await page.getByTestId('ca-last-crl').getAttribute('data-number')).toBe('1');
    expect(openssl('crl', '-in', crlFile('ca.crl.pem'), '-noout', '-issuer').stdout).toContain('CN = Screen Issuing');
    expect(await page.getByTestId('ca-published-urls').getAttribute('data-base-url')).toBe('http://pki.e2e.example:8080/');
    await page.getByTestId('ca-published-urls').getByText('http://pki.e2e.example:8080/ocsp').waitFor();
    await expectAccessible('CA page with a CA');
  });

  it('refuses a loopback base URL in the service too, whatever the page sends', async () => {
    const refused = await page.evaluate(async () => {
      const api = (window as unknown as { carddesk: { ca: { setPublicBaseUrl(a: { publicBaseUrl: string }): Promise<{ ok: boolean; error?: { code: string; message: string } }> } } }).carddesk;
      return api.ca.setPublicBaseUrl({ publicBaseUrl: 'http://localhost:8080/' });
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'PUBLIC_URL_REFUSED', message: expect.stringContaining('loopback') as string } });
  });

  it('turns the network listener on in Settings: it serves the CRL (and nothing of the desk itself), then stops when turned off', async () => {
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('settings-network-listener').waitFor();
    await expect.poll(() => page.getByTestId('settings-network-listener-state').getAttribute('data-listening')).toBe('false');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    await page.getByTestId('settings-network-listener-enabled').check();
    await page.getByTestId('settings-network-listener-address').fill('127.0.0.1');
    await page.getByTestId('settings-network-listener-port').fill(String(port));
    await page.getByTestId('settings-network-listener-save').click();
    await expect.poll(() => page.getByTestId('settings-network-listener-state').getAttribute('data-listening')).toBe('true');
    const crl = await fetch(`http://127.0.0.1:${port}/crl/ca.crl`);
    expect(crl.status).toBe(200);
    const fetched = join(host.home, 'listener.crl');
    writeFileSync(fetched, Buffer.from(await crl.arrayBuffer()));
    expect(openssl('crl', '-inform', 'DER', '-in', fetched, '-noout', '-issuer').stdout).toContain('CN = Screen Issuing');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404); // nothing of the desk itself
    await expectAccessible('Settings with the network listener');
    await page.getByTestId('settings-network-listener-enabled').uncheck();
    await page.getByTestId('settings-network-listener-save').click();
    await expect.poll(() => page.getByTestId('settings-network-listener-state').getAttribute('data-listening')).toBe('false');
    expect(await fetch(`http://127.0.0.1:${port}/crl/ca.crl`).then(() => 'answered', () => 'refused')).toBe('refused');
  });

  it('serves EST over HTTPS once a TLS port and the public host are set: the CA issued the server certificate for that host', async () => {
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('settings-network-listener').waitFor();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const tlsPort = port + 1;
    await page.getByTestId('settings-network-listener-enabled').check();
    await page.getByTestId('settings-network-listener-address').fill('127.0.0.1');
    await page.getByTestId('settings-network-listener-port').fill(String(port));
    await page.getByTestId('settings-network-listener-tls-port').fill(String(tlsPort));
    await page.getByTestId('settings-network-listener-public-host').fill('');
    await page.getByTestId('settings-network-listener-save').click();
    // A TLS port without the host name its certificate is for is refused before anything changes.
    await page.getByText(en.settings.listener.needsHost).waitFor();
    expect(await page.getByTestId('settings-network-listener-state').getAttribute('data-listening')).toBe('false');
    await page.getByTestId('settings-network-listener-public-host').fill('desk.carddesk.test');
    await page.getByTestId('settings-network-listener-save').click();
    await expect.poll(() => page.getByTestId('settings-network-listener-est').getAttribute('data-tls-listening'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('settings-network-listener-est').textContent()).toContain(`https://desk.carddesk.test:${tlsPort}/.well-known/est`);
    await expectAccessible('Settings with HTTPS for mobile IDs');

    const { body, peer } = await httpsGet(tlsPort, '/.well-known/est/cacerts');
    writeFileSync(join(host.home, 'cacerts.p7'), Buffer.from(body.toString('ascii').replace(/\s+/g, ''), 'base64'));
    const chain = openssl('pkcs7', '-inform', 'DER', '-in', join(host.home, 'cacerts.p7'), '-print_certs').stdout;
    writeFileSync(join(host.home, 'est-chain.pem'), chain);
    writeFileSync(join(host.home, 'est-server.pem'), `-----BEGIN CERTIFICATE-----\n${peer.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
    expect(openssl('verify', '-CAfile', join(host.home, 'est-chain.pem'), join(host.home, 'est-server.pem')).stdout).toContain(': OK');
    const server = openssl('x509', '-in', join(host.home, 'est-server.pem'), '-noout', '-ext', 'subjectAltName,extendedKeyUsage').stdout;
    expect(server).toContain('DNS:desk.carddesk.test');
    expect(server).toContain('TLS Web Server Authentication');

    await page.getByTestId('settings-network-listener-tls-port').fill('');
    await page.getByTestId('settings-network-listener-enabled').uncheck();
    await page.getByTestId('settings-network-listener-save').click();
    await expect.poll(() => page.getByTestId('settings-network-listener-state').getAttribute('data-listening')).toBe('false');
    expect(await httpsGet(tlsPort, '/.well-known/est/cacerts').then(() => 'answered', () => 'refused')).toBe('refused');
  });

  it('adds a holder, answering each bad field under the field', async () => {
    await page.goto(`${host.url}#/users`);
    await page.getByTestId('holder-add').click();
    await page.getByTestId('holder-field-personalNumber').fill('1234567890');
    await page.getByTestId('holder-field-firstName').fill('Ada');
    await page.getByTestId('holder-field-lastName').fill('Lovelace');
    await page.getByTestId('holder-field-email').fill('not an email');
    await page.getByTestId('holder-save').click();
    const dialog = page.getByTestId('holder-dialog');
    await dialog.getByText(en.users.problems.checkDigit).waitFor();
    await dialog.getByText(en.users.problems.invalid).waitFor();
    await expectAccessible('holder dialog with problems');
    await page.getByTestId('holder-field-personalNumber').fill(personalNumber(1));
    await page.getByTestId('holder-field-email').fill('ada@example.org');
    await page.getByTestId('holder-save').click();
    await page.getByTestId('holder-detail').waitFor();
    holderUrl = page.url();
    expect(await page.getByTestId('holder-fact-userNumber').textContent()).toMatch(/^\d{14}$/);
    expect(await page.getByTestId('holder-fact-personalNumber').textContent()).toBe(personalNumber(1));
    await expectAccessible('holder detail');
  });

  it('imports nothing from a CSV with bad rows, reports each one, then imports a good file', async () => {
    await page.goto(`${host.url}#/users`);
    await expect.poll(() => page.getByTestId('holders-total').getAttribute('data-total')).toBe('1');
    await page.getByTestId('holders-import').click();
    const bad = [
      'personalNumber,firstName,lastName,email',
      `${personalNumber(2)},Grace,Hopper,grace@example.org`,
      '12345,Bad,Number,',
      `${personalNumber(1)},Ada,Again,`,
      `${personalNumber(3)},,NoFirstName,`,
    ].join('\n');
    await page.getByTestId('holders-import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('holders-import-report').waitFor();
    expect(await page.getByTestId('holders-import-bad-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-line')))).toEqual(['3', '4', '5']);
    expect(await page.getByTestId('holders-import-result').getAttribute('data-imported')).toBe('0');
    await expectAccessible('CSV report');
    const good = ['personalNumber,firstName,lastName,email,language', `${personalNumber(2)},Grace,Hopper,grace@example.org,it`, `${personalNumber(3)},Alan,Turing,,nl`].join('\n');
    await page.getByTestId('holders-import-file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await expect.poll(() => page.getByTestId('holders-import-result').getAttribute('data-imported')).toBe('2');
    await page.getByRole('button', { name: en.common.close }).click();
    await expect.poll(() => page.getByTestId('holders-total').getAttribute('data-total')).toBe('3');
    await page.getByTestId('holders-search').fill('hopper');
    await expect.poll(() => page.getByTestId('holders-total').getAttribute('data-total')).toBe('1');
    await expectAccessible('holder list');
  });

  it('issues a certificate to the holder from a CSR', async () => {
    const key = join(host.home, 'ada.key');
    const csr = join(host.home, 'ada.csr');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=ignored', '-out', csr);
    await page.goto(holderUrl);
    await page.getByTestId('holder-issue').click();
    await page.getByTestId('certificate-issue-request').fill(readFileSync(csr, 'utf8'));
    await page.getByTestId('certificate-issue-sans').fill('upn:ada@corp.example\nemail:ada@example.org');
    await expectAccessible('issue dialog');
    await page.getByTestId('certificate-issue-submit').click();
    await page.getByTestId('holder-certificate-row').waitFor();
    serial = (await page.getByTestId('holder-certificate-row').getAttribute('data-serial')) ?? '';
    expect(serial).toMatch(/^[0-9A-F]{32}$/);
    await page.getByRole('link', { name: serial }).click();
    await page.getByTestId('certificate-detail').waitFor();
    expect(await page.getByTestId('certificate-field-subject').textContent()).toBe(`CN=Ada Lovelace, SERIALNUMBER=${personalNumber(1)}`);
    expect(await page.getByTestId('certificate-field-extendedKeyUsage').textContent()).toBe('clientAuth, msSmartcardLogon');
    expect(await page.getByTestId('certificate-field-sans').textContent()).toBe(`${en.certificates.sanTypes.upn}: ada@corp.example, ${en.certificates.sanTypes.email}: ada@example.org`);
    await expectAccessible('certificate detail');
    writeFileSync(join(host.home, 'ada.pem'), await page.evaluate(async (s) => {
      const api = (window as unknown as { carddesk: { certificates: { get(a: { serial: string }): Promise<{ ok: true; value: { pem: string } }> } } }).carddesk;
      return (await api.certificates.get({ serial: s })).value.pem;
    }, serial));
  });

  it('suspends, resumes and revokes from the certificate screen, and the CRL follows each time', async () => {
    const verify = () => openssl('verify', '-CAfile', crlFile('chain.pem'), '-crl_check', '-CRLfile', crlFile('ca.crl.pem'), join(host.home, 'ada.pem'));
    expect(verify().code).toBe(0);

    await page.getByTestId('certificate-suspend').click();
    await page.getByTestId('certificate-suspend-days').fill('5');
    await page.getByTestId('certificate-action-confirm').click();
    await expect.poll(() => page.getByTestId('certificate-status').getAttribute('data-status')).toBe('suspended');
    expect(crlText()).toMatch(new RegExp(`Serial Number: ${serial}[\\s\\S]*?Certificate Hold`));

    await page.getByTestId('certificate-resume').click();
    await page.getByTestId('certificate-action-confirm').click();
    await expect.poll(() => page.getByTestId('certificate-status').getAttribute('data-status')).toBe('valid');
    expect(crlText()).not.toContain(serial);
    expect(verify().code).toBe(0);

    await page.getByTestId('certificate-revoke').click();
    await choose('certificate-revoke-reason', en.certificates.reasons.keyCompromise);
    await page.getByTestId('certificate-action-confirm').click();
    await expect.poll(() => page.getByTestId('certificate-status').getAttribute('data-status')).toBe('revoked');
    expect(crlText()).toMatch(new RegExp(`Serial Number: ${serial}[\\s\\S]*?Key Compromise`));
    const revoked = verify();
    expect(revoked.code).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toMatch(/certificate revoked/);
    expect(await page.getByTestId('certificate-revoke').isDisabled()).toBe(true);
  });

  it('asks to unlock a locked vault before signing, refusing a wrong passphrase', async () => {
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId('vault-lock-now').click();
    await expect.poll(() => page.getByTestId('vault-state').getAttribute('data-state')).toBe('locked');
    await expectAccessible('settings with the vault panel');
    await page.goto(`${host.url}#/certificates/ca`);
    await page.getByTestId('ca-publish-crl').click();
    await page.getByTestId('vault-unlock-dialog').waitFor();
    await page.getByTestId('vault-passphrase').fill('not the passphrase');
    await page.getByTestId('vault-unlock-submit').click();
    await expect.poll(() => page.getByTestId('vault-unlock-error').textContent()).toBe(en.errors.WRONG_PASSPHRASE);
    await expectAccessible('unlock dialog');
    await page.getByTestId('vault-passphrase').fill(PASSPHRASE);
    await page.getByTestId('vault-unlock-submit').click();
    const published = new RegExp(en.certificates.ca.published.replace('{{number}}', '\\d+').replace('.', '\\.'));
    await page.getByText(published).waitFor();
  });

  it('turns the OCSP responder on, and OpenSSL hears "revoked" for the revoked certificate', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    await page.getByTestId('ca-ocsp-port').fill(String(port));
    await page.getByTestId('ca-ocsp-switch').click();
    await expect.poll(() => page.getByTestId('ca-ocsp-state').getAttribute('data-running')).toBe('true');
    const answer = await toolAsync('openssl', ['ocsp', '-issuer', crlFile('issuing.pem'), '-cert', join(host.home, 'ada.pem'), '-url', `http://127.0.0.1:${port}/`, '-CAfile', crlFile('chain.pem')]);
    expect(answer.stderr).toContain('Response verify OK');
    expect(answer.stdout).toMatch(/: revoked/);
    await page.getByTestId('ca-ocsp-switch').click();
    await expect.poll(() => page.getByTestId('ca-ocsp-state').getAttribute('data-running')).toBe('false');
  });

  it("shows the holder's own access history on the holder's page", async () => {
    await page.goto(holderUrl);
    const section = page.getByTestId('holder-detail-history');
    await section.getByTestId('holder-history-row').first().waitFor();
    // Created, then a certificate issued: both are the holder's events.
    expect(Number(await section.getByTestId('holder-history-total').textContent())).toBeGreaterThanOrEqual(2);
    const rows = await section.getByTestId('holder-history-row').allTextContents();
    expect(rows.some((row) => row.includes(en.accessHistory.actions.ca.certificateIssue))).toBe(true);
    expect(rows.some((row) => row.includes(en.accessHistory.actions.holder.create))).toBe(true);
    await expectAccessible("holder page with the holder's access history");
  });

  it('lists the certificates with filters, and left no console errors', async () => {
    await page.goto(`${host.url}#/certificates`);
    await expect.poll(() => page.getByTestId('certificates-total').getAttribute('data-total')).toBe('2');
    // The holder filter searches the directory as the operator types.
    await page.getByTestId('certificates-holder-filter').fill('lovelace');
    await page.getByRole('option', { name: new RegExp(`Lovelace, Ada \\(${personalNumber(1)}\\)`) }).click();
    await expect.poll(() => page.getByTestId('certificates-total').getAttribute('data-total')).toBe('1');
    await choose('certificates-status-filter', en.certificates.statuses.revoked);
    await expect.poll(() => page.getByTestId('certificates-total').getAttribute('data-total')).toBe('1');
    expect(await page.getByTestId('certificate-row').getAttribute('data-serial')).toBe(serial);
    await expectAccessible('certificate list');
    expect(watched.errors).toEqual([]);
  });
});
