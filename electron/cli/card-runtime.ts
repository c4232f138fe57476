/** The readers and the card service for one CLI command: started, settled, then disposed. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventHub } from '../core/api/event-hub';
import type { AuditTrail } from '../core/audit/audit-trail';
import { directoryCardOwners, noCardOwners, type CardOwners } from '../core/cards/card-owners';
import { CardService } from '../core/cards/card-service';
import { OfflineUnblockService } from '../core/cards/offline-unblock';
import { ReaderHolds } from '../core/cards/reader-holds';
import { loadPcscLite } from '../core/readers/pcsc-binding';
import { ReaderRegistry } from '../core/readers/reader-registry';
import { EmbeddedVirtualReader } from '../core/readers/virtual-reader';
import { HolderDirectory } from '../core/directory/holder-directory';
import { VaultAccess } from '../core/vault/vault-access';
import { vaultDirOf } from '../core/vault/vault-storage';
import type { CliContext } from './cli-context';

export interface CardRuntime {
  readonly readers: ReaderRegistry;
  readonly cards: CardService;
  readonly offlineUnblock: OfflineUnblockService;
  /** Card operations connect through it, so a workflow that keeps a card is not disturbed. */
  readonly holds: ReaderHolds;
  readonly audit: AuditTrail;
}

/**
 * The directory of this data folder, so card events name the card's holder. Each look-up opens
 * the vault (its records are readable while it is locked) and closes it at once: a command that
 * waits (an offline unblock) must not keep the vault from the desk answering it. None when there
 * is no vault yet (nothing is created); a vault another CardDesk holds answers "unavailable".
 */
function cliCardOwners(cli: CliContext, audit: AuditTrail): CardOwners {
  if (!existsSync(join(vaultDirOf(cli.dataDir), 'vault.json'))) return noCardOwners;
  return {
    lookup: (serial) => {
      const access = new VaultAccess(cli.dataDir);
      try {
        return directoryCardOwners(new HolderDirectory(access, audit), cli.log).lookup(serial);
      } finally {
        // Nothing was written: closing only releases the vault's lock, moments later.
        access.close().catch((error: unknown) => cli.log.warn('the vault could not be closed after a card lookup', { error }));
      }
    },
  };
}

/** `owners`: the directory of a command that has the vault open already (default: open it for look-ups). */
export async function withCardRuntime<T>(cli: CliContext, work: (runtime: CardRuntime) => Promise<T>, options: { owners?: CardOwners } = {}): Promise<T> {
  const readers = new ReaderRegistry({
    loadOpener: loadPcscLite,
    emit: new EventHub().emit,
    log: cli.log,
    virtualReader: new EmbeddedVirtualReader(cli.dataDir),
  });
  const holds = new ReaderHolds(readers);
  return cli.withAudit(async (audit) => {
    const owners = options.owners ?? cliCardOwners(cli, audit);
    const offlineUnblock = new OfflineUnblockService({ holds, audit, owners });
    try {
      await readers.start();
      await readers.pcsc.whenSettled(3000);
      return await work({ readers, cards: new CardService({ connector: holds, audit, owners }), offlineUnblock, holds, audit });
    } finally {
      await offlineUnblock.dispose();
      readers.dispose();
    }
  });
}
