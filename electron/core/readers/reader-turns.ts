import { CardDeskError } from '../../shared/errors';

/** How long a session waits for the one before it on the same reader before it gives up. */
export const DEFAULT_TURN_WAIT_MS = 20_000;

/**
 * One card session per reader at a time, the others waiting their turn in order. pcsclite keeps a
 * single card handle per reader: a second connect while one is open gets no protocol back, and
 * the first one's disconnect invalidates the second's handle (a card inserted while a workflow
 * starts: the screen reads it as the workflow connects). A wait that outlasts `waitMs` is told
 * the card is busy rather than queued forever behind a session that never ends.
 */
export class ReaderTurns {
  readonly #waitMs: number;
  /** Readers with a session open, each with the sessions waiting for it (first in, first served). */
  readonly #queues = new Map<string, (() => void)[]>();

  constructor(options: { waitMs?: number } = {}) {
    this.#waitMs = options.waitMs ?? DEFAULT_TURN_WAIT_MS;
  }

  /** Resolves with `release` once the reader is this caller's; `release` hands it on (idempotent). */
  take(readerName: string): Promise<() => void> {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const waiting = this.#queues.get(readerName);
      const next = waiting?.shift();
      if (next !== undefined) next();
      else this.#queues.delete(readerName);
    };
    const waiting = this.#queues.get(readerName);
    if (waiting === undefined) {
      this.#queues.set(readerName, []);
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        const at = waiting.indexOf(grant);
        if (at >= 0) waiting.splice(at, 1);
        reject(new CardDeskError('CARD_IN_USE', `The card in ${readerName} is still busy with another operation.`));
      }, this.#waitMs);
      waiting.push(grant);
    });
  }

  isBusy(readerName: string): boolean {
    return this.#queues.has(readerName);
  }
}
