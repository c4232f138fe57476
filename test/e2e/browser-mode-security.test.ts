/**
 * Browser mode as an attacker sees it: another web page on this machine (another origin) that
 * learned the token still cannot connect; the app's own page with a wrong token is refused and
 * says so; the token leaves the address bar at once.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { launchBrowser, openPage } from '../support/browser';
import { startHostProcess, type HostProcess } from '../support/host-process';

let host: HostProcess;
let browser: Browser;
let evil: Server;
let evilOrigin: string;

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchBrowser();
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const address = evil.address();
  evilOrigin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await new Promise((resolve) => evil?.close(resolve));
});

const token = (): string => new URL(host.url).searchParams.get('token') ?? '';

describe('browser mode against other pages', () => {
  it('refuses a WebSocket from another origin even with the right token', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${evilOrigin}/`);
    const outcome = await page.evaluate(
      ([port, secret]) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, ['carddesk.v1', `carddesk.token.${secret}`]);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      [new URL(host.origin).port, token()] as const,
    );
    expect(outcome).toBe('refused');
    await page.context().close();
  });

  it('shows a clear error, not a broken screen, when the token is wrong', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.origin}/?token=${'A'.repeat(43)}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(en.errors.HOST_UNREACHABLE);
    expect(await page.getByRole('alert').textContent()).toContain(en.app.startFailedTitle);
    await page.context().close();
  });

  it('takes the token out of the address bar and keeps the session across a reload', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(host.url);
    await page.getByTestId('app-title').waitFor();
    expect(page.url()).not.toContain('token');
    await page.reload();
    await page.getByTestId('app-title').waitFor();
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });
});
