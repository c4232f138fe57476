import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { app, FakeBrowserWindow, ipcMain, Menu, protocol, session } from '../../test/support/electron-mock';
import { createCore } from '../core/app-core';
import { silentLogger } from '../core/log/logger';
import { localConnection } from '../core/process/local-connection';
import { channelNames } from '../shared/contract';
import { sourcePkcs11Workers } from '../../test/support/pkcs11-worker';
import { KIOSK_REOPEN_MS } from './kiosk-window';
import { runMain } from './main';

vi.mock('electron', () => import('../../test/support/electron-mock'));
// The core would start a real PC/SC watcher; these tests are about the Electron shell around it.
vi.mock('../core/readers/pcsc-binding', () => ({
  loadPcscLite: () =>
    Promise.resolve(() => {
      throw new Error('no PC/SC in unit tests');
    }),
}));

async function start(argv: string[]): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'carddesk-main-'));
  // The services run here rather than in a utility process: these tests are about the shell.
  const startCore: Parameters<typeof runMain>[0]['startCore'] = ({ mode, dataDir }) => {
    const core = createCore({ mode, dataDir, log: silentLogger, pkcs11Worker: sourcePkcs11Workers().spawn, defaultPkcs11Modules: () => [] });
    void core.start();
    return localConnection(core.handlers, core.events, silentLogger, () => core.dispose());
  };
  runMain({ argv: ['electron', '.', ...argv], distDir: '/app/dist', env: { CARDDESK_HOME: home }, startCore });
  await app.whenReady();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('runMain', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances.length = 0;
    ipcMain.handlers.clear();
    protocol.handlers.clear();
    protocol.privileged.length = 0;
    app.removeAllListeners();
    app.quit.mockClear();
    app.singleInstance = true;
    Menu.setApplicationMenu.mockClear();
  });

  it('quits at once when another CardDesk already runs, without a window or handlers', async () => {
    app.singleInstance = false;
    await start([]);
    expect(app.quit).toHaveBeenCalledOnce();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('takes its single-instance lock per data folder, so another data folder may run beside it', async () => {
    await start([]);
    const home = app.paths.get('sessionData')?.replace(/\/session$/, '');
    expect(home).toMatch(/carddesk-main-/);
    expect(app.lockedUserData).toBe(join(home ?? '', 'electron'));
  });

  it('opens one desk window with the contract registered and the security policy installed', async () => {
    await start([]);
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances[0]?.loadedUrl).toBe('carddesk://app/index.html');
    expect(FakeBrowserWindow.instances[0]?.options['webPreferences']).toMatchObject({ preload: '/app/dist/preload.cjs' });
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort());
    expect(protocol.handlers.has('carddesk')).toBe(true);
    expect(session.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(app.listenerCount('web-contents-created')).toBe(1);
  });

  it('answers app:info from the desk window as Electron mode', async () => {
    await start([]);
    const contents = FakeBrowserWindow.instances[0]!.webContents;
    await expect(ipcMain.invoke('app:info', contents, undefined)).resolves.toMatchObject({
      ok: true,
      value: { mode: 'electron', surface: 'desk', name: 'CardDesk' },
    });
  });

  it('opens the desk and, with --kiosk, its holder-facing kiosk window: full screen on the second display, no menu, no devtools, kiosk surface', async () => {
    await start(['--kiosk']);
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    const [desk, kiosk] = FakeBrowserWindow.instances as [FakeBrowserWindow, FakeBrowserWindow];
    expect(desk.loadedUrl).toBe('carddesk://app/index.html');
    expect(kiosk.options).toMatchObject({ kiosk: true, fullscreen: true, x: 1920, y: 0 });
    expect(kiosk.options['webPreferences']).toMatchObject({ devTools: false });
    expect(kiosk.loadedUrl).toBe('carddesk://app/index.html#/kiosk');
    expect(kiosk.removeMenu).toHaveBeenCalled();
    await expect(ipcMain.invoke('app:info', kiosk.webContents, undefined)).resolves.toMatchObject({ value: { surface: 'kiosk' } });
    await expect(ipcMain.invoke('app:info', desk.webContents, undefined)).resolves.toMatchObject({ value: { surface: 'desk' } });
    // A kiosk page cannot reach an operator channel, whatever it sends.
    await expect(ipcMain.invoke('vault:lock', kiosk.webContents, undefined)).resolves.toMatchObject({ ok: false });
  });

  it('keeps the browser’s own shortcuts from the kiosk holder, and reopens the kiosk page when it crashes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      await start(['--kiosk']);
      const kiosk = FakeBrowserWindow.instances[1]!;
      const key = (key: string, modifiers: { control?: boolean; alt?: boolean } = {}) =>
        kiosk.webContents.fire('before-input-event', { type: 'keyDown', key, control: false, meta: false, alt: false, shift: false, ...modifiers });
      expect([key('r', { control: true }), key('F5'), key('F12'), key('i', { control: true }), key('F4', { alt: true }), key('+', { control: true })]).toEqual([true, true, true, true, true, true]);
      expect([key('5'), key('Backspace'), key('Enter')]).toEqual([false, false, false]);

      kiosk.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
      expect(kiosk.destroy).toHaveBeenCalled();
      expect(FakeBrowserWindow.instances).toHaveLength(2);
      vi.advanceTimersByTime(KIOSK_REOPEN_MS);
      expect(FakeBrowserWindow.instances).toHaveLength(3);
      const reopened = FakeBrowserWindow.instances[2]!;
      expect(reopened.loadedUrl).toBe('carddesk://app/index.html#/kiosk');
      await expect(ipcMain.invoke('app:info', reopened.webContents, undefined)).resolves.toMatchObject({ value: { surface: 'kiosk' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('brings the first window forward when a second instance starts', async () => {
    await start([]);
    const window = FakeBrowserWindow.instances[0]!;
    window.minimized = true;
    app.emit('second-instance', {}, ['electron', '.']);
    expect(window.restore).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });

  it('keeps Chromium’s own data inside the data folder', async () => {
    await start([]);
    expect(app.paths.get('sessionData')).toMatch(/carddesk-main-.*session$/);
  });
});
