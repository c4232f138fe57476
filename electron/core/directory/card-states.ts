import type { CardRecordState } from '../../shared/schemas/holders';

/**
 * The card life cycle: blank → personalisation incomplete → active ⇄ suspended → revoked,
 * retired or lost (final). A half-personalised card may be wiped back to blank or retired.
 */
const next: Readonly<Record<CardRecordState, readonly CardRecordState[]>> = {
  blank: ['personalisationIncomplete', 'retired'],
  personalisationIncomplete: ['active', 'blank', 'retired'],
  active: ['suspended', 'revoked', 'retired', 'lost'],
  suspended: ['active', 'revoked', 'retired', 'lost'],
  revoked: [],
  retired: [],
  lost: [],
};

export function canMove(from: CardRecordState, to: CardRecordState): boolean {
  return next[from].includes(to);
}

export function nextStates(from: CardRecordState): readonly CardRecordState[] {
  return next[from];
}
