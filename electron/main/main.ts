import { join } from 'node:path';
import { app, Menu, protocol, session, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { prepareDataDir } from '../core/files/safe-file';
import { createFileLogger, type Logger } from '../core/log/logger';
import { logDirOf, resolveDataDir } from '../core/paths';
import { CoreClient, type CoreConnection } from '../core/process/core-client';
import type { CoreProcessOptions } from '../core/process/protocol';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { utilityCoreProcess } from './core-process';
import { forwardEvents, registerContract, WindowRegistry } from './ipc';
import { installSecurityPolicy } from './security';
import { openKioskWindow } from './kiosk-window';
import { createAppWindow } from './window-factory';

export interface MainOptions {
  readonly argv: readonly string[];
  /** The folder holding main.cjs, preload.cjs and renderer/. */
  readonly distDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Starts the services; by default in a utility process from dist/core.cjs (tests run them here). */
  readonly startCore?: (options: CoreProcessOptions, log: Logger) => CoreConnection;
}

/** With --kiosk the desk also opens its holder-facing kiosk window. */
export function kioskFromArgs(argv: readonly string[]): boolean {
  return argv.includes('--kiosk');
}

function applicationMenu(development: boolean): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    ...(development ? [{ role: 'viewMenu' } as const] : []),
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

/**
 * The Electron composition root. One instance per data folder (a second start on the same folder
 * focuses the first window instead; one on a folder held by browser mode or a command is told so
 * on its page). This process owns the windows and forwards their calls; the services
 * run in the core process, so no card, vault or log work ever holds up a window.
 */
export function runMain(options: MainOptions): void {
  const withKiosk = kioskFromArgs(options.argv);
  const development = !app.isPackaged;
  registerAppScheme(protocol);

  const dataDir = resolveDataDir(options.env);
  // Private (0700/0600) before the first file is written, whoever made the folder.
  prepareDataDir(dataDir);
  // Electron keys its single-instance lock on the userData folder: inside the data folder, one
  // CardDesk window per data folder (a second start focuses it), while another data folder may run.
  app.setPath('userData', join(dataDir, 'electron'));
  app.setPath('sessionData', join(dataDir, 'session'));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const log: Logger = createFileLogger(logDirOf(dataDir), { echo: ['error'] });
  const registry = new WindowRegistry();
  let core: CoreConnection | null = null;
  let coreStopped = false;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow === null || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => app.quit());
  // The services finish what they write (vault, audit log) and release their locks before CardDesk ends.
  app.on('will-quit', (event) => {
    if (core === null || coreStopped) return;
    event.preventDefault();
    void core.stop().finally(() => {
      coreStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    installSecurityPolicy(app, session.defaultSession, development);
    // The desk's menu; the kiosk window has none at all (no reload, no zoom, no way out).
    Menu.setApplicationMenu(applicationMenu(development));
    serveRenderer(protocol, join(options.distDir, 'renderer'));

    const startCore = options.startCore ?? ((coreOptions, coreLog) => new CoreClient(utilityCoreProcess(join(options.distDir, 'core-boot.cjs'), coreOptions), coreLog));
    core = startCore({ mode: 'electron', dataDir }, log);
    registerContract(core, registry, log);
    forwardEvents(core.events, registry);

    const preloadPath = join(options.distDir, 'preload.cjs');
    mainWindow = createAppWindow({ surface: 'desk', development, preloadPath });
    registry.register(mainWindow.webContents, 'desk');
    // The kiosk is the desk's holder-facing window, in this process: what needs a key is done by the desk's services.
    if (withKiosk) {
      const closeKiosk = openKioskWindow({ preloadPath, development, registry, log });
      app.on('before-quit', closeKiosk);
    }
    log.info('CardDesk started', { kiosk: withKiosk, dataDir });
  });
}
