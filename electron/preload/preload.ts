/**
 * The preload: the only renderer-side file that touches ipcRenderer. It exposes
 * `window.carddesk.<feature>.<verb>()` and `on<Event>()` built from the contract; the page
 * never gets ipcRenderer, a generic send, or the IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from '../shared/api';
import { channelNames, eventNames } from '../shared/contract';
import type { Envelope } from '../shared/errors';

const api = buildApi({
  invoke: (channel, args) => ipcRenderer.invoke(channel, args) as Promise<Envelope<unknown>>,
  subscribe: (event, listener) => {
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
}, { channels: channelNames, events: eventNames });

contextBridge.exposeInMainWorld('carddesk', api);
