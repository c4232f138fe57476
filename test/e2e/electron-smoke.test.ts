/**
 * The real Electron shell, through Playwright's `_electron`, where an Electron binary exists.
 * On machines that reach only package registries the binary cannot be downloaded; the test then
 * says so and does not run. (The window factory, IPC registration and security handlers are
 * covered by unit tests against a mocked `electron` module either way.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { _electron } from 'playwright-core';
import { freshHome, repoRoot } from '../support/host-process';

/** Where the `electron` package keeps its binary, without require('electron') (that would try to download it). */
function electronBinary(): { path: string | null; reason: string } {
  const pathFile = join(repoRoot, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return { path: null, reason: 'the Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or the download is not reachable)' };
  }
  const distDir = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(repoRoot, 'node_modules', 'electron', 'dist');
  const binary = join(distDir, readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary, reason: '' } : { path: null, reason: `the Electron binary ${binary} is missing` };
}

function needElectron(context: TestContext): string {
  const { path, reason } = electronBinary();
  if (path === null) {
    console.warn(`SKIPPED: Electron smoke test: ${reason}.`);
    context.skip(reason);
  }
  return path;
}

async function launch(binary: string, args: string[] = []) {
  const headless = process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'];
  return _electron.launch({
    executablePath: binary,
    args: [repoRoot, ...(headless ? ['--ozone-platform=headless'] : []), ...args],
    env: { ...process.env, CARDDESK_HOME: freshHome('carddesk-electron-') },
  });
}

describe('Electron shell', () => {
  it('starts, shows the desk, and gives the page only window.carddesk', async (context) => {
    const app = await launch(needElectron(context));
    try {
      const page = await app.firstWindow();
      await page.getByTestId('app-title').waitFor();
      expect(page.url()).toBe('carddesk://app/index.html#/cards');
      const info = await page.evaluate(() => (window as unknown as { carddesk: { app: { info(): Promise<unknown> } } }).carddesk.app.info());
      expect(info).toMatchObject({ ok: true, value: { mode: 'electron', surface: 'desk' } });
      expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>)['require'])).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>)['process'])).toBe('undefined');
      const refused = await page.evaluate(() => window.open('https://example.org') === null);
      expect(refused).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('opens the desk and its kiosk window, full screen, with --kiosk', async (context) => {
    const app = await launch(needElectron(context), ['--kiosk']);
    try {
      await expect.poll(() => app.windows().length, { timeout: 15_000 }).toBe(2);
      const kioskPage = app.windows().find((page) => page.url().endsWith('#/kiosk'));
      if (kioskPage === undefined) throw new Error(`no kiosk window among ${app.windows().map((page) => page.url()).join(', ')}`);
      await kioskPage.getByTestId('kiosk-welcome').waitFor();
      const kiosks = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((window) => window.isKiosk()));
      expect(kiosks.sort()).toEqual([false, true]);
    } finally {
      await app.close();
    }
  });
});
