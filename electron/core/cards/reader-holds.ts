/**
 * Readers whose card a long-running operation keeps to itself (an offline unblock waits minutes
 * for its response, and the card forgets its challenge at the next command). Every other
 * operation connects through this guard and is told the card is busy instead of disturbing it.
 */
import { CardDeskError } from '../../shared/errors';
import type { CardConnection, CardConnector } from '../readers/card-connection';

/** The purpose of a hold that waits for an offline unblock response (other callers are told so). */
export const OFFLINE_UNBLOCK = 'an offline unblock response';

export class ReaderHolds implements CardConnector {
  readonly #inner: CardConnector;
  readonly #held = new Map<string, string>();

  constructor(inner: CardConnector) {
    this.#inner = inner;
  }

  async connect(readerName: string): Promise<CardConnection> {
    this.#refuseIfHeld(readerName);
    return this.#inner.connect(readerName);
  }

  #refuseIfHeld(readerName: string): void {
    const holder = this.#held.get(readerName);
    if (holder === OFFLINE_UNBLOCK) throw new CardDeskError('CARD_AWAITING_UNBLOCK', `The card in ${readerName} is waiting for an offline unblock response started in another window.`);
    if (holder !== undefined) throw new CardDeskError('CARD_IN_USE', `The card in this reader is waiting for ${holder}.`);
  }

  /** Connects and keeps the reader for the caller until the connection closes. */
  async hold(readerName: string, purpose: string): Promise<CardConnection> {
    this.#refuseIfHeld(readerName);
    const connection = this.#inner.connect(readerName);
    this.#held.set(readerName, purpose);
    let open: CardConnection;
    try {
      open = await connection;
    } catch (error) {
      this.#held.delete(readerName);
      throw error;
    }
    return {
      readerName: open.readerName,
      atr: open.atr,
      transmit: (command) => open.transmit(command),
      close: async (disposition) => {
        this.#held.delete(readerName);
        await open.close(disposition);
      },
    };
  }

  isHeld(readerName: string): boolean {
    return this.#held.has(readerName);
  }

  /** What the reader is kept for (the purpose given to `hold`), or null. */
  heldFor(readerName: string): string | null {
    return this.#held.get(readerName) ?? null;
  }
}
