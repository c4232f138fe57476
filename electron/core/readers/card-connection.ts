import { CardDeskError } from '../../shared/errors';

/**
 * A session with the card in one reader: PC/SC or the embedded virtual reader, the same
 * interface either way, so nothing above it knows which (CONVENTIONS.md §5).
 */
export interface CardConnection {
  readonly readerName: string;
  readonly atr: Uint8Array;
  /** Sends one command APDU, returns the response APDU (data + SW1 SW2). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /**
   * Ends the session. `reset` leaves the card with a cleared security status (after a PIN was
   * verified, so nobody else profits from it); `leave` keeps it as it is.
   */
  close(disposition: 'leave' | 'reset'): Promise<void>;
}

/** Where connections come from: looks the reader up by name. */
export interface CardConnector {
  connect(readerName: string): Promise<CardConnection>;
}

export function cardRemoved(cause?: unknown): CardDeskError {
  return new CardDeskError('CARD_REMOVED', 'The card was removed before the operation finished.', { cause });
}
