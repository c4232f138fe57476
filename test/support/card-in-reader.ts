/**
 * A virtual PIV card in a vpcd reader of the real pcscd, for integration tests: its memory in a
 * temporary file, and a hand that can pull it out at an exact APDU.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCardStateStore } from '../../electron/vcard/card-state';
import { VirtualPivCard } from '../../electron/vcard/piv-card';
import { VpcdLink, vpcdPort } from '../../electron/vcard/vpcd-link';

export const readerName = (index: number): string => `Virtual PCD 00 0${index}`;

/** When a card last left each reader (see `insert`). */
const lastRemoval = new Map<string, number>();
const POWER_ON_TIMEOUT_MS = 20_000;

export class CardInReader {
  readonly link: VpcdLink;
  readonly readerName: string;
  /** APDUs the card has received since it was made. */
  apdus = 0;
  #pullAt: number | null = null;
  #pullAtInstruction: number | null = null;

  private constructor(
    readonly card: VirtualPivCard,
    readonly statePath: string,
    readerIndex: number,
  ) {
    this.readerName = readerName(readerIndex);
    const backend = {
      atr: card.atr,
      powerOn: () => card.powerOn(),
      powerOff: () => card.powerOff(),
      reset: () => card.reset(),
      transmit: async (command: Uint8Array): Promise<Uint8Array> => {
        const index = this.apdus++;
        if (this.#pullAt === index || (this.#pullAtInstruction !== null && command[1] === this.#pullAtInstruction)) {
          // The hand pulls the card as this command arrives: it is never executed or answered.
          this.#pullAt = null;
          this.#pullAtInstruction = null;
          await this.remove();
          return Uint8Array.of(0x6f, 0x00);
        }
        return card.transmit(command);
      },
    };
    this.link = new VpcdLink(backend, { port: vpcdPort(readerIndex) });
  }

  static async create(readerIndex: number, options: { statePath?: string; serial?: number } = {}): Promise<CardInReader> {
    const statePath = options.statePath ?? join(mkdtempSync(join(tmpdir(), 'carddesk-vcard-')), 'card.json');
    const card = await VirtualPivCard.open(new FileCardStateStore(statePath), options.serial === undefined ? {} : { serial: options.serial });
    return new CardInReader(card, statePath, readerIndex);
  }

  /**
   * Inserts the card and resolves once pcscd has powered it up (the card is usable). pcscd asks
   * the vpcd driver whether a card is present about every 400 ms; a card put in within one poll of
   * the last one leaving the reader (this card or another) would look as if none ever left, and is
   * never powered up: so the reader stays empty for a second first.
   */
  async insert(): Promise<void> {
    const emptySince = lastRemoval.get(this.readerName);
    if (emptySince !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, emptySince + 1000 - Date.now())));
    let stop = (): void => {};
    const powered = new Promise<void>((resolve, reject) => {
      const giveUp = setTimeout(() => {
        stop();
        reject(new Error(`pcscd did not power up the card in ${this.readerName} within ${POWER_ON_TIMEOUT_MS} ms`));
      }, POWER_ON_TIMEOUT_MS);
      stop = this.link.onSignal((signal) => {
        if (signal === 'powerOn') {
          clearTimeout(giveUp);
          stop();
          resolve();
        }
      });
    });
    await this.link.insert();
    await powered;
  }

  async remove(): Promise<void> {
    await this.link.remove();
    lastRemoval.set(this.readerName, Date.now());
  }

  /** Takes the card out and puts it back as a person would. */
  async reinsert(): Promise<void> {
    await this.remove();
    await this.insert();
  }

  /** Pulls the card out when it receives the `n`-th APDU from now (0 = the next one). */
  pullAtApdu(n: number): void {
    this.#pullAt = this.apdus + n;
  }

  /**
   * Pulls the card out when the next command with this instruction byte arrives (e.g. 0x47,
   * GENERATE ASYMMETRIC KEY PAIR): a point in a workflow that stays put when the number of APDUs
   * before it changes (extended length against command chaining).
   */
  pullAtInstruction(ins: number): void {
    this.#pullAtInstruction = ins;
  }
}
