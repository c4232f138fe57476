/** The PC/SC reader service against real pcscd and the vpcd virtual readers. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '../../electron/shared/contract';
import { silentLogger } from '../../electron/core/log/logger';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../../electron/core/readers/pcsc-reader-service';
import type { VpcdLink } from '../../electron/vcard/vpcd-link';
import { Pcscd } from '../support/pcscd';
import { insertTestCard, TEST_CARD_ATR, testCardLink, VIRTUAL_READERS } from '../support/test-card';
import { waitUntil } from '../support/wait';

let pcscd: Pcscd;
let service: PcscReaderService;
const events: { name: EventName; payload: unknown; at: number }[] = [];
const links: VpcdLink[] = [];

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  service = new PcscReaderService({
    loadOpener: loadPcscLite,
    emit: (name, payload) => events.push({ name, payload, at: Date.now() }),
    log: silentLogger,
  });
  await service.start();
  await service.whenSettled(5000);
});

afterEach(async () => {
  for (const link of links.splice(0)) await link.remove();
  await waitUntil(() => service.list().readers.every((reader) => reader.cardState === 'absent'), 3000, 'readers to be empty');
});

afterAll(async () => {
  service.dispose();
  await pcscd.stop();
});

describe('PC/SC reader service on pcscd', () => {
  it('lists the two vpcd readers, empty', () => {
    const list = service.list();
    expect(list.service.status).toBe('running');
    for (const name of VIRTUAL_READERS) {
      expect(list.readers).toContainEqual({ name, kind: 'pcsc', cardState: 'absent', atr: null, inUse: false });
    }
  });

  it('reports a card going in with its ATR, and coming out', async () => {
    const link = testCardLink(0);
    links.push(link);
    const inserted = await insertTestCard(link);
    const event = await waitUntil(
      () => events.find((e) => e.name === 'readers:cardInserted' && e.at >= inserted.insertedAt),
      3000,
      'the insertion event',
    );
    expect(event.payload).toEqual({ name: VIRTUAL_READERS[0], kind: 'pcsc', cardState: 'present', atr: TEST_CARD_ATR, inUse: false });
    const seen = await inserted.seenByReader;
    console.log(`pcscd saw the card ${seen - inserted.insertedAt} ms after insertion; the service reported it ${event.at - seen} ms later`);
    expect(event.at - seen).toBeLessThan(300);

    const removedAt = Date.now();
    await link.remove();
    links.length = 0;
    const removal = await waitUntil(() => events.find((e) => e.name === 'readers:cardRemoved' && e.at >= removedAt), 3000, 'the removal event');
    expect(removal.payload).toEqual({ name: VIRTUAL_READERS[0], kind: 'pcsc', cardState: 'absent', atr: null, inUse: false });
  });

  it('keeps the two readers apart', async () => {
    const link = testCardLink(1);
    links.push(link);
    await insertTestCard(link);
    await waitUntil(() => service.list().readers.find((r) => r.name === VIRTUAL_READERS[1])?.cardState === 'present', 3000, 'reader 1');
    expect(service.list().readers.find((r) => r.name === VIRTUAL_READERS[0])?.cardState).toBe('absent');
  });
});
