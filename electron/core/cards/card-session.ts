/**
 * One operation on one card: connect, select PIV, run, close — with a pulled card, an empty reader
 * or a card held by another program turned into the outcome values the screens explain.
 */
import { CardDeskError } from '../../shared/errors';
import type { CardFailureReason } from '../../shared/schemas/cards';
import type { CardConnector } from '../readers/card-connection';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient, type PivApplication } from '../piv/piv-client';

type HeldReason = Extract<CardFailureReason, 'cardRemoved' | 'noCard' | 'cardInUse' | 'awaitingUnblock'>;

export type SessionFailure =
  | { ok: false; reason: HeldReason }
  /** The card answered but has no PIV application; its ATR says what it is. */
  | { ok: false; reason: 'notPiv'; atr: string };

const failureByCode: Partial<Record<string, HeldReason>> = {
  CARD_REMOVED: 'cardRemoved',
  NO_CARD: 'noCard',
  CARD_IN_USE: 'cardInUse',
  CARD_AWAITING_UNBLOCK: 'awaitingUnblock',
};

export function sessionFailureOf(error: unknown): Extract<SessionFailure, { reason: HeldReason }> | null {
  if (!(error instanceof CardDeskError)) return null;
  const reason = failureByCode[error.code];
  return reason === undefined ? null : { ok: false, reason };
}

export interface PivSession {
  readonly client: PivClient;
  readonly application: PivApplication;
  readonly atr: Uint8Array;
  readonly readerName: string;
  /** The card's serial as CardDesk records it (vendor serial, else the CHUID GUID), once read. */
  serial: string | null;
}

/**
 * Runs `work` with the PIV application selected. `disposition` says how to leave the card: reset
 * after anything that verified a PIN or authenticated the management key.
 */
export async function withPivSession<T>(
  connector: CardConnector,
  readerName: string,
  disposition: 'leave' | 'reset',
  work: (session: PivSession) => Promise<T>,
): Promise<T | SessionFailure> {
  let connection;
  try {
    connection = await connector.connect(readerName);
  } catch (error) {
    const failure = sessionFailureOf(error);
    if (failure !== null) return failure;
    throw error;
  }
  try {
    const client = new PivClient(ApduTransport.forCard(connection));
    const application = await client.select();
    if (application === null) return { ok: false, reason: 'notPiv', atr: Buffer.from(connection.atr).toString('hex').toUpperCase() };
    return await work({ client, application, atr: connection.atr, readerName, serial: null });
  } catch (error) {
    const failure = sessionFailureOf(error);
    if (failure !== null) return failure;
    throw error;
  } finally {
    await connection.close(disposition);
  }
}
