import { beforeAll, describe, expect, it, vi } from 'vitest';
import { contextBridge, ipcRenderer } from '../../test/support/electron-mock';
import type { CardDeskApi } from '../shared/api';

vi.mock('electron', () => import('../../test/support/electron-mock'));

let api: CardDeskApi;

beforeAll(async () => {
  await import('./preload');
  api = contextBridge.exposeInMainWorld.mock.calls[0]?.[1] as CardDeskApi;
});

describe('preload', () => {
  it('exposes one object, window.carddesk, and nothing else', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    expect(contextBridge.exposeInMainWorld.mock.calls[0]?.[0]).toBe('carddesk');
  });

  it('never hands the page ipcRenderer or a generic send', () => {
    const members = Object.values(api as unknown as Record<string, Record<string, unknown>>).flatMap((feature) => Object.values(feature));
    expect(members).not.toContain(ipcRenderer);
    expect(members.every((member) => typeof member === 'function')).toBe(true);
    expect(Object.keys(api)).not.toContain('send');
  });

  it('invokes the named channel', async () => {
    await api.readers.list();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('readers:list', undefined);
  });

  it('passes the payload to listeners, never the IPC event, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.readers.onCardInserted(listener);
    const event = { sender: ipcRenderer, senderFrame: {} };
    ipcRenderer.emit('readers:cardInserted', event, { name: 'R', kind: 'pcsc', cardState: 'present', atr: '3B00', inUse: false });
    expect(listener).toHaveBeenCalledWith({ name: 'R', kind: 'pcsc', cardState: 'present', atr: '3B00', inUse: false });
    expect(listener.mock.calls[0]).toHaveLength(1);
    unsubscribe();
    ipcRenderer.emit('readers:cardInserted', event, {});
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.listenerCount('readers:cardInserted')).toBe(0);
  });
});
