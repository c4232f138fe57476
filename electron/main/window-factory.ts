import { BrowserWindow } from 'electron';
import type { Surface } from '../shared/schemas/app';
import { appUrl } from './app-url';

export interface AppWindowOptions {
  readonly surface: Surface;
  readonly preloadPath: string;
  /** Development builds may open devtools; packaged builds never can (nor can a kiosk window). */
  readonly development: boolean;
  /** Where the window goes (the kiosk: the holder's display). */
  readonly bounds?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/**
 * Every CardDesk window. The renderer gets no Node and no Electron, only the preload's
 * `window.carddesk`; the preferences are written out here in full (not spread from elsewhere)
 * so a reader and a static scanner see exactly what each window runs with.
 */
export function createAppWindow(options: AppWindowOptions): BrowserWindow {
  const kiosk = options.surface === 'kiosk';
  const window = new BrowserWindow({
    title: 'CardDesk',
    width: 1280,
    height: 820,
    ...(options.bounds === undefined ? {} : { x: options.bounds.x, y: options.bounds.y }),
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#f5f7fa',
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: kiosk,
    webPreferences: {
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
      // Middle-click must not open links in new windows either.
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      spellcheck: false,
      devTools: options.development && !kiosk,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl(options.surface));
  return window;
}
