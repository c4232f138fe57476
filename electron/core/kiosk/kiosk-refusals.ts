/**
 * How the kiosk says no (a card service's refusal in the kiosk's words, the ended session) and
 * whom its records name: the signed-in holder on the kiosk channel.
 */
import { CardDeskError } from '../../shared/errors';
import type { CardRecord } from '../../shared/schemas/holders';
import type { KioskRefusal } from '../../shared/schemas/kiosk';
import type { OperationContext } from '../operation-context';

/** Why a card in the directory cannot be used at the kiosk, or null. */
export function unusableAtKiosk(card: CardRecord): boolean {
  return !['active', 'suspended', 'awaitingActivation'].includes(card.state);
}

/** A card service's refusal in the kiosk's words. */
export function refusalOfCard(reason: string): KioskRefusal {
  switch (reason) {
    case 'wrongPin':
    case 'wrongPuk':
    case 'pinBlocked':
    case 'pukBlocked':
    case 'cardRemoved':
    case 'noCard':
    case 'cardInUse':
    case 'unknownCard':
      return reason;
    case 'awaitingUnblock':
    case 'wrongManagementKey':
      return 'cardInUse';
    case 'notPiv':
    case 'noSerial':
    case 'wrongCard':
      return 'unknownCard';
    case 'invalidState':
    case 'noContract':
      return 'cardNotUsable';
    case 'signatureRefused':
      return 'notGenuine';
    default:
      return 'serviceUnavailable';
  }
}

/** Thrown when a session-bound call has no (live) session. */
export function sessionEnded(): CardDeskError {
  return new CardDeskError('SESSION_ENDED', 'There is no kiosk session for this window (it ended, or never began): insert the card again.');
}

/** The holder of a kiosk session as the actor of what it does, on the kiosk channel. */
export function holderAtKiosk(session: { readonly holderId: string }): OperationContext {
  return { actor: { kind: 'holder', id: session.holderId }, channel: 'kiosk' };
}
