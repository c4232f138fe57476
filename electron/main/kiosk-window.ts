/**
 * The holder-facing kiosk window of a desk (`npm start -- --kiosk`): full screen on the second
 * display when there is one (the holder's screen), no menu, no devtools, none of the browser's own
 * shortcuts (reload, zoom, devtools, close, print), and reopened when its page crashes, so a holder
 * never faces a dead screen or a way out of the kiosk. The desk's window stays on the operator's display.
 */
import { screen, type BrowserWindow, type Input } from 'electron';
import type { Logger } from '../core/log/logger';
import type { WindowRegistry } from './ipc';
import { createAppWindow } from './window-factory';

/** Waits this long before reopening a crashed kiosk page (a page that crashes at once does not spin). */
export const KIOSK_REOPEN_MS = 1_000;

/** Keys a kiosk holder must not use: reload, devtools, zoom, print, save, close, full-screen toggle, find. */
export function isBlockedKioskShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'alt' | 'shift'>): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  if (['f5', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh'].includes(key)) return true;
  if (input.alt && (key === 'f4' || key === 'arrowleft' || key === 'arrowright')) return true;
  const command = input.control || input.meta;
  return command && ['r', 'w', 'q', 'p', 's', 'o', 'n', 't', 'f', 'g', 'i', 'j', 'u', '+', '-', '=', '0'].includes(key);
}

export interface KioskWindowOptions {
  readonly preloadPath: string;
  readonly development: boolean;
  readonly registry: WindowRegistry;
  readonly log: Logger;
}

/** Opens the kiosk window and keeps it open: returns a function that closes it for good. */
export function openKioskWindow(options: KioskWindowOptions): () => void {
  let closing = false;
  let current: BrowserWindow | null = null;
  const open = (): void => {
    const primary = screen.getPrimaryDisplay();
    const display = screen.getAllDisplays().find((candidate) => candidate.id !== primary.id) ?? primary;
    const window = createAppWindow({ surface: 'kiosk', development: false, preloadPath: options.preloadPath, bounds: display.bounds });
    current = window;
    window.removeMenu();
    options.registry.register(window.webContents, 'kiosk');
    window.webContents.on('before-input-event', (event, input) => {
      if (isBlockedKioskShortcut(input)) event.preventDefault();
    });
    window.webContents.on('render-process-gone', (_event, details) => {
      options.log.warn('the kiosk page stopped; reopening it', { reason: details.reason });
      if (!window.isDestroyed()) window.destroy();
      if (!closing) setTimeout(open, KIOSK_REOPEN_MS);
    });
  };
  open();
  return () => {
    closing = true;
    if (current !== null && !current.isDestroyed()) current.destroy();
  };
}
