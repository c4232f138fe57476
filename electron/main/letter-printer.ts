/**
 * Prints PIN letters without ever showing them: each letter is loaded into a hidden window that is
 * never shown (its own in-memory session, no network, no permissions, no preload), printed with
 * Electron's silent printing (no dialog, no preview) and the window destroyed. Electron ≥ 32
 * prints a loaded PDF document itself (electron/electron#43309). Browser mode has no such window:
 * there the core refuses the printer route.
 */
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import type { LetterPrinter } from '../core/letters/letter-service';

/** How long a print job may take to be spooled before it counts as failed. */
const PRINT_TIMEOUT_MS = 60_000;

/** An in-memory session (no "persist:" prefix): nothing of a letter stays on disk after the window closes. */
const PARTITION = 'carddesk-letters';

export function electronLetterPrinter(): LetterPrinter {
  return {
    printers: async () => {
      const window = BrowserWindow.getAllWindows().find((w) => !w.isDestroyed());
      if (window === undefined) return [];
      return (await window.webContents.getPrintersAsync()).map((printer) => printer.name);
    },
    print: async (path, printer) => {
      const window = new BrowserWindow({
        show: false,
        width: 794,
        height: 1123,
        webPreferences: {
          partition: PARTITION,
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          webviewTag: false,
          navigateOnDragDrop: false,
          disableBlinkFeatures: 'Auxclick',
          safeDialogs: true,
          // The PDF viewer that lays the letter out for printing is a plugin.
          plugins: true,
          // A hidden window must still paint, or it prints blank pages.
          backgroundThrottling: false,
          devTools: false,
          spellcheck: false,
        },
      });
      const { session } = window.webContents;
      session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
      session.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] }, (_details, callback) => callback({ cancel: true }));
      window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
      let timer: NodeJS.Timeout | undefined;
      try {
        await window.loadURL(pathToFileURL(path).href);
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(new Error('the printer did not take the letter in time')), PRINT_TIMEOUT_MS);
          window.webContents.print(
            { silent: true, printBackground: false, pageSize: 'A4', margins: { marginType: 'none' }, ...(printer === null ? {} : { deviceName: printer }) },
            (success, failureReason) => (success ? resolve() : reject(new Error(failureReason))),
          );
        });
      } finally {
        clearTimeout(timer);
        window.destroy();
      }
    },
  };
}
