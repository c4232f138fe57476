/** The readers and the card service for one CLI command: started, settled, then disposed. */
import { EventHub } from '../core/api/event-hub';
import { CardService } from '../core/cards/card-service';
import { loadPcscLite } from '../core/readers/pcsc-binding';
import { ReaderRegistry } from '../core/readers/reader-registry';
import { EmbeddedVirtualReader } from '../core/readers/virtual-reader';
import type { CliContext } from './cli-context';

export interface CardRuntime {
  readonly readers: ReaderRegistry;
  readonly cards: CardService;
}

export async function withCardRuntime<T>(cli: CliContext, work: (runtime: CardRuntime) => Promise<T>): Promise<T> {
  const readers = new ReaderRegistry({
    loadOpener: loadPcscLite,
    emit: new EventHub().emit,
    log: cli.log,
    virtualReader: new EmbeddedVirtualReader(cli.dataDir),
  });
  try {
    return await cli.withAudit(async (audit) => {
      // Opened before the card is touched: a log that cannot be written stops the command first.
      await audit.open();
      await readers.start();
      await readers.pcsc.whenSettled(3000);
      return await work({ readers, cards: new CardService({ connector: readers, audit }) });
    });
  } finally {
    readers.dispose();
  }
}
