/**
 * The browser-mode adapter: a classic script the host injects before the app, giving the page the
 * same `window.carddesk` the Electron preload gives, over the loopback WebSocket. The per-run
 * token arrives once in the URL, moves to sessionStorage and is removed from the address bar.
 */
import { buildApi, type ApiNames } from '../shared/api';
import type { ChannelName, EventName } from '../shared/contract';
import { failure, type Envelope } from '../shared/errors';
import { TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type ServerMessage } from './wire';

const TOKEN_KEY = 'carddesk.sessionToken';

/**
 * The contract's channel and event names, put here by scripts/build.mjs when it bundles this
 * script: importing the contract itself would bring its schemas (zod) into a script the page waits for.
 */
declare const CONTRACT_NAMES: ApiNames;

function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
  }
  return window.sessionStorage.getItem(TOKEN_KEY);
}

const unreachable = (): Envelope<never> =>
  failure('HOST_UNREACHABLE', 'CardDesk is not reachable. Is the browser-mode host still running?');

class HostConnection {
  readonly #token: string | null;
  readonly #pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  #opened: Promise<WebSocket | null> | null = null;
  #nextId = 1;

  constructor(token: string | null) {
    this.#token = token;
  }

  /** Opens the socket now, while the page's script is still loading, so the first call finds it open. */
  warmUp(): void {
    void this.#connect();
  }

  /** Opens the socket on first use and again after it was lost. */
  #connect(): Promise<WebSocket | null> {
    if (this.#opened !== null) return this.#opened;
    if (this.#token === null) return Promise.resolve(null);
    const url = `ws://${window.location.host}${WS_PATH}`;
    this.#opened = new Promise((resolve) => {
      const socket = new WebSocket(url, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${this.#token}`]);
      socket.addEventListener('open', () => resolve(socket));
      socket.addEventListener('message', (event) => this.#receive(event.data));
      socket.addEventListener('close', () => {
        this.#opened = null;
        for (const settle of this.#pending.values()) settle(unreachable());
        this.#pending.clear();
        resolve(null);
        // Events keep flowing only over a live socket; come back after a pause.
        if (this.#listeners.size > 0) window.setTimeout(() => void this.#connect(), 2000);
      });
    });
    return this.#opened;
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      this.#pending.get(message.id)?.(message.envelope);
      this.#pending.delete(message.id);
    } else if (message.type === 'event') {
      for (const listener of this.#listeners.get(message.name) ?? []) listener(message.payload);
    }
  }

  async invoke(channel: ChannelName, args: unknown): Promise<Envelope<unknown>> {
    const socket = await this.#connect();
    if (socket === null) return unreachable();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      socket.send(JSON.stringify({ id, channel, args }));
    });
  }

  subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    void this.#connect();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(event);
    };
  }
}

const connection = new HostConnection(takeToken());
connection.warmUp();
Object.defineProperty(window, 'carddesk', {
  value: buildApi({
    invoke: (channel, args) => connection.invoke(channel, args),
    subscribe: (event, listener) => connection.subscribe(event, listener),
  }, CONTRACT_NAMES),
  writable: false,
  configurable: false,
  enumerable: true,
});
