import type { Holder } from '@shared/schemas/holders';

/** The fields a search looks in, in the order a match is explained (names first). */
export const matchFields = ['lastName', 'firstName', 'personalNumber', 'userNumber', 'email', 'mobile', 'organisation', 'contactPerson', 'documentNumber'] as const;
export type MatchField = (typeof matchFields)[number];

/** Lower case without accents, as the directory's search folds text. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Why a holder matched what the operator typed: the fields holding the typed words (each word
 * counted once, in the first field that holds it). Empty when nothing was typed.
 */
export function matchedFields(holder: Holder, query: string): MatchField[] {
  const words = fold(query).split(/\s+/).filter((word) => word !== '');
  const found = new Set<MatchField>();
  for (const word of words) {
    const compact = word.replace(/[\s-]/g, '');
    const field = matchFields.find((name) => {
      const value = fold(String(holder[name]));
      return value.includes(word) || (compact !== '' && value.replace(/[\s-]/g, '').includes(compact));
    });
    if (field !== undefined) found.add(field);
  }
  return matchFields.filter((name) => found.has(name));
}
