import { useEffect, useState } from 'react';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';

/** What the holder filter's text stands for. */
export type HolderFilter =
  /** Nothing typed. */
  | { kind: 'none' }
  /** One holder: by name, personal number or user number. */
  | { kind: 'holder'; holder: Holder }
  /** Several holders match: the operator types more. */
  | { kind: 'ambiguous'; count: number }
  /** No holder in the directory: the text is taken as a holder id (events of a holder no longer there). */
  | { kind: 'id'; id: string };

const squash = (text: string): string => text.replace(/[\s-]/g, '').toUpperCase();

/** Resolves the typed text in the directory (debounced), so the filter takes what people know, not ids. */
export function useHolderFilter(text: string): HolderFilter {
  const [resolved, setResolved] = useState<{ text: string; filter: HolderFilter }>({ text: '', filter: { kind: 'none' } });
  const typed = text.trim();
  useEffect(() => {
    if (typed === '') return;
    let current = true;
    const timer = setTimeout(() => {
      unwrap(carddesk().holders.search({ query: typed, limit: 20 }))
        .then((found) => {
          if (!current) return;
          const exact = found.items.find((holder) => squash(holder.personalNumber) === squash(typed) || holder.userNumber === squash(typed) || holder.id === typed);
          const only = found.items.length === 1 ? found.items[0] : undefined;
          const holder = exact ?? only;
          if (holder !== undefined) setResolved({ text: typed, filter: { kind: 'holder', holder } });
          else if (found.items.length > 1) setResolved({ text: typed, filter: { kind: 'ambiguous', count: found.total } });
          else setResolved({ text: typed, filter: { kind: 'id', id: typed } });
        })
        // No directory to ask (no vault yet, or held by another CardDesk): the text is an id.
        .catch(() => current && setResolved({ text: typed, filter: { kind: 'id', id: typed } }));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [typed]);
  // Until the directory answers for what is typed now, nothing is filtered by holder.
  return typed === '' || resolved.text !== typed ? { kind: 'none' } : resolved.filter;
}

/** The holder id the query filters by (none while several holders match). */
export function holderIdOf(filter: HolderFilter): string | undefined {
  return filter.kind === 'holder' ? filter.holder.id : filter.kind === 'id' ? filter.id : undefined;
}
