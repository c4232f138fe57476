/** A virtual PIV card in memory with a connection to it, for unit tests of the client and services. */
import { CardDeskError } from '../../electron/shared/errors';
import type { CardConnection } from '../../electron/core/readers/card-connection';
import { cardRemoved } from '../../electron/core/readers/card-connection';
import { MemoryCardStateStore, type CardState } from '../../electron/vcard/card-state';
import { factoryState } from '../../electron/vcard/factory';
import { VirtualPivCard } from '../../electron/vcard/piv-card';

let template: CardState | null = null;

/** A factory-fresh card; the attestation key is made once per test file, then copied. */
export async function freshCard(): Promise<{ card: VirtualPivCard; store: MemoryCardStateStore }> {
  template ??= await factoryState({ serial: 12345678 });
  const store = new MemoryCardStateStore(template);
  return { card: await VirtualPivCard.open(store), store };
}

export interface TestConnection extends CardConnection {
  /** Pulls the card out before the n-th APDU from now (0 = the next one). */
  pullBefore(apduIndex: number): void;
  /** Pulls the card out after the n-th APDU from now has been executed, before its answer arrives. */
  pullAfter(apduIndex: number): void;
  readonly transmitted: number;
}

export function connectTo(card: VirtualPivCard, readerName = 'Test Reader'): TestConnection {
  let count = 0;
  let pull: { at: number; when: 'before' | 'after' } | null = null;
  let gone = false;
  card.powerOn();
  return {
    readerName,
    atr: card.atr,
    get transmitted() {
      return count;
    },
    pullBefore(apduIndex) {
      pull = { at: count + apduIndex, when: 'before' };
    },
    pullAfter(apduIndex) {
      pull = { at: count + apduIndex, when: 'after' };
    },
    async transmit(command) {
      if (gone) throw cardRemoved();
      const index = count++;
      if (pull?.at === index && pull.when === 'before') {
        gone = true;
        card.powerOff();
        throw cardRemoved();
      }
      const response = await card.transmit(command);
      if (pull?.at === index && pull.when === 'after') {
        gone = true;
        card.powerOff();
        throw cardRemoved();
      }
      return response;
    },
    close(disposition) {
      if (gone) return Promise.resolve();
      if (disposition === 'reset') card.reset();
      return Promise.resolve();
    },
  };
}

export function isCardRemoved(error: unknown): boolean {
  return error instanceof CardDeskError && error.code === 'CARD_REMOVED';
}
