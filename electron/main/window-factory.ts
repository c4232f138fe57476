import { BrowserWindow, type WebPreferences } from 'electron';
import type { Surface } from '../shared/schemas/app';
import { appUrl } from './app-url';

export interface AppWindowOptions {
  readonly surface: Surface;
  readonly preloadPath: string;
  /** Development builds may open devtools; packaged builds never can. */
  readonly development: boolean;
}

/** The renderer gets no Node, no Electron, only the preload's `window.carddesk`. */
export function webPreferencesFor(options: AppWindowOptions): WebPreferences {
  return {
    preload: options.preloadPath,
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
    safeDialogs: true,
    spellcheck: false,
    devTools: options.development,
  };
}

export function createAppWindow(options: AppWindowOptions): BrowserWindow {
  const kiosk = options.surface === 'kiosk';
  const window = new BrowserWindow({
    title: 'CardDesk',
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#f5f7fa',
    ...(kiosk ? { kiosk: true, fullscreen: true, autoHideMenuBar: true } : {}),
    webPreferences: webPreferencesFor(options),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl(options.surface));
  return window;
}
