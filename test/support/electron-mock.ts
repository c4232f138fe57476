/**
 * A stand-in for the `electron` module, for unit tests of the Electron layer on machines where
 * the Electron binary cannot be downloaded. It records what the app asks of Electron (window
 * options, handlers, permissions) so tests can check each item of the security checklist; the
 * Playwright `_electron` smoke test runs the real thing where a binary exists.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => void;

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: FakeFrame;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  closeDevTools = vi.fn();
  readonly session: FakeSession = new FakeSession();

  constructor(url = 'carddesk://app/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }

  /** Fires a cancellable Electron event and tells whether a handler prevented it. */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  focus = vi.fn();
  restore = vi.fn();
  show = vi.fn();
  removeMenu = vi.fn();
  destroyed = false;
  destroy = vi.fn(() => {
    this.destroyed = true;
  });
  minimized = false;

  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances;
  }

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMinimized(): boolean {
    return this.minimized;
  }
}

class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();

  handle(channel: string, handler: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  /** Calls a registered handler as Electron would for an invoke from `sender`. */
  invoke(channel: string, sender: FakeWebContents, args: unknown, frame: FakeFrame | null = sender.mainFrame): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return Promise.resolve(handler({ sender, senderFrame: frame }, args));
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  singleInstance = true;
  readonly paths = new Map<string, string>();
  /** The userData folder when the lock was asked for: Electron keys the lock on it. */
  lockedUserData: string | undefined;
  requestSingleInstanceLock = vi.fn(() => {
    this.lockedUserData = this.paths.get('userData');
    return this.singleInstance;
  });
  quit = vi.fn();
  #ready: Promise<void> = Promise.resolve();

  whenReady(): Promise<void> {
    return this.#ready;
  }

  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
}

class FakeSession {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | null = null;

  setPermissionRequestHandler(handler: Listener): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: (...args: unknown[]) => boolean): void {
    this.devicePermissionHandler = handler;
  }

  /** The URL patterns a filtered onBeforeRequest applies to (null: every request). */
  beforeRequestUrls: readonly string[] | null = null;

  readonly webRequest = {
    onBeforeRequest: (
      filterOrHandler: { urls: string[] } | ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void),
      handler?: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void,
    ) => {
      if (typeof filterOrHandler === 'function') this.beforeRequest = filterOrHandler;
      else {
        this.beforeRequestUrls = filterOrHandler.urls;
        this.beforeRequest = handler ?? null;
      }
    },
  };
}

class FakeProtocol {
  readonly privileged: unknown[] = [];
  readonly handlers = new Map<string, (request: Request) => Promise<Response>>();

  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  }

  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
}

class FakeIpcRenderer extends EventEmitter {
  invoke = vi.fn((_channel: string, _args: unknown) => Promise.resolve({ ok: true, value: null }));
}

export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const ipcRenderer = new FakeIpcRenderer();
export const protocol = new FakeProtocol();
export const session = { defaultSession: new FakeSession() };
export const BrowserWindow = FakeBrowserWindow;
export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
};
export const contextBridge = { exposeInMainWorld: vi.fn() };
/** Two displays: the operator's (primary) and the holder's. */
export const screen = {
  displays: [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
    { id: 2, bounds: { x: 1920, y: 0, width: 1080, height: 1920 } },
  ],
  getPrimaryDisplay(): { id: number; bounds: { x: number; y: number; width: number; height: number } } {
    return this.displays[0]!;
  },
  getAllDisplays(): { id: number; bounds: { x: number; y: number; width: number; height: number } }[] {
    return this.displays;
  },
};
export const shell = { openExternal: vi.fn() };
