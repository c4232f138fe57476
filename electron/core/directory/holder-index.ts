/**
 * Search, filter, sort and page over every holder in memory, fast at 100,000 holders:
 * - each holder has one folded "haystack" (every field, lower case, accents removed);
 * - a word of three characters or more is looked up in a trigram index, which names a small set of
 *   candidates to check; shorter words are found with one native `indexOf` scan per chunk of 2,048
 *   joined haystacks (an update re-joins only its own chunk);
 * - each sort field has an array of holders in order, built on first use and then kept in order
 *   by binary-search removal and insertion on every change (no full re-sort);
 * - matches are marked in a bitmap by slot, then read off in the chosen order, so sorting costs
 *   nothing per query; with no query and no filter, a page is a slice.
 */
import type { Holder, HolderSearchQuery, HolderSearchResult, HolderSortField } from '../../shared/schemas/holders';
import { TrigramIndex } from './trigram-index';

const NON_ASCII = /[^ -~]/; // anything outside printable ASCII may need folding

export function fold(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() : text.toLowerCase();
}

const searchable: readonly (keyof Holder)[] = [
  'userNumber',
  'personalNumber',
  'firstName',
  'lastName',
  'email',
  'mobile',
  'organisation',
  'contactPerson',
  'documentNumber',
  'documentExpiry',
  'language',
  'state',
];

interface Entry {
  readonly slot: number;
  holder: Holder;
  haystack: string;
  keys: Map<HolderSortField, string>;
}

const CHUNK = 2048;

// Filters compare small numbers in typed arrays by slot: reading a field of 100,000 holder
// objects per query costs far more than the query itself.
const states: readonly Holder['state'][] = ['active', 'suspended', 'disabled'];
const languages: readonly Holder['language'][] = ['en', 'sq', 'it', 'nl'];

interface Chunk {
  text: string;
  /** Where each slot's haystack starts in `text`. */
  starts: Int32Array;
  dirty: boolean;
}

function haystackOf(holder: Holder): string {
  // '\n' separates holders in a chunk's text, so it may not appear inside one.
  return fold(searchable.map((field) => String(holder[field])).join('\u0001')).replace(/\n/g, ' ');
}

function keyOf(entry: Entry, field: HolderSortField): string {
  let key = entry.keys.get(field);
  if (key === undefined) {
    // The id makes every key unique, so a holder's position is found exactly.
    key = `${fold(String(entry.holder[field]))}\u0000${entry.holder.id}`;
    entry.keys.set(field, key);
  }
  return key;
}

function lowerBound(order: readonly Entry[], field: HolderSortField, key: string): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyOf(order[mid] as Entry, field) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class HolderIndex {
  readonly #byId = new Map<string, Entry>();
  readonly #slots: Entry[] = [];
  readonly #chunks: Chunk[] = [];
  readonly #orders = new Map<HolderSortField, Entry[]>();
  readonly #byPersonalNumber = new Map<string, string>();
  readonly #userNumbers = new Set<string>();
  readonly #trigrams = new TrigramIndex();
  #marks = new Uint8Array(0);
  #stateOf: Uint8Array = new Uint8Array(CHUNK);
  #languageOf: Uint8Array = new Uint8Array(CHUNK);

  constructor(holders: Iterable<Holder> = []) {
    for (const holder of holders) this.#insert(holder);
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): Holder | undefined {
    return this.#byId.get(id)?.holder;
  }

  idByPersonalNumber(personalNumber: string): string | undefined {
    return this.#byPersonalNumber.get(personalNumber);
  }

  hasUserNumber(userNumber: string): boolean {
    return this.#userNumbers.has(userNumber);
  }

  #insert(holder: Holder): Entry {
    const entry: Entry = { slot: this.#slots.length, holder, haystack: haystackOf(holder), keys: new Map() };
    this.#slots.push(entry);
    if (entry.slot >= this.#stateOf.length) {
      const grow = (old: Uint8Array): Uint8Array => {
        const bigger = new Uint8Array(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.#stateOf = grow(this.#stateOf);
      this.#languageOf = grow(this.#languageOf);
    }
    this.#codeFilters(entry);
    this.#trigrams.add(entry.slot, entry.haystack);
    this.#byId.set(holder.id, entry);
    this.#byPersonalNumber.set(holder.personalNumber, holder.id);
    this.#userNumbers.add(holder.userNumber);
    this.#dirty(entry.slot);
    return entry;
  }

  #codeFilters(entry: Entry): void {
    this.#stateOf[entry.slot] = states.indexOf(entry.holder.state);
    this.#languageOf[entry.slot] = languages.indexOf(entry.holder.language);
  }

  #dirty(slot: number): void {
    const index = Math.floor(slot / CHUNK);
    const chunk = this.#chunks[index];
    if (chunk === undefined) this.#chunks[index] = { text: '', starts: new Int32Array(0), dirty: true };
    else chunk.dirty = true;
  }

  #chunk(index: number): Chunk {
    const chunk = this.#chunks[index] as Chunk;
    if (chunk.dirty) {
      const entries = this.#slots.slice(index * CHUNK, (index + 1) * CHUNK);
      chunk.starts = new Int32Array(entries.length);
      let offset = 0;
      entries.forEach((entry, i) => {
        chunk.starts[i] = offset;
        offset += entry.haystack.length + 1;
      });
      chunk.text = entries.map((entry) => entry.haystack).join('\n');
      chunk.dirty = false;
    }
    return chunk;
  }

  #order(field: HolderSortField): Entry[] {
    let order = this.#orders.get(field);
    if (order === undefined) {
      order = [...this.#slots].sort((a, b) => (keyOf(a, field) < keyOf(b, field) ? -1 : 1));
      this.#orders.set(field, order);
    }
    return order;
  }

  /** Adds or replaces a holder, keeping every built order sorted. */
  put(holder: Holder): void {
    const entry = this.#byId.get(holder.id);
    if (entry === undefined) {
      const added = this.#insert(holder);
      for (const [field, order] of this.#orders) order.splice(lowerBound(order, field, keyOf(added, field)), 0, added);
      return;
    }
    for (const [field, order] of this.#orders) order.splice(lowerBound(order, field, keyOf(entry, field)), 1);
    this.#byPersonalNumber.delete(entry.holder.personalNumber);
    this.#userNumbers.delete(entry.holder.userNumber);
    entry.holder = holder;
    const before = entry.haystack;
    entry.haystack = haystackOf(holder);
    this.#trigrams.replace(entry.slot, before, entry.haystack);
    this.#codeFilters(entry);
    entry.keys = new Map();
    this.#byPersonalNumber.set(holder.personalNumber, holder.id);
    this.#userNumbers.add(holder.userNumber);
    this.#dirty(entry.slot);
    for (const [field, order] of this.#orders) order.splice(lowerBound(order, field, keyOf(entry, field)), 0, entry);
  }

  /**
   * Marks (in #marks, by slot) every holder that holds all tokens and passes the filters, and
   * returns how many there are.
   */
  #markMatches(tokens: readonly string[], state: number, language: number): number {
    const stateOf = this.#stateOf;
    const languageOf = this.#languageOf;
    const accept = (slot: number): boolean => (state < 0 || stateOf[slot] === state) && (language < 0 || languageOf[slot] === language);
    if (this.#marks.length < this.#slots.length) this.#marks = new Uint8Array(this.#slots.length + CHUNK);
    const marks = this.#marks;
    marks.fill(0);
    let count = 0;
    if (tokens.length === 0) {
      for (let slot = 0; slot < this.#slots.length; slot += 1) {
        if (accept(slot)) {
          marks[slot] = 1;
          count += 1;
        }
      }
      return count;
    }
    const candidates = this.#trigrams.candidates(tokens);
    if (candidates !== null) {
      // A plain loop: tens of thousands of candidates must not allocate a closure each.
      outer: for (let i = 0; i < candidates.length; i += 1) {
        const slot = candidates.slots[i] as number;
        if ((state >= 0 && stateOf[slot] !== state) || (language >= 0 && languageOf[slot] !== language)) continue;
        const { haystack } = this.#slots[slot] as Entry;
        for (const token of tokens) if (!haystack.includes(token)) continue outer;
        marks[slot] = 1;
        count += 1;
      }
      return count;
    }
    // Only words shorter than three characters: scan for the longest, test the others on each hit.
    const [first = '', ...others] = [...tokens].sort((a, b) => b.length - a.length);
    for (let c = 0; c < this.#chunks.length; c += 1) {
      const { text, starts } = this.#chunk(c);
      let from = 0;
      let holder = 0;
      for (;;) {
        const at = text.indexOf(first, from);
        if (at < 0) break;
        // The holder whose haystack contains `at`: hits only move forward, so walk, never search.
        while (holder + 1 < starts.length && (starts[holder + 1] as number) <= at) holder += 1;
        const slot = c * CHUNK + holder;
        const entry = this.#slots[slot] as Entry;
        if (accept(slot) && others.every((token) => entry.haystack.includes(token))) {
          marks[slot] = 1;
          count += 1;
        }
        from = (starts[holder] as number) + entry.haystack.length + 1;
      }
    }
    return count;
  }

  search(query: HolderSearchQuery): HolderSearchResult {
    const order = this.#order(query.sort);
    const tokens = fold(query.query).split(/\s+/).filter((token) => token !== '');
    const descending = query.direction === 'desc';
    const end = query.offset + query.limit;
    if (tokens.length === 0 && query.state === undefined && query.language === undefined) {
      const total = order.length;
      const from = descending ? Math.max(0, total - end) : query.offset;
      const to = descending ? total - query.offset : end;
      const page = order.slice(from, Math.max(from, to));
      if (descending) page.reverse();
      return { total, items: page.map((entry) => entry.holder) };
    }
    const total = this.#markMatches(
      tokens,
      query.state === undefined ? -1 : states.indexOf(query.state),
      query.language === undefined ? -1 : languages.indexOf(query.language),
    );
    // Read the page off in sort order, stopping as soon as it is full.
    const marks = this.#marks;
    const items: Holder[] = [];
    let seen = 0;
    for (let i = 0; i < order.length && seen < end; i += 1) {
      const entry = order[descending ? order.length - 1 - i : i] as Entry;
      if (marks[entry.slot] !== 1) continue;
      if (seen >= query.offset) items.push(entry.holder);
      seen += 1;
    }
    return { total, items };
  }
}
