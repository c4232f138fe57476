/**
 * Which holders' haystacks contain a trigram, for substring search over 100,000 holders without
 * scanning them all (the idea of PostgreSQL's pg_trgm). A word of three or more characters can only
 * occur in a haystack that holds all of its trigrams, so the shortest of their posting lists is a
 * small superset of the matches, checked exactly afterwards. Posting lists are sorted Int32Arrays
 * of slots: new holders append, an edited holder moves only the trigrams that changed.
 */

/** A trigram as one number (three UTF-16 code units); field separators (\u0001) never belong to one. */
function trigramsOf(text: string, visit: (key: number) => void): void {
  for (let i = 0; i + 2 < text.length; i += 1) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    if (a === 1 || b === 1 || c === 1) continue;
    visit(a * 0x1_0000_0000 + b * 0x1_0000 + c);
  }
}

class Posting {
  slots = new Int32Array(4);
  length = 0;

  #grow(): void {
    const bigger = new Int32Array(this.slots.length * 2);
    bigger.set(this.slots);
    this.slots = bigger;
  }

  #find(slot: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.slots[mid] as number) < slot) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  add(slot: number): void {
    if (this.length > 0 && this.slots[this.length - 1] === slot) return;
    if (this.length === this.slots.length) this.#grow();
    if (this.length === 0 || (this.slots[this.length - 1] as number) < slot) {
      this.slots[this.length++] = slot;
      return;
    }
    const at = this.#find(slot);
    if (this.slots[at] === slot) return;
    this.slots.copyWithin(at + 1, at, this.length);
    this.slots[at] = slot;
    this.length += 1;
  }

  remove(slot: number): void {
    const at = this.#find(slot);
    if (at >= this.length || this.slots[at] !== slot) return;
    this.slots.copyWithin(at, at + 1, this.length);
    this.length -= 1;
  }
}

export class TrigramIndex {
  readonly #postings = new Map<number, Posting>();

  /** Adds a new slot (slots arrive in increasing order while building). */
  add(slot: number, haystack: string): void {
    trigramsOf(haystack, (key) => {
      let posting = this.#postings.get(key);
      if (posting === undefined) this.#postings.set(key, (posting = new Posting()));
      posting.add(slot);
    });
  }

  /** Moves a slot from the old haystack's trigrams to the new one's, touching only the difference. */
  replace(slot: number, before: string, after: string): void {
    const old = new Set<number>();
    trigramsOf(before, (key) => old.add(key));
    const next = new Set<number>();
    trigramsOf(after, (key) => next.add(key));
    for (const key of old) if (!next.has(key)) this.#postings.get(key)?.remove(slot);
    for (const key of next) {
      if (old.has(key)) continue;
      let posting = this.#postings.get(key);
      if (posting === undefined) this.#postings.set(key, (posting = new Posting()));
      posting.add(slot);
    }
  }

  /**
   * The slots that may contain every word (a superset of the matches), or null when no word has
   * three characters (the caller scans instead).
   */
  candidates(words: readonly string[]): { slots: Int32Array; length: number } | null {
    let best: Posting | null = null;
    let any = false;
    for (const word of words) {
      if (word.length < 3) continue;
      any = true;
      let missing = false;
      trigramsOf(word, (key) => {
        const posting = this.#postings.get(key);
        if (posting === undefined) missing = true;
        else if (best === null || posting.length < best.length) best = posting;
      });
      if (missing) return { slots: new Int32Array(0), length: 0 };
    }
    if (!any || best === null) return null;
    const found: Posting = best;
    return { slots: found.slots, length: found.length };
  }
}
