import { describe, expect, it, vi } from 'vitest';
import { buildApi, eventListenerName, type ApiTransport } from './api';
import { channelNames, eventNames } from './contract';

const names = { channels: channelNames, events: eventNames };

function transport(): ApiTransport & { invoke: ReturnType<typeof vi.fn>; subscribe: ReturnType<typeof vi.fn> } {
  return {
    invoke: vi.fn(() => Promise.resolve({ ok: true as const, value: 'v' })),
    subscribe: vi.fn(() => () => {}),
  };
}

describe('buildApi', () => {
  it('has one named function per channel and per event, and nothing generic', () => {
    const api = buildApi(transport(), names) as unknown as Record<string, Record<string, unknown>>;
    for (const channel of channelNames) {
      const [feature, verb] = channel.split(':') as [string, string];
      expect(typeof api[feature]?.[verb]).toBe('function');
    }
    for (const event of eventNames) {
      const feature = event.split(':')[0] as string;
      expect(typeof api[feature]?.[eventListenerName(event)]).toBe('function');
    }
    const members = Object.values(api).flatMap((feature) => Object.keys(feature));
    expect(members).toHaveLength(channelNames.length + eventNames.length);
    expect(members).not.toContain('send');
    expect(members).not.toContain('invoke');
  });

  it('sends each call on its own channel', async () => {
    const t = transport();
    const api = buildApi(t, names);
    await api.readers.list();
    await api.app.info();
    expect(t.invoke.mock.calls).toEqual([
      ['readers:list', undefined],
      ['app:info', undefined],
    ]);
  });

  it('subscribes each on<Event> to its own event and hands back the payload only', () => {
    const t = transport();
    const api = buildApi(t, names);
    const listener = vi.fn();
    api.readers.onCardInserted(listener);
    expect(t.subscribe).toHaveBeenCalledWith('readers:cardInserted', expect.any(Function));
    const forward = t.subscribe.mock.calls[0]?.[1] as (payload: unknown) => void;
    forward({ name: 'R' });
    expect(listener).toHaveBeenCalledWith({ name: 'R' });
  });

  it('refuses a listener that is not a function', () => {
    const api = buildApi(transport(), names);
    expect(() => api.readers.onCardInserted('x' as never)).toThrow(TypeError);
  });

  it('cannot be changed by the page', () => {
    const api = buildApi(transport(), names) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api['readers'])).toBe(true);
  });

  it('names channels feature:verb and events feature:event', () => {
    for (const name of [...channelNames, ...eventNames]) expect(name).toMatch(/^[a-z]+:[a-z][A-Za-z]+$/);
  });
});
