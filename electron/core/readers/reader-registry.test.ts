import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePcsc } from '../../../test/support/fake-pcsc';
import type { EventName } from '../../shared/contract';
import { silentLogger } from '../log/logger';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient } from '../piv/piv-client';
import { ReaderRegistry } from './reader-registry';
import { EmbeddedVirtualReader, VIRTUAL_READER_NAME } from './virtual-reader';

describe('ReaderRegistry with the embedded virtual reader', () => {
  let pcsc: FakePcsc;
  let events: { name: EventName; payload: unknown }[];
  let registry: ReaderRegistry;

  beforeEach(async () => {
    pcsc = new FakePcsc();
    events = [];
    registry = new ReaderRegistry({
      loadOpener: () => Promise.resolve(pcsc.opener),
      emit: (name, payload) => events.push({ name, payload }),
      log: silentLogger,
      virtualReader: new EmbeddedVirtualReader(mkdtempSync(join(tmpdir(), 'carddesk-registry-'))),
    });
    await registry.start();
  });

  afterEach(() => registry.dispose());

  const names = (): string[] => registry.list().readers.map((reader) => reader.name);

  it('offers the virtual reader, with a card in it, while PC/SC has no reader', () => {
    pcsc.current.list([]);
    expect(registry.list().readers).toEqual([
      { name: VIRTUAL_READER_NAME, kind: 'virtual', cardState: 'present', atr: expect.stringMatching(/^3BFE/), inUse: false },
    ]);
    expect(events).toContainEqual({ name: 'readers:readerAdded', payload: expect.objectContaining({ name: VIRTUAL_READER_NAME }) });
  });

  it('steps aside when a real reader appears, and comes back when it goes', () => {
    pcsc.current.list([]);
    pcsc.current.list(['USB Reader']);
    expect(names()).toEqual(['USB Reader']);
    expect(events).toContainEqual({ name: 'readers:readerRemoved', payload: { name: VIRTUAL_READER_NAME } });
    pcsc.current.list([]);
    expect(names()).toEqual([VIRTUAL_READER_NAME]);
  });

  it('is offered when the PC/SC service is down, too', async () => {
    pcsc.current.fail('Service not available');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(names()).toEqual([VIRTUAL_READER_NAME]);
  });

  it('takes its card out and puts it back in, with events, and a pulled card fails a session', async () => {
    pcsc.current.list([]);
    const connection = await registry.connect(VIRTUAL_READER_NAME);
    const client = new PivClient(new ApduTransport(connection));
    expect(await client.select()).not.toBeNull();
    registry.removeVirtualCard();
    expect(events.at(-1)).toEqual({ name: 'readers:cardRemoved', payload: expect.objectContaining({ name: VIRTUAL_READER_NAME, cardState: 'absent' }) });
    await expect(client.version()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(registry.connect(VIRTUAL_READER_NAME)).rejects.toMatchObject({ code: 'NO_CARD' });
    registry.insertVirtualCard();
    expect(events.at(-1)).toEqual({ name: 'readers:cardInserted', payload: expect.objectContaining({ cardState: 'present' }) });
    const again = new PivClient(new ApduTransport(await registry.connect(VIRTUAL_READER_NAME)));
    expect(await again.select()).not.toBeNull();
  });

  it('keeps the virtual card’s memory in the data folder across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carddesk-virtual-'));
    const first = new PivClient(new ApduTransport(await new EmbeddedVirtualReader(dataDir).connect()));
    await first.select();
    const serial = await first.serial();
    expect(await first.changePin(Buffer.from('123456'), Buffer.from('654321'))).toEqual({ ok: true });
    // A new CardDesk process finds the same card: same serial, the new PIN.
    const second = new PivClient(new ApduTransport(await new EmbeddedVirtualReader(dataDir).connect()));
    await second.select();
    expect(await second.serial()).toBe(serial);
    expect(await second.verifyPin(Buffer.from('654321'))).toEqual({ ok: true });
  });
});
