import type { TFunction } from 'i18next';
import type { CardActionResult } from '@shared/schemas/cards';

/** What to tell the operator or holder when a card action did not happen. */
export function failureText(t: TFunction, result: Exclude<CardActionResult, { ok: true }>): string {
  const count = result.triesLeft ?? 0;
  switch (result.reason) {
    case 'wrongPin':
      return count === 1 ? t('cards.failure.wrongPinLast') : t('cards.failure.wrongPin', { count });
    case 'wrongPuk':
      return count === 1 ? t('cards.failure.wrongPukLast') : t('cards.failure.wrongPuk', { count });
    default:
      return t(`cards.failure.${result.reason}`);
  }
}
