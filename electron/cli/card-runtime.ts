/** The readers and the card service for one CLI command: started, settled, then disposed. */
import { EventHub } from '../core/api/event-hub';
import type { AuditTrail } from '../core/audit/audit-trail';
import { CardService } from '../core/cards/card-service';
import { OfflineUnblockService } from '../core/cards/offline-unblock';
import { ReaderHolds } from '../core/cards/reader-holds';
import { loadPcscLite } from '../core/readers/pcsc-binding';
import { ReaderRegistry } from '../core/readers/reader-registry';
import { EmbeddedVirtualReader } from '../core/readers/virtual-reader';
import type { CliContext } from './cli-context';

export interface CardRuntime {
  readonly readers: ReaderRegistry;
  readonly cards: CardService;
  readonly offlineUnblock: OfflineUnblockService;
  /** Card operations connect through it, so a workflow that keeps a card is not disturbed. */
  readonly holds: ReaderHolds;
  readonly audit: AuditTrail;
}

export async function withCardRuntime<T>(cli: CliContext, work: (runtime: CardRuntime) => Promise<T>): Promise<T> {
  const readers = new ReaderRegistry({
    loadOpener: loadPcscLite,
    emit: new EventHub().emit,
    log: cli.log,
    virtualReader: new EmbeddedVirtualReader(cli.dataDir),
  });
  const holds = new ReaderHolds(readers);
  return cli.withAudit(async (audit) => {
    const offlineUnblock = new OfflineUnblockService({ holds, audit });
    try {
      await readers.start();
      await readers.pcsc.whenSettled(3000);
      return await work({ readers, cards: new CardService({ connector: holds, audit }), offlineUnblock, holds, audit });
    } finally {
      await offlineUnblock.dispose();
      readers.dispose();
    }
  });
}
