/**
 * The card pulled out of a real reader (pcscd + vpcd) in the middle of each card operation:
 * CardDesk answers "card removed", does not crash, reports nothing as done, and the card is
 * usable again when it goes back in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { CardService } from '../../electron/core/cards/card-service';
import { EventHub } from '../../electron/core/api/event-hub';
import { silentLogger } from '../../electron/core/log/logger';
import type { OperationContext } from '../../electron/core/operation-context';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../../electron/core/readers/pcsc-reader-service';
import { FACTORY } from '../../electron/smartcard/piv';
import { CardInReader } from '../support/card-in-reader';
import { Pcscd } from '../support/pcscd';
import { waitUntil } from '../support/wait';

const operator: OperationContext = { actor: { kind: 'operator', id: 'tester' }, channel: 'desk' };
const text = (value: string): Buffer => Buffer.from(value);

let pcscd: Pcscd;
let readers: PcscReaderService;
let service: CardService;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  readers = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
  await readers.start();
  service = new CardService({ connector: readers, audit: new MemoryAuditTrail() });
});

afterAll(async () => {
  readers?.dispose();
  await pcscd?.stop();
});

async function inserted(card: CardInReader): Promise<void> {
  await card.insert();
  await waitUntil(() => readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 5000, 'the card in the reader');
}

async function pulledOut(card: CardInReader): Promise<void> {
  await waitUntil(() => readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'absent', 5000, 'the reader to notice');
}

type Operation = (reader: string) => Promise<{ ok: boolean }>;

const operations: Record<string, Operation> = {
  'inspect the card': (reader) => service.inspect(reader),
  'verify the PIN': (reader) => service.verifyPin(reader, text(FACTORY.PIN), operator),
  'change the PIN': (reader) => service.changePin(reader, text(FACTORY.PIN), text('192837'), operator),
  'change the PUK': (reader) => service.changePuk(reader, text(FACTORY.PUK), text('56473829'), operator),
  'unblock with the PUK': (reader) => service.unblockPin(reader, text(FACTORY.PUK), text('246813'), operator),
  'set retry counters': (reader) =>
    service.setRetryCounters(reader, { pinTries: 4, pukTries: 4, pin: text(FACTORY.PIN), puk: text(FACTORY.PUK), managementKey: { kind: 'factory' } }, operator),
};

describe.each(Object.entries(operations))('pulling the card while CardDesk is busy: %s', (_name, operation) => {
  it('says the card was removed, never done; the card works again afterwards', async () => {
    const card = await CardInReader.create(1);
    await inserted(card);
    const before = card.apdus;
    expect(await operation(card.readerName)).toMatchObject({ ok: true });
    const apdus = card.apdus - before;
    // Pull at the first command, one in the middle, and the last.
    for (const at of [...new Set([0, Math.floor(apdus / 2), apdus - 1])]) {
      card.pullAtApdu(at);
      const result = await operation(card.readerName);
      expect(result, `pulled at APDU ${at + 1} of ${apdus}`).toMatchObject({ ok: false, reason: 'cardRemoved' });
      await pulledOut(card);
      await inserted(card);
      // Back in the reader, the card answers again.
      expect(await service.inspect(card.readerName)).toMatchObject({ ok: true, card: { kind: 'piv' } });
    }
    await card.remove();
    await pulledOut(card);
  }, 120_000);
});
