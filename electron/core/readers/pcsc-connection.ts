/**
 * Card sessions over PC/SC (pcsclite). Exclusive access is asked for first, so another program
 * cannot slip APDUs between ours; if another program (an open PKCS#11 session, say) already
 * shares the card, the session falls back to shared access.
 */
import { CardDeskError } from '../../shared/errors';
import { cardRemoved, type CardConnection } from './card-connection';
import type { PcscCardHandle } from './pcsc-binding';

/** PC/SC return codes that matter here (pcsc-lite pcsclite.h, WinSCard). */
const SCARD = {
  E_NO_SMARTCARD: 0x8010000c,
  E_SHARING_VIOLATION: 0x8010000b,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
  E_NOT_TRANSACTED: 0x80100016,
} as const;

/** pcsclite reports failures as text ending in "(0x8010xxxx)". */
export function pcscCode(error: unknown): number | null {
  const match = /\(0x([0-9a-f]{8})\)/i.exec(error instanceof Error ? error.message : String(error));
  return match?.[1] === undefined ? null : Number.parseInt(match[1], 16);
}

export function mapPcscError(error: unknown, readerName: string): CardDeskError {
  switch (pcscCode(error)) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.W_RESET_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.E_NOT_TRANSACTED:
      return cardRemoved(error);
    case SCARD.E_NO_SMARTCARD:
      return new CardDeskError('NO_CARD', `There is no card in ${readerName}.`, { cause: error });
    case SCARD.E_SHARING_VIOLATION:
      return new CardDeskError('CARD_IN_USE', `Another program is using the card in ${readerName}.`, { cause: error });
    case SCARD.E_READER_UNAVAILABLE:
      return new CardDeskError('READER_NOT_FOUND', `${readerName} is not available.`, { cause: error });
    case SCARD.E_NO_SERVICE:
      return new CardDeskError('PCSC_UNAVAILABLE', 'The smart-card service stopped.', { cause: error });
    case SCARD.W_UNRESPONSIVE_CARD:
      return new CardDeskError('CARD_ERROR', `The card in ${readerName} does not respond.`, { cause: error });
    default:
      return new CardDeskError('CARD_ERROR', `PC/SC error on ${readerName}: ${(error as Error).message}`, { cause: error });
  }
}

function call<T>(start: (callback: (error: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error === undefined || error === null ? resolve(value) : reject(error instanceof Error ? error : new Error(`PC/SC call failed: ${JSON.stringify(error)}`))));
  });
}

/** Largest response buffer: an extended-length response plus the status word. */
const MAX_RESPONSE = 65_538;

async function connectOnce(handle: PcscCardHandle): Promise<number | undefined> {
  const name = handle.name;
  try {
    return await call<number | undefined>((done) => handle.connect({ share_mode: handle.SCARD_SHARE_EXCLUSIVE }, done));
  } catch (error) {
    if (pcscCode(error) !== SCARD.E_SHARING_VIOLATION) throw mapPcscError(error, name);
    try {
      return await call<number | undefined>((done) => handle.connect({ share_mode: handle.SCARD_SHARE_SHARED }, done));
    } catch (shared) {
      throw mapPcscError(shared, name);
    }
  }
}

export async function openPcscConnection(handle: PcscCardHandle, atr: Uint8Array): Promise<CardConnection> {
  const name = handle.name;
  let protocol = await connectOnce(handle);
  if (typeof protocol !== 'number') {
    // pcsclite answers without a protocol when it still holds a card handle for this reader (an
    // earlier session whose card was pulled, so its disconnect failed): let that one go, then connect.
    await call<void>((done) => handle.disconnect(handle.SCARD_LEAVE_CARD, (error) => done(error, undefined))).catch(() => undefined);
    protocol = await connectOnce(handle);
    if (typeof protocol !== 'number') throw new CardDeskError('CARD_ERROR', `The session with the card in ${name} could not be opened; take the card out and put it back.`);
  }
  const active = protocol;
  let open = true;
  return {
    readerName: name,
    atr,
    transmit: async (command) => {
      if (!open) throw new CardDeskError('CARD_ERROR', 'The card session is already closed.');
      let response: Buffer;
      try {
        response = await call<Buffer>((done) => handle.transmit(Buffer.from(command), MAX_RESPONSE, active, done));
      } catch (error) {
        throw mapPcscError(error, name);
      }
      // A card pulled out mid-command can leave the reader answering with nothing at all.
      if (response.length < 2) throw cardRemoved();
      return new Uint8Array(response);
    },
    close: async (disposition) => {
      if (!open) return;
      open = false;
      try {
        await call<void>((done) =>
          handle.disconnect(disposition === 'reset' ? handle.SCARD_RESET_CARD : handle.SCARD_LEAVE_CARD, (error) => done(error, undefined)),
        );
      } catch {
        // The card or reader may already be gone; there is nothing left to release.
      }
    },
  };
}
