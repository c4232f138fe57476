/**
 * Whose card a serial is, for the card services: every card event is recorded against the card's
 * holder (so the holder's access history counts PIN checks, wrong PINs and unblocks), and the
 * offline unblock is offered only for a card the desk issued. The directory is in the vault's
 * records (readable while the vault is locked); when the vault cannot be opened (another CardDesk
 * holds it, or there is none yet) a card has no known owner and the event names the card only.
 */
import { CardDeskError } from '../../shared/errors';
import type { CardRecordState } from '../../shared/schemas/holders';
import type { Logger } from '../log/logger';

export interface CardOwner {
  readonly holderId: string | null;
  readonly state: CardRecordState;
}

/** A card the directory knows; `unknown`: the directory has no such card; `unavailable`: no directory to ask. */
export type CardLookup = { readonly known: true; readonly owner: CardOwner } | { readonly known: false; readonly why: 'unknown' | 'unavailable' };

export interface CardOwners {
  lookup(serial: string): CardLookup;
}

/** No directory: every card is unknown (tests and tools without a vault). */
export const noCardOwners: CardOwners = { lookup: () => ({ known: false, why: 'unavailable' }) };

/** The holder a card belongs to, or null. */
export function holderOfCard(owners: CardOwners | undefined, serial: string | null): string | null {
  if (serial === null || owners === undefined) return null;
  const found = owners.lookup(serial);
  return found.known ? found.owner.holderId : null;
}

/** The states of a card the desk issued and that is still in use (its PIN may be unblocked). */
export const issuedStates: readonly CardRecordState[] = ['active', 'suspended', 'awaitingActivation'];

/** Looks cards up in a directory (the vault's `HolderDirectory`), never failing the card operation. */
export function directoryCardOwners(directory: { cardOrNull(serial: string): CardOwner | null }, log?: Logger): CardOwners {
  return {
    lookup(serial) {
      try {
        const card = directory.cardOrNull(serial.trim().toUpperCase());
        return card === null ? { known: false, why: 'unknown' } : { known: true, owner: { holderId: card.holderId, state: card.state } };
      } catch (error) {
        // The vault is held by another process or not created yet: the event names the card only.
        if (!(error instanceof CardDeskError)) log?.warn('the card directory could not be read', { error });
        return { known: false, why: 'unavailable' };
      }
    },
  };
}
