import { describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import { FakeFrame, FakeWebContents, ipcMain } from '../../test/support/electron-mock';
import { malformedArgsFor } from '../../test/support/malformed-args';
import { stubHandlers } from '../../test/support/stub-handlers';
import { EventHub } from '../core/api/event-hub';
import type { ContractHandlers } from '../core/api/handlers';
import { silentLogger } from '../core/log/logger';
import { localConnection } from '../core/process/local-connection';
import { channelNames, channels } from '../shared/contract';
import { forwardEvents, registerContract, WindowRegistry } from './ipc';

vi.mock('electron', () => import('../../test/support/electron-mock'));

const handlers: ContractHandlers = stubHandlers({
  'app:info': (_args, context) => ({
    name: 'CardDesk',
    version: '0.0.0',
    dataDir: '/data',
    mode: 'electron',
    surface: context.surface,
    platform: 'linux',
  }),
  'readers:list': () => ({ service: { status: 'running', detail: null, retryAt: null }, readers: [] }),
});

const registry = new WindowRegistry();
registerContract(localConnection(handlers, new EventHub(), silentLogger), registry, silentLogger);
const desk = new FakeWebContents();
registry.register(desk as unknown as WebContents, 'desk');
const kiosk = new FakeWebContents('carddesk://app/index.html#/kiosk');
registry.register(kiosk as unknown as WebContents, 'kiosk');

describe('IPC registration', () => {
  it('registers a handler for every channel of the contract, and only those', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort());
  });

  it('answers the app’s own top frame', async () => {
    await expect(ipcMain.invoke('app:info', desk, undefined)).resolves.toMatchObject({ ok: true, value: { surface: 'desk' } });
  });

  it('tells each window which surface it is, from the registry, not from the page', async () => {
    await expect(ipcMain.invoke('app:info', kiosk, undefined)).resolves.toMatchObject({ ok: true, value: { surface: 'kiosk' } });
  });

  it.each(channelNames)('refuses %s from a subframe, a foreign page, an unknown window or a gone frame', async (channel) => {
    const forbidden = { ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } };
    const iframe = new FakeFrame('carddesk://app/index.html', desk.mainFrame);
    await expect(ipcMain.invoke(channel, desk, undefined, iframe)).resolves.toEqual(forbidden);

    const navigatedAway = new FakeWebContents('https://example.org/');
    registry.register(navigatedAway as unknown as WebContents, 'desk');
    await expect(ipcMain.invoke(channel, navigatedAway, undefined)).resolves.toEqual(forbidden);

    const stranger = new FakeWebContents();
    await expect(ipcMain.invoke(channel, stranger, undefined)).resolves.toEqual(forbidden);

    await expect(ipcMain.invoke(channel, desk, undefined, null)).resolves.toEqual(forbidden);
    // A frame that is not the sender's main frame, even if it claims the app URL.
    await expect(ipcMain.invoke(channel, desk, undefined, new FakeFrame('carddesk://app/index.html'))).resolves.toEqual(forbidden);
  });

  it.each(channelNames)('refuses malformed arguments on %s with a clear error', async (channel) => {
    const malformed = malformedArgsFor(channel);
    expect(malformed.length).toBeGreaterThanOrEqual(10);
    // From a window of a surface the channel is offered on (kiosk channels answer kiosk windows only).
    const sender = channels[channel].surfaces.includes('desk') ? desk : kiosk;
    for (const args of malformed) {
      const result = await ipcMain.invoke(channel, sender, args);
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS', message: expect.stringContaining(channel) } });
    }
  });

  it('forgets a window once it is destroyed', async () => {
    const closing = new FakeWebContents();
    registry.register(closing as unknown as WebContents, 'desk');
    await expect(ipcMain.invoke('app:info', closing, undefined)).resolves.toMatchObject({ ok: true });
    closing.destroy();
    await expect(ipcMain.invoke('app:info', closing, undefined)).resolves.toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
  });
});

describe('forwardEvents', () => {
  it('pushes each event on its own channel to every live window', () => {
    const hub = new EventHub();
    const local = new WindowRegistry();
    const a = new FakeWebContents();
    const b = new FakeWebContents();
    local.register(a as unknown as WebContents, 'desk');
    local.register(b as unknown as WebContents, 'kiosk');
    forwardEvents(hub, local);
    b.destroyed = true;
    hub.emit('readers:readerRemoved', { name: 'R' });
    expect(a.sent).toEqual([{ channel: 'readers:readerRemoved', payload: { name: 'R' } }]);
    expect(b.sent).toEqual([]);
  });
});
