/**
 * Text search over pdf.js text items. A page's text is its items joined without separators (as
 * pdf.js lays them out), so a phrase split across two items is still found; each hit maps back to
 * the pieces of the items it covers, which is what the text layer highlights.
 */
export interface HitSegment {
  readonly item: number;
  readonly start: number;
  readonly end: number;
}

export interface PageHit {
  readonly segments: readonly HitSegment[];
}

export interface SearchHit {
  readonly page: number;
  /** The hit's position among this page's hits. */
  readonly indexOnPage: number;
}

/** Case-insensitive; a lower-casing that changes a string's length (rare) keeps its case instead. */
function fold(text: string): string {
  const lower = text.toLocaleLowerCase();
  return lower.length === text.length ? lower : text;
}

export function findInItems(items: readonly string[], query: string): PageHit[] {
  const needle = fold(query.trim());
  if (needle === '') return [];
  const starts: number[] = [];
  let joined = '';
  for (const item of items) {
    starts.push(joined.length);
    joined += fold(item);
  }
  const hits: PageHit[] = [];
  for (let at = joined.indexOf(needle); at !== -1; at = joined.indexOf(needle, at + needle.length)) {
    const end = at + needle.length;
    const segments: HitSegment[] = [];
    items.forEach((item, index) => {
      const itemStart = starts[index] ?? 0;
      const itemEnd = itemStart + item.length;
      if (itemEnd <= at || itemStart >= end) return;
      segments.push({ item: index, start: Math.max(at, itemStart) - itemStart, end: Math.min(end, itemEnd) - itemStart });
    });
    hits.push({ segments });
  }
  return hits;
}

/**
 * Wraps each hit in the text layer's spans in `<span class="highlight">`, the active one also
 * `selected`, and returns the active hit's first element (to scroll it into view).
 */
export function highlightHits(textDivs: readonly HTMLElement[], items: readonly string[], hits: readonly PageHit[], activeIndex: number): HTMLElement | null {
  const byItem = new Map<number, { start: number; end: number; active: boolean }[]>();
  hits.forEach((hit, hitIndex) => {
    for (const segment of hit.segments) {
      const list = byItem.get(segment.item) ?? [];
      list.push({ start: segment.start, end: segment.end, active: hitIndex === activeIndex });
      byItem.set(segment.item, list);
    }
  });
  let activeElement: HTMLElement | null = null;
  textDivs.forEach((div, index) => {
    const text = items[index] ?? '';
    const marks = byItem.get(index);
    div.textContent = '';
    if (marks === undefined) {
      div.textContent = text;
      return;
    }
    let cursor = 0;
    for (const mark of marks) {
      if (mark.start > cursor) div.append(text.slice(cursor, mark.start));
      const span = document.createElement('span');
      span.className = mark.active ? 'highlight selected' : 'highlight';
      span.textContent = text.slice(mark.start, mark.end);
      div.append(span);
      if (mark.active && activeElement === null) activeElement = span;
      cursor = mark.end;
    }
    if (cursor < text.length) div.append(text.slice(cursor));
  });
  return activeElement;
}
