/**
 * Browser mode as an attacker sees it: another web page on this machine (another origin) that
 * learned the token still cannot connect; the app's own page with a wrong token is refused and
 * says so; the token leaves the address bar at once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import type { Browser } from 'playwright-core';
import en from '../../renderer/src/i18n/locales/en.json';
import { launchBrowser, openPage } from '../support/browser';
import { buildConstructorLibrary, MARKER_VARIABLE } from '../support/constructor-library';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { PASSPHRASE } from '../support/vault-fixtures';

let host: HostProcess;
let browser: Browser;
let evil: Server;
let evilOrigin: string;
let planted: string;
let marker: string;

beforeAll(async () => {
  // A library a page would like CardDesk to load: its constructor leaves a mark when it runs.
  planted = mkdtempSync(join(tmpdir(), 'carddesk-planted-'));
  buildConstructorLibrary(join(planted, 'libplanted.so'));
  marker = join(planted, 'constructor-ran');
  host = await startHostProcess({ env: { [MARKER_VARIABLE]: marker } });
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
  rmSync(planted, { recursive: true, force: true });
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

/** A script in the app's own page (say, an injected one) calling the contract directly over the WebSocket. */
async function craftedCalls(calls: { channel: string; args: unknown }[]): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }[]> {
  const ws = new NodeWebSocket(`ws://127.0.0.1:${new URL(host.origin).port}/api`, ['carddesk.v1', `carddesk.token.${token()}`], { origin: host.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const results: { ok: boolean; value?: unknown; error?: { code: string; message: string } }[] = [];
  for (const [id, call] of calls.entries()) {
    const answer = new Promise<(typeof results)[number]>((resolve) => {
      const listen = (data: Buffer): void => {
        const message = JSON.parse(data.toString('utf8')) as { type: string; id?: number; envelope?: (typeof results)[number] };
        if (message.type === 'result' && message.id === id && message.envelope !== undefined) {
          ws.off('message', listen);
          resolve(message.envelope);
        }
      };
      ws.on('message', listen);
    });
    ws.send(JSON.stringify({ id, channel: call.channel, args: call.args }));
    results.push(await answer);
  }
  ws.close();
  return results;
}

describe('no library loading from a page', () => {
  it('refuses tokens:addModule over the WebSocket while the vault is locked, and for a path outside the library folders once unlocked; nothing is loaded or kept', async () => {
    const path = join(planted, 'libplanted.so');
    const [locked, init, outside, relative, folder, modules] = await craftedCalls([
      { channel: 'tokens:addModule', args: { name: 'Planted', path } },
      { channel: 'vault:init', args: { passphrase: PASSPHRASE } },
      { channel: 'tokens:addModule', args: { name: 'Planted', path } },
      { channel: 'tokens:addModule', args: { name: 'Planted', path: 'libplanted.so' } },
      { channel: 'tokens:addLibraryFolder', args: { path: planted } },
      { channel: 'tokens:modules', args: undefined },
    ]);
    expect(locked).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(init).toMatchObject({ ok: true });
    expect(outside).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED' } });
    expect(relative).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED', message: expect.stringContaining('absolute') as string } });
    // A folder under /tmp can be changed by everybody: it cannot be allowed either.
    expect(folder).toMatchObject({ ok: false, error: { code: 'MODULE_PATH_REFUSED' } });
    expect((modules?.value as { path: string }[]).map((m) => m.path)).not.toContain(path);
    expect(existsSync(marker), 'the planted library was loaded').toBe(false);
    const settingsFile = join(host.home, 'settings.json');
    if (existsSync(settingsFile)) expect(readFileSync(settingsFile, 'utf8')).not.toContain('libplanted');
  });
});
