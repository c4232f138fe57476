import { useCallback, useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { findInItems, type SearchHit } from './search';

const DEBOUNCE_MS = 250;
/** Hits are published in batches, so a long document does not re-render the viewer per page. */
const PUBLISH_EVERY_MS = 150;

export interface DocumentSearch {
  readonly query: string;
  /** The query the hits belong to (the typed one, once typing pauses). */
  readonly appliedQuery: string;
  readonly hits: readonly SearchHit[];
  readonly active: number | null;
  readonly searching: boolean;
  setQuery(query: string): void;
  /** Moves to the next (1) or previous (-1) hit, wrapping around, and returns it. */
  step(direction: 1 | -1): SearchHit | null;
}

function textItems(content: { items: readonly object[] }): string[] {
  return content.items.flatMap((item) => ('str' in item && typeof item.str === 'string' ? [item.str] : []));
}

interface Found {
  readonly query: string;
  readonly hits: readonly SearchHit[];
  readonly done: boolean;
  readonly active: number | null;
}

/**
 * Searches the document's text page by page, in the background, cancelled when the query changes.
 * `onFirstHit` is called when the first hit of a query is found, to bring it into view.
 */
export function useDocumentSearch(document: PDFDocumentProxy, onFirstHit: (hit: SearchHit) => void): DocumentSearch {
  const [query, setQueryState] = useState('');
  const [appliedQuery, setAppliedQuery] = useState('');
  const [found, setFound] = useState<Found | null>(null);
  const firstHitRef = useRef(onFirstHit);
  useEffect(() => {
    firstHitRef.current = onFirstHit;
  });

  useEffect(() => {
    const timer = setTimeout(() => setAppliedQuery(query), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  useEffect(() => {
    if (appliedQuery.trim() === '') return undefined;
    let cancelled = false;
    void (async () => {
      const hits: SearchHit[] = [];
      let published = performance.now();
      let announced = false;
      for (let page = 1; page <= document.numPages; page += 1) {
        const items = textItems(await (await document.getPage(page)).getTextContent());
        if (cancelled) return;
        findInItems(items, appliedQuery).forEach((_, indexOnPage) => hits.push({ page, indexOnPage }));
        const done = page === document.numPages;
        if (done || performance.now() - published > PUBLISH_EVERY_MS) {
          published = performance.now();
          const snapshot = [...hits];
          setFound((previous) => ({ query: appliedQuery, hits: snapshot, done, active: previous?.query === appliedQuery ? previous.active : snapshot.length > 0 ? 0 : null }));
          const first = hits[0];
          if (!announced && first !== undefined) {
            announced = true;
            firstHitRef.current(first);
          }
        }
      }
    })().catch(() => {
      if (!cancelled) setFound((previous) => ({ query: appliedQuery, hits: previous?.query === appliedQuery ? previous.hits : [], done: true, active: previous?.active ?? null }));
    });
    return () => {
      cancelled = true;
    };
  }, [document, appliedQuery]);

  const current = found !== null && found.query === appliedQuery && appliedQuery.trim() !== '' ? found : null;
  const hits = current?.hits ?? [];
  const active = current?.active ?? null;

  const setQuery = useCallback((next: string) => setQueryState(next), []);
  const step = (direction: 1 | -1): SearchHit | null => {
    if (query !== appliedQuery) {
      setAppliedQuery(query);
      return null;
    }
    if (current === null || hits.length === 0) return null;
    const next = ((active ?? (direction > 0 ? -1 : 0)) + direction + hits.length) % hits.length;
    setFound({ ...current, active: next });
    return hits[next] ?? null;
  };

  return { query, appliedQuery, hits, active, searching: appliedQuery.trim() !== '' && !(current?.done ?? false), setQuery, step };
}
