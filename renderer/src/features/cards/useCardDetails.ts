import { useCallback, useEffect, useState } from 'react';
import type { ErrorCode } from '@shared/errors';
import type { CardInspectResult } from '@shared/schemas/cards';
import type { Reader } from '@shared/schemas/readers';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';

export type CardDetailsState =
  | { state: 'none' }
  | { state: 'loading' }
  | { state: 'ready'; result: CardInspectResult }
  /** `code` is the inspect command's error, for CommandError. */
  | { state: 'failed'; code: ErrorCode };

/** What the last read answered (null: it failed, see the command's error), with the key it was read for. */
type Loaded = { key: string; result: CardInspectResult | null };

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
  const inspecting = useCommand((wanted: string) => unwrap(carddesk().cards.inspect({ reader: wanted })));
  const inspect = inspecting.run;

  useEffect(() => {
    if (name === undefined || !present) return;
    let current = true;
    void inspect(name).then((result) => {
      if (current) setLoaded({ key, result: result ?? null });
    });
    return () => {
      current = false;
    };
  }, [name, present, key, inspect]);

  const refresh = useCallback(() => setGeneration((value) => value + 1), []);
  if (!present) return { details: { state: 'none' }, refresh };
  if (loaded === null || loaded.key !== key) return { details: { state: 'loading' }, refresh };
  if (loaded.result !== null) return { details: { state: 'ready', result: loaded.result }, refresh };
  return { details: inspecting.error === null ? { state: 'loading' } : { state: 'failed', code: inspecting.error }, refresh };
}
