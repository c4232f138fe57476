/**
 * The embedded virtual reader: a reader inside CardDesk holding a virtual PIV card, offered when
 * the machine has no PC/SC reader, so every screen and workflow can be tried at once. The card's
 * memory is a file in the data folder; inserting and removing it is a button, not a hand.
 */
import { dirname, join } from 'node:path';
import { CardDeskError } from '../../shared/errors';
import { ensurePrivateDirAsync, writeFileDurably } from '../files/safe-file';
import type { Reader } from '../../shared/schemas/readers';
import { FileCardStateStore } from '../../vcard/card-state';
import { ATR } from '../../vcard/factory';
import { VirtualPivCard } from '../../vcard/piv-card';
import { cardRemoved, type CardConnection } from './card-connection';

export const VIRTUAL_READER_NAME = 'CardDesk Virtual Reader';

export class EmbeddedVirtualReader {
  readonly name = VIRTUAL_READER_NAME;
  readonly #statePath: string;
  #card: Promise<VirtualPivCard> | null = null;
  #inserted = true;
  /** Bumped on every removal, so a session opened before it fails as a pulled card would. */
  #generation = 0;

  constructor(dataDir: string) {
    this.#statePath = join(dataDir, 'virtual-card', 'card.json');
  }

  get inserted(): boolean {
    return this.#inserted;
  }

  #openCard(): Promise<VirtualPivCard> {
    return (this.#card ??= VirtualPivCard.open(
      new FileCardStateStore(this.#statePath, async (path, data) => {
        await ensurePrivateDirAsync(dirname(path));
        await writeFileDurably(path, data);
      }),
    ));
  }

  snapshot(): Reader {
    return {
      name: this.name,
      kind: 'virtual',
      cardState: this.#inserted ? 'present' : 'absent',
      atr: this.#inserted ? Buffer.from(ATR).toString('hex').toUpperCase() : null,
      inUse: false,
    };
  }

  insert(): void {
    this.#inserted = true;
  }

  remove(): void {
    if (!this.#inserted) return;
    this.#inserted = false;
    this.#generation += 1;
    void this.#card?.then((card) => card.powerOff());
  }

  async connect(): Promise<CardConnection> {
    if (!this.#inserted) throw new CardDeskError('NO_CARD', `There is no card in ${this.name}.`);
    const card = await this.#openCard();
    const generation = this.#generation;
    card.powerOn();
    const alive = (): void => {
      if (generation !== this.#generation || !this.#inserted) throw cardRemoved();
    };
    let open = true;
    return {
      readerName: this.name,
      atr: card.atr,
      transmit: async (command) => {
        alive();
        if (!open) throw new CardDeskError('CARD_ERROR', 'The card session is already closed.');
        const response = await card.transmit(command);
        alive();
        return response;
      },
      close: (disposition) => {
        if (open && disposition === 'reset' && generation === this.#generation) card.reset();
        open = false;
        return Promise.resolve();
      },
    };
  }
}
