import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from '../../test/support/electron-mock';
import { createAppWindow } from './window-factory';

vi.mock('electron', () => import('../../test/support/electron-mock'));

describe('createAppWindow', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances.length = 0;
  });

  it('gives the desk window no Node, no Electron, a sandbox and an isolated context', () => {
    createAppWindow({ surface: 'desk', preloadPath: '/app/dist/preload.cjs', development: false });
    const window = FakeBrowserWindow.instances[0];
    expect(window?.options['webPreferences']).toMatchObject({
      preload: '/app/dist/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
    expect(window?.options['webPreferences']).not.toHaveProperty('enableBlinkFeatures');
    expect(window?.options).toMatchObject({ kiosk: false, fullscreen: false, show: false });
    expect(window?.loadedUrl).toBe('carddesk://app/index.html');
  });

  it('allows devtools only in development', () => {
    createAppWindow({ surface: 'desk', preloadPath: '/p', development: true });
    expect(FakeBrowserWindow.instances[0]?.options['webPreferences']).toMatchObject({ devTools: true });
  });

  it('opens the kiosk full screen, in kiosk mode, on the holder route', () => {
    createAppWindow({ surface: 'kiosk', preloadPath: '/p', development: false });
    const window = FakeBrowserWindow.instances[0];
    expect(window?.options).toMatchObject({ kiosk: true, fullscreen: true, autoHideMenuBar: true });
    expect(window?.loadedUrl).toBe('carddesk://app/index.html#/kiosk');
    expect(window?.options['webPreferences']).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('shows the window only when it has something to show', () => {
    createAppWindow({ surface: 'desk', preloadPath: '/p', development: false });
    const window = FakeBrowserWindow.instances[0];
    expect(window?.show).not.toHaveBeenCalled();
    window?.emit('ready-to-show');
    expect(window?.show).toHaveBeenCalledOnce();
  });
});
