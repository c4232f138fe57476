import { useCallback, useEffect, useState } from 'react';
import type { ErrorCode } from '@shared/errors';
import type { CardInspectResult } from '@shared/schemas/cards';
import type { Reader } from '@shared/schemas/readers';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';

export type CardDetailsState =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'ready'; result: CardInspectResult }
  | { state: 'failed'; code: ErrorCode };

type Loaded = { key: string } & ({ state: 'ready'; result: CardInspectResult } | { state: 'failed'; code: ErrorCode });

/**
 * Reads the card in `reader` whenever a (new) card is there, and again on request. What was read
 * is kept with the key it was read for, so a stale answer is never shown for a new card.
 */
export function useCardDetails(reader: Reader | undefined): { details: CardDetailsState; refresh: () => void } {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [generation, setGeneration] = useState(0);
  const name = reader?.name;
  const present = reader !== undefined && reader.cardState === 'present';
  const key = `${name ?? ''}|${reader?.atr ?? ''}|${generation}`;

  useEffect(() => {
    if (name === undefined || !present) return;
    let current = true;
    unwrap(carddesk().cards.inspect({ reader: name }))
      .then((result) => {
        if (current) setLoaded({ key, state: 'ready', result });
      })
      .catch((error: unknown) => {
        if (current) setLoaded({ key, state: 'failed', code: errorCodeOf(error) });
      });
    return () => {
      current = false;
    };
  }, [name, present, key]);

  const refresh = useCallback(() => setGeneration((value) => value + 1), []);
  if (!present) return { details: { state: 'none' }, refresh };
  if (loaded === null || loaded.key !== key) return { details: { state: 'loading' }, refresh };
  return { details: loaded, refresh };
}
