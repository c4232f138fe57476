/**
 * Keeps a virtual card in a vpcd reader the way a hand keeps a card in a slot: inserted until told
 * otherwise, and put back in by itself when the reader comes back (pcscd restarted).
 */
import type { VirtualPivCard } from './piv-card';
import { VpcdLink, vpcdPort } from './vpcd-link';

export type ServerState = 'inserted' | 'removed' | 'waitingForReader';

export class VirtualCardServer {
  readonly link: VpcdLink;
  readonly port: number;
  #wantInserted = false;
  #state: ServerState = 'removed';
  #retry: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;
  #listeners = new Set<(state: ServerState, detail?: string) => void>();

  constructor(
    readonly card: VirtualPivCard,
    readerIndex: number,
    private readonly retryMs = 1000,
  ) {
    this.port = vpcdPort(readerIndex);
    this.link = new VpcdLink(card, { port: this.port });
  }

  get state(): ServerState {
    return this.#state;
  }

  onChange(listener: (state: ServerState, detail?: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: ServerState, detail?: string): void {
    if (state === this.#state && detail === undefined) return;
    this.#state = state;
    for (const listener of this.#listeners) listener(state, detail);
  }

  async insert(): Promise<void> {
    this.#wantInserted = true;
    if (this.link.inserted) return;
    try {
      await this.link.insert();
      this.#set('inserted');
      this.#watch();
    } catch (error) {
      this.#set('waitingForReader', (error as Error).message);
      this.#schedule();
    }
  }

  async remove(): Promise<void> {
    this.#wantInserted = false;
    if (this.#retry !== null) clearTimeout(this.#retry);
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#retry = null;
    this.#poll = null;
    await this.link.remove();
    this.#set('removed');
  }

  /**
   * Notices the reader dropping the connection (pcscd stopped) and tries again. While the card is
   * meant to be in, this timer (or the retry one) keeps the serving process alive.
   */
  #watch(): void {
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = setInterval(() => {
      if (this.link.inserted) return;
      if (this.#poll !== null) clearInterval(this.#poll);
      this.#poll = null;
      if (this.#wantInserted) {
        this.#set('waitingForReader', 'the reader closed the connection');
        this.#schedule();
      }
    }, 200);
  }

  #schedule(): void {
    if (this.#retry !== null || !this.#wantInserted) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#wantInserted) void this.insert();
    }, this.retryMs);
  }
}
