/**
 * The browser bridge as built: a small classic script (the page waits for it before the app loads)
 * that still gives the page one function per contract channel and one listener per event.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { eventListenerName } from '../../electron/shared/api';
import { channelNames, eventNames } from '../../electron/shared/contract';

const BRIDGE = join(process.cwd(), 'dist', 'bridge', 'carddesk-bridge.js');

/** Runs the bundle against a bare window and returns what it put on `window.carddesk`. */
function loadBridge(): Record<string, Record<string, unknown>> {
  const storage = new Map<string, string>();
  const window: Record<string, unknown> = {
    location: { href: 'http://127.0.0.1:4173/?token=t', host: '127.0.0.1:4173' },
    history: { state: null, replaceState: () => undefined },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
    setTimeout,
  };
  runInNewContext(readFileSync(BRIDGE, 'utf8'), { window, URL, Object, JSON, Map, Set, Promise });
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
  });
});
