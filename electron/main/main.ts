import { join } from 'node:path';
import { app, Menu, protocol, session, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { Surface } from '../shared/schemas/app';
import { createCore, type Core } from '../core/app-core';
import { createFileLogger, type Logger } from '../core/log/logger';
import { logDirOf, resolveDataDir } from '../core/paths';
import { bundledPkcs11Worker } from '../core/pkcs11/worker-spawner';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { forwardEvents, registerContract, WindowRegistry } from './ipc';
import { electronLetterPrinter } from './letter-printer';
import { installSecurityPolicy } from './security';
import { createAppWindow } from './window-factory';

export interface MainOptions {
  readonly argv: readonly string[];
  /** The folder holding main.cjs, preload.cjs and renderer/. */
  readonly distDir: string;
  readonly env: NodeJS.ProcessEnv;
}

export function surfaceFromArgs(argv: readonly string[]): Surface {
  return argv.includes('--kiosk') ? 'kiosk' : 'desk';
}

function applicationMenu(surface: Surface, development: boolean): Menu | null {
  // A kiosk has no menu at all: no reload, no zoom, no way out.
  if (surface === 'kiosk') return null;
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    ...(development ? [{ role: 'viewMenu' } as const] : []),
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

/**
 * The Electron composition root. One instance per user session (a second start focuses the
 * first window instead); the services are the Electron-free core, reached only over IPC.
 */
export function runMain(options: MainOptions): void {
  const surface = surfaceFromArgs(options.argv);
  const development = !app.isPackaged;
  registerAppScheme(protocol);

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const dataDir = resolveDataDir(options.env);
  app.setPath('sessionData', join(dataDir, 'session'));
  const log: Logger = createFileLogger(logDirOf(dataDir), { echo: ['error'] });
  const registry = new WindowRegistry();
  let core: Core | null = null;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow === null || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => void core?.dispose());

  void app.whenReady().then(() => {
    installSecurityPolicy(app, session.defaultSession, development);
    Menu.setApplicationMenu(applicationMenu(surface, development));
    serveRenderer(protocol, join(options.distDir, 'renderer'));

    core = createCore({ mode: 'electron', dataDir, log, pkcs11Worker: bundledPkcs11Worker(options.distDir), letterPrinter: electronLetterPrinter() });
    registerContract(core.handlers, registry, log);
    forwardEvents(core.events, registry);
    void core.start();

    mainWindow = createAppWindow({ surface, development, preloadPath: join(options.distDir, 'preload.cjs') });
    registry.register(mainWindow.webContents, surface);
    log.info('CardDesk started', { surface, dataDir });
  });
}
