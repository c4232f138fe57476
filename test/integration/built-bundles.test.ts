/**
 * What the page loads first, as built: the browser bridge, a small classic script (the page waits
 * for it before the app loads) that still gives the page one function per contract channel and one
 * listener per event; and the renderer bundle with React's production build.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { eventListenerName } from '../../electron/shared/api';
import { channelNames, eventNames } from '../../electron/shared/contract';

const BRIDGE = join(process.cwd(), 'dist', 'bridge', 'carddesk-bridge.js');

/** The sockets the bridge opened: [url, protocols]. */
const opened: Array<[string, string[]]> = [];
class RecordingWebSocket {
  constructor(url: string, protocols: string[]) {
    opened.push([url, protocols]);
  }
  addEventListener(): void {}
}

/** Runs the bundle against a bare window and returns what it put on `window.carddesk`. */
function loadBridge(): Record<string, Record<string, unknown>> {
  const storage = new Map<string, string>();
  const window: Record<string, unknown> = {
    location: { href: 'http://127.0.0.1:4173/?token=t', host: '127.0.0.1:4173' },
    history: { state: null, replaceState: () => undefined },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
    setTimeout,
  };
  runInNewContext(readFileSync(BRIDGE, 'utf8'), { window, URL, Object, JSON, Map, Set, Promise, WebSocket: RecordingWebSocket });
  return window.carddesk as Record<string, Record<string, unknown>>;
}

describe('the browser bridge bundle', () => {
  it('is small: the contract’s schemas are not in it', () => {
    const size = statSync(BRIDGE).size;
    console.log(`dist/bridge/carddesk-bridge.js: ${size} bytes (budget 32768)`);
    expect(size).toBeLessThan(32 * 1024);
    expect(readFileSync(BRIDGE, 'utf8')).not.toMatch(/ZodError/);
  });

  it('has exactly the contract’s channels and events', () => {
    const api = loadBridge();
    for (const channel of channelNames) {
      const [feature, verb] = channel.split(':') as [string, string];
      expect(typeof api[feature]?.[verb], channel).toBe('function');
    }
    for (const event of eventNames) {
      expect(typeof api[event.split(':')[0] as string]?.[eventListenerName(event)], event).toBe('function');
    }
    const members = Object.values(api).flatMap((feature) => Object.keys(feature));
    expect(members).toHaveLength(channelNames.length + eventNames.length);
    // The socket opens while the page loads, not on the first call; the token rides as a subprotocol.
    expect(opened.at(-1)).toEqual(['ws://127.0.0.1:4173/api', ['carddesk.v1', 'carddesk.token.t']]);
  });
});

describe('the renderer bundle', () => {
  it('carries React’s production build, whatever NODE_ENV the build was started with', () => {
    const assets = join(process.cwd(), 'dist', 'renderer', 'assets');
    const maps = readdirSync(assets).filter((name) => name.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    const sources = maps.flatMap((name) => (JSON.parse(readFileSync(join(assets, name), 'utf8')) as { sources: string[] }).sources);
    expect(sources.filter((source) => /node_modules\/react(-dom)?\//.test(source)).length).toBeGreaterThan(0);
    expect(sources.filter((source) => source.endsWith('.development.js'))).toEqual([]);
  });
});
