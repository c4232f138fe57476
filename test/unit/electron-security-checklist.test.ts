/**
 * Electron's security checklist (electronjs.org/docs/latest/tutorial/security), item by item,
 * checked against CardDesk's own code and configuration; plus Electronegativity, run offline.
 * The behaviour behind each item is tested in detail next to the code (electron/main/*.test.ts).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { parse } from 'yaml';
import { app, FakeBrowserWindow, FakeWebContents, session } from '../support/electron-mock';
import { repoRoot } from '../support/host-process';
import { isAllowedRequest, installSecurityPolicy, hardenWebContents } from '../../electron/main/security';
import { createAppWindow } from '../../electron/main/window-factory';
import { appUrl } from '../../electron/main/app-url';
import { contentSecurityPolicy } from '../../electron/core/web/content-security-policy';

vi.mock('electron', () => import('../support/electron-mock'));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}
const electronSources = sources(join(repoRoot, 'electron'));
const rendererSources = sources(join(repoRoot, 'renderer', 'src'));
const read = (path: string): string => readFileSync(path, 'utf8');

createAppWindow({ surface: 'desk', preloadPath: '/p', development: false });
const preferences = FakeBrowserWindow.instances[0]?.options['webPreferences'] as Record<string, unknown>;
installSecurityPolicy(app as unknown as App, session.defaultSession as unknown as Session, false);

describe("Electron's security checklist", () => {
  it('1. only loads secure content: the app scheme, never http(s) from the network', () => {
    expect(appUrl('desk')).toMatch(/^carddesk:\/\/app\//);
    expect(isAllowedRequest('http://example.org/x.js', false)).toBe(false);
    expect(isAllowedRequest('https://example.org/x.js', false)).toBe(false);
  });

  it('2. does not enable Node.js integration for any content', () => {
    expect(preferences).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
  });

  it('3. enables context isolation', () => {
    expect(preferences['contextIsolation']).toBe(true);
  });

  it('4. enables process sandboxing', () => {
    expect(preferences['sandbox']).toBe(true);
  });

  it('5. handles permission requests: every one denied', () => {
    const callback = vi.fn();
    session.defaultSession.permissionRequestHandler?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
  });

  it('6. does not disable webSecurity', () => {
    expect(preferences['webSecurity']).toBe(true);
  });

  it('7. defines a Content Security Policy, without unsafe-eval, on responses and in the page', () => {
    expect(contentSecurityPolicy()).not.toContain('unsafe-eval');
    const html = read(join(repoRoot, 'renderer', 'index.html'));
    expect(html).toMatch(/http-equiv="Content-Security-Policy"/);
    expect(html).not.toContain('unsafe-eval');
  });

  it('8. does not allow insecure content', () => {
    expect(preferences['allowRunningInsecureContent']).toBe(false);
  });

  it('9. does not enable experimental features', () => {
    expect(preferences['experimentalFeatures']).toBe(false);
  });

  it('10. does not use enableBlinkFeatures', () => {
    expect(preferences).not.toHaveProperty('enableBlinkFeatures');
    for (const file of electronSources) expect(read(file), file).not.toMatch(/enableBlinkFeatures\s*:/);
  });

  it('11. has no <webview> (tag disabled, attach refused)', () => {
    expect(preferences['webviewTag']).toBe(false);
    const contents = new FakeWebContents();
    hardenWebContents(contents as unknown as WebContents, false);
    expect(contents.fire('will-attach-webview', {}, {})).toBe(true);
    for (const file of rendererSources) expect(read(file), file).not.toMatch(/<webview/);
  });

  it('12. limits navigation to the app itself', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as unknown as WebContents, false);
    expect(contents.fire('will-navigate', 'https://example.org')).toBe(true);
  });

  it('13. denies the creation of new windows', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents as unknown as WebContents, false);
    expect(contents.windowOpenHandler?.({ url: 'https://example.org' })).toEqual({ action: 'deny' });
  });

  it('14. never calls shell.openExternal with content from a page', () => {
    for (const file of electronSources) expect(read(file), file).not.toMatch(/openExternal/);
  });

  it('15. uses a current Electron', () => {
    const electron = read(join(repoRoot, 'node_modules', 'electron', 'package.json'));
    const major = Number((JSON.parse(electron) as { version: string }).version.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(40);
  });

  it('16. validates the sender of every IPC message (one handle() for all channels)', () => {
    const ipcFiles = electronSources.filter((file) => /ipcMain\.(handle|on)\(/.test(read(file)));
    expect(ipcFiles.map((file) => file.slice(repoRoot.length + 1))).toEqual(['electron/main/ipc.ts']);
    expect(read(join(repoRoot, 'electron', 'main', 'ipc.ts'))).toMatch(/trustedSender\(registry, event\)/);
  });

  it('17. avoids file:// and serves the app from a custom protocol', () => {
    for (const file of electronSources) expect(read(file), file).not.toMatch(/loadFile\(|file:\/\/\//);
  });

  it('18. flips the fuses it does not need when packaging', () => {
    const config = parse(read(join(repoRoot, 'electron-builder.yml'))) as { electronFuses: Record<string, boolean> };
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });

  it('19. does not expose Electron APIs to the page: the preload exposes only the contract API', () => {
    const preload = read(join(repoRoot, 'electron', 'preload', 'preload.ts'));
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('carddesk', api\)/);
  });

  it('20. keeps devtools out of packaged builds', () => {
    expect(preferences['devTools']).toBe(false);
  });
});

describe('Electronegativity (offline)', () => {
  /** Findings that are review reminders, not defects, each with the review that answers it. */
  const reviewed: Record<string, string> = {
    PRELOAD_JS_CHECK: 'the preload is reviewed: it exposes only contract-derived named functions (electron/preload/preload.test.ts)',
  };

  it('finds no high or medium issue in the Electron code and the renderer page', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'carddesk-electronegativity-'));
    cpSync(join(repoRoot, 'electron'), join(staging, 'electron'), { recursive: true, filter: (path) => !/\.test\.ts$/.test(path) });
    cpSync(join(repoRoot, 'renderer', 'index.html'), join(staging, 'renderer', 'index.html'));
    const { default: run } = await import('@doyensec/electronegativity');
    // The only check that needs the network (Electron's release feed) is left out.
    const result = await run({
      input: staging,
      isRelative: true,
      electronVersionOverride: '45.0.0',
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    });
    expect(result.atomicChecks).toBeGreaterThan(30);
    const significant = result.issues.filter((issue) => ['HIGH', 'MEDIUM'].includes(issue.severity.name));
    const unexplained = significant.filter((issue) => !(issue.manualReview && issue.id in reviewed));
    console.log(
      `Electronegativity: ${result.issues.length} finding(s), ${significant.length} high/medium, of which review reminders: ` +
        significant.map((issue) => `${issue.id} (${reviewed[issue.id] ?? 'not reviewed'})`).join('; '),
    );
    expect(unexplained.map((issue) => `${issue.id} ${issue.file}:${issue.location.line}`)).toEqual([]);
  }, 120_000);
});
