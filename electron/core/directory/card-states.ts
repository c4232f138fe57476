import type { CardRecordState } from '../../shared/schemas/holders';

/**
 * The card life cycle: blank → personalisation incomplete → (awaiting activation, until the
 * holder signs the contract →) active ⇄ suspended → revoked or lost, and retired (wiped back to its factory state) from anywhere a card can be held in hand. A
 * half-personalised card may be wiped back to blank; a retired card may be issued again.
 */
const next: Readonly<Record<CardRecordState, readonly CardRecordState[]>> = {
  blank: ['personalisationIncomplete', 'retired'],
  personalisationIncomplete: ['awaitingActivation', 'active', 'blank', 'retired'],
  awaitingActivation: ['active', 'revoked', 'retired', 'lost'],
  active: ['suspended', 'revoked', 'retired', 'lost'],
  suspended: ['active', 'revoked', 'retired', 'lost'],
  revoked: ['retired'],
  retired: ['blank'],
  lost: ['retired'],
};

export function canMove(from: CardRecordState, to: CardRecordState): boolean {
  return next[from].includes(to);
}

export function nextStates(from: CardRecordState): readonly CardRecordState[] {
  return next[from];
}
