/**
 * A minimal card for the foundation's tests: it answers the vpcd protocol with a well-formed
 * T=1 ATR and knows only SELECT. The full PIV card lives in electron/vcard.
 */
import { VpcdLink, vpcdPort, type VirtualCardBackend } from '../../electron/vcard/vpcd-link';

/** TS=3B, T0=80, TD1=80, TD2=01 (T=1), TCK=01. */
export const TEST_CARD_ATR = '3B80800101';

export const VIRTUAL_READERS = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;

export const minimalCard: VirtualCardBackend = {
  atr: Buffer.from(TEST_CARD_ATR, 'hex'),
  transmit: (apdu) => (apdu[1] === 0xa4 ? Uint8Array.of(0x90, 0x00) : Uint8Array.of(0x6d, 0x00)),
};

export interface InsertedCard {
  readonly link: VpcdLink;
  /** Resolves with Date.now() when the reader first asks the card for its ATR: the reader has seen the card. */
  readonly seenByReader: Promise<number>;
  readonly insertedAt: number;
}

export function testCardLink(readerIndex: number): VpcdLink {
  return new VpcdLink(minimalCard, { port: vpcdPort(readerIndex) });
}

export async function insertTestCard(link: VpcdLink): Promise<InsertedCard> {
  let resolveSeen: (at: number) => void = () => {};
  const seenByReader = new Promise<number>((resolve) => (resolveSeen = resolve));
  const stop = link.onSignal((signal) => {
    if (signal === 'atr') {
      resolveSeen(Date.now());
      stop();
    }
  });
  const insertedAt = Date.now();
  await link.insert();
  return { link, seenByReader, insertedAt };
}
