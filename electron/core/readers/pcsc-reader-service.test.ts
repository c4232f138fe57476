import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakePcsc } from '../../../test/support/fake-pcsc';
import type { EventName } from '../../shared/contract';
import { silentLogger } from '../log/logger';
import { PcscReaderService } from './pcsc-reader-service';
import { ScardState } from './reader-state';

const ATR = Buffer.from('3B8C80018043', 'hex');
const present = { state: ScardState.PRESENT | ScardState.CHANGED, atr: ATR };
const empty = { state: ScardState.EMPTY | ScardState.CHANGED, atr: Buffer.alloc(0) };

describe('PcscReaderService', () => {
  let pcsc: FakePcsc;
  let events: { name: EventName; payload: unknown }[];
  let service: PcscReaderService;

  beforeEach(async () => {
    vi.useFakeTimers();
    pcsc = new FakePcsc();
    events = [];
    service = new PcscReaderService({
      loadOpener: () => Promise.resolve(pcsc.opener),
      emit: (name, payload) => events.push({ name, payload }),
      log: silentLogger,
      reconnect: { initialMs: 100, maxMs: 400 },
    });
    await service.start();
  });

  afterEach(() => {
    service.dispose();
    vi.useRealTimers();
  });

  const names = (): EventName[] => events.map((event) => event.name);

  it('reports readers and the cards in them, with the ATR in hex', () => {
    pcsc.current.list(['Reader A', 'Reader B']);
    pcsc.current.readers.get('Reader A')?.status(present);
    pcsc.current.readers.get('Reader B')?.status(empty);

    expect(service.list()).toEqual({
      service: { status: 'running', detail: null, retryAt: null },
      readers: [
        { name: 'Reader A', kind: 'pcsc', cardState: 'present', atr: '3B8C80018043', inUse: false },
        { name: 'Reader B', kind: 'pcsc', cardState: 'absent', atr: null, inUse: false },
      ],
    });
    expect(names()).toEqual(['readers:readerAdded', 'readers:readerAdded', 'readers:serviceChanged', 'readers:cardInserted']);
  });

  it('emits insertion and removal exactly once per change', () => {
    pcsc.current.list(['Reader A']);
    const reader = pcsc.current.readers.get('Reader A');
    reader?.status(empty);
    reader?.status(present);
    reader?.status(present);
    reader?.status(empty);
    const cardEvents = events.filter((event) => event.name.startsWith('readers:card'));
    expect(cardEvents).toEqual([
      { name: 'readers:cardInserted', payload: { name: 'Reader A', kind: 'pcsc', cardState: 'present', atr: '3B8C80018043', inUse: false } },
      { name: 'readers:cardRemoved', payload: { name: 'Reader A', kind: 'pcsc', cardState: 'absent', atr: null, inUse: false } },
    ]);
  });

  it('treats a new ATR as a card swap: removal, then insertion', () => {
    pcsc.current.list(['Reader A']);
    const reader = pcsc.current.readers.get('Reader A');
    reader?.status(present);
    reader?.status({ state: ScardState.PRESENT, atr: Buffer.from('3B00', 'hex') });
    expect(names().slice(-2)).toEqual(['readers:cardRemoved', 'readers:cardInserted']);
    expect(service.list().readers[0]?.atr).toBe('3B00');
  });

  it('reports a mute card and a card taken by another program as changes, not insertions', () => {
    pcsc.current.list(['Reader A']);
    const reader = pcsc.current.readers.get('Reader A');
    reader?.status(present);
    reader?.status({ state: ScardState.PRESENT | ScardState.INUSE, atr: ATR });
    reader?.status({ state: ScardState.PRESENT | ScardState.MUTE, atr: ATR });
    expect(names().slice(-2)).toEqual(['readers:readerChanged', 'readers:readerChanged']);
    expect(service.list().readers[0]).toMatchObject({ cardState: 'mute', inUse: false });
  });

  it('removes a reader that disappears and adds one that appears', () => {
    pcsc.current.list(['Reader A', 'Reader B']);
    pcsc.current.list(['Reader B', 'Reader C']);
    expect(service.list().readers.map((reader) => reader.name)).toEqual(['Reader B', 'Reader C']);
    expect(events).toContainEqual({ name: 'readers:readerRemoved', payload: { name: 'Reader A' } });
  });

  it('says plainly when the PC/SC service is down and keeps retrying with a bounded back-off', async () => {
    service.dispose();
    pcsc = new FakePcsc();
    pcsc.serviceUp = false;
    events = [];
    service = new PcscReaderService({
      loadOpener: () => Promise.resolve(pcsc.opener),
      emit: (name, payload) => events.push({ name, payload }),
      log: silentLogger,
      reconnect: { initialMs: 100, maxMs: 400 },
    });
    await service.start();
    expect(service.list().service).toMatchObject({ status: 'unavailable', detail: expect.stringContaining('Service not available') });
    expect(pcsc.opens).toBe(1);

    // 100, 200, 400, 400, 400 ms: doubling, then capped.
    for (const [advance, opensAfter] of [[99, 1], [1, 2], [200, 3], [400, 4], [400, 5], [399, 5], [1, 6]] as const) {
      await vi.advanceTimersByTimeAsync(advance);
      expect(pcsc.opens).toBe(opensAfter);
    }

    pcsc.serviceUp = true;
    await vi.advanceTimersByTimeAsync(400);
    pcsc.current.list(['Reader A']);
    expect(service.list().service.status).toBe('running');
    expect(service.list().readers).toHaveLength(1);
  });

  it('survives the service going away: drops the readers, reconnects, and finds them again', async () => {
    pcsc.current.list(['Reader A']);
    pcsc.current.readers.get('Reader A')?.status(present);
    const first = pcsc.current;
    const firstReader = first.readers.get('Reader A');

    first.fail('SCardGetStatusChange error: Service not available.(0x8010001d)');
    expect(service.list()).toMatchObject({ service: { status: 'unavailable' }, readers: [] });
    expect(events).toContainEqual({ name: 'readers:readerRemoved', payload: { name: 'Reader A' } });
    expect(first.closed).toBe(true);
    expect(firstReader?.closed).toBe(true);
    // pcsclite emits its own cancellation after close(); nobody may crash on it.
    expect(() => first.fail('SCardGetStatusChange error: Command cancelled.')).not.toThrow();

    await vi.advanceTimersByTimeAsync(100);
    expect(pcsc.contexts).toHaveLength(2);
    pcsc.current.list(['Reader A']);
    pcsc.current.readers.get('Reader A')?.status(present);
    expect(service.list()).toMatchObject({ service: { status: 'running' }, readers: [{ name: 'Reader A', kind: 'pcsc', cardState: 'present' }] });
  });

  it('ignores late events from a context it already closed', async () => {
    pcsc.current.list(['Reader A']);
    const old = pcsc.current;
    const oldReader = old.readers.get('Reader A');
    old.fail('gone');
    await vi.advanceTimersByTimeAsync(100);
    const before = events.length;
    oldReader?.status(present);
    old.emit('reader', oldReader);
    expect(events.length).toBe(before);
    expect(service.list().readers).toEqual([]);
  });

  it('settles once every listed reader has reported, for one-shot callers', async () => {
    let settled = false;
    void service.whenSettled(10_000).then(() => (settled = true));
    pcsc.current.list(['Reader A']);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    pcsc.current.readers.get('Reader A')?.status(empty);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
  });

  it('stops for good on dispose: handles closed, no retries, no events', async () => {
    pcsc.current.list(['Reader A']);
    const reader = pcsc.current.readers.get('Reader A');
    const before = events.length;
    service.dispose();
    expect(pcsc.current.closed).toBe(true);
    expect(reader?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pcsc.contexts).toHaveLength(1);
    expect(events.length).toBe(before);
  });

  it('stays unavailable, without retrying, when the PC/SC library cannot be loaded', async () => {
    const broken = new PcscReaderService({
      loadOpener: () => Promise.reject(new Error('pcsclite.node: wrong ELF class')),
      emit: () => {},
      log: silentLogger,
    });
    await broken.start();
    expect(broken.list().service).toEqual({ status: 'unavailable', detail: 'pcsclite.node: wrong ELF class', retryAt: null });
    broken.dispose();
  });
});
