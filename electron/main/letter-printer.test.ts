import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from '../../test/support/electron-mock';
import { electronLetterPrinter } from './letter-printer';

vi.mock('electron', () => import('../../test/support/electron-mock'));

describe('the Electron letter printer', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances.length = 0;
  });

  it('prints the letter from a window that is never shown, silently, and destroys the window', async () => {
    await electronLetterPrinter().print('/home/desk/outbox/2026-12-05-31415926-ab12cd34-pin.pdf', 'Mailroom');
    const window = FakeBrowserWindow.instances[0]!;
    expect(window.options).toMatchObject({ show: false });
    expect(window.options['webPreferences']).toMatchObject({ partition: 'carddesk-letters', sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false });
    expect(window.options['webPreferences']).not.toHaveProperty('preload');
    expect(window.show).not.toHaveBeenCalled();
    expect(window.loadedUrl).toBe('file:///home/desk/outbox/2026-12-05-31415926-ab12cd34-pin.pdf');
    expect(window.webContents.print).toHaveBeenCalledWith(expect.objectContaining({ silent: true, deviceName: 'Mailroom', pageSize: 'A4' }), expect.any(Function));
    expect(window.destroy).toHaveBeenCalledOnce();
    // Its session reaches no network and grants nothing.
    expect(window.webContents.session.beforeRequestUrls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*']));
    const cancelled = await new Promise<boolean>((resolve) => window.webContents.session.beforeRequest?.({ url: 'https://example.org/' }, (r) => resolve(r.cancel)));
    expect(cancelled).toBe(true);
    const granted = await new Promise<boolean>((resolve) => window.webContents.session.permissionRequestHandler?.(null, 'media', resolve));
    expect(granted).toBe(false);
  });

  it('uses the default printer when none is chosen, and reports a failed job (the window still goes)', async () => {
    const printer = electronLetterPrinter();
    await printer.print('/tmp/a.pdf', null);
    expect(FakeBrowserWindow.instances[0]!.webContents.print.mock.calls[0]![0]).not.toHaveProperty('deviceName');

    FakeBrowserWindow.instances.length = 0;
    const load = vi.spyOn(FakeBrowserWindow.prototype, 'loadURL').mockImplementation(function (this: FakeBrowserWindow, url: string) {
      this.loadedUrl = url;
      this.webContents.print.mockImplementation((_options, callback) => callback(false, 'Printer is out of paper'));
      return Promise.resolve();
    });
    await expect(printer.print('/tmp/b.pdf', 'Mailroom')).rejects.toThrow('Printer is out of paper');
    load.mockRestore();
    expect(FakeBrowserWindow.instances[0]!.destroy).toHaveBeenCalledOnce();
  });

  it('lists the printers the system offers', async () => {
    new FakeBrowserWindow({});
    expect(await electronLetterPrinter().printers()).toEqual(['Mailroom']);
  });
});
