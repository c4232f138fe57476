/**
 * Search, filter, sort and page over every holder in memory, fast at 100,000 holders:
 * - each holder has one folded "haystack" (every field, lower case, accents removed), so a
 *   query is a substring test per holder rather than one per field;
 * - each sort field has an array of holder ids in order, built on first use and then kept in
 *   order by binary-search removal and insertion on every change (no full re-sort);
 * - with no query and no filter, a page is a slice of that array.
 */
import type { Holder, HolderSearchQuery, HolderSearchResult, HolderSortField } from '../../shared/schemas/holders';

export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
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
  readonly holder: Holder;
  readonly haystack: string;
  readonly keys: Map<HolderSortField, string>;
}

function sortKey(holder: Holder, field: HolderSortField): string {
  // The id makes every key unique, so a holder's position is found exactly.
  return `${fold(String(holder[field]))}\u0000${holder.id}`;
}

function lowerBound(order: readonly string[], keyOf: (id: string) => string, key: string): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyOf(order[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class HolderIndex {
  readonly #entries = new Map<string, Entry>();
  readonly #orders = new Map<HolderSortField, string[]>();
  readonly #byPersonalNumber = new Map<string, string>();
  readonly #userNumbers = new Set<string>();

  constructor(holders: Iterable<Holder> = []) {
    for (const holder of holders) this.#add(holder);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): Holder | undefined {
    return this.#entries.get(id)?.holder;
  }

  idByPersonalNumber(personalNumber: string): string | undefined {
    return this.#byPersonalNumber.get(personalNumber);
  }

  hasUserNumber(userNumber: string): boolean {
    return this.#userNumbers.has(userNumber);
  }

  #keyOf(field: HolderSortField): (id: string) => string {
    return (id) => {
      const entry = this.#entries.get(id) as Entry;
      let key = entry.keys.get(field);
      if (key === undefined) entry.keys.set(field, (key = sortKey(entry.holder, field)));
      return key;
    };
  }

  #order(field: HolderSortField): string[] {
    let order = this.#orders.get(field);
    if (order === undefined) {
      const keyOf = this.#keyOf(field);
      order = [...this.#entries.keys()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
      this.#orders.set(field, order);
    }
    return order;
  }

  #add(holder: Holder): void {
    const haystack = fold(searchable.map((field) => String(holder[field])).join('\u0001'));
    this.#entries.set(holder.id, { holder, haystack, keys: new Map() });
    this.#byPersonalNumber.set(holder.personalNumber, holder.id);
    this.#userNumbers.add(holder.userNumber);
  }

  /** Adds or replaces a holder, keeping every built order sorted. */
  put(holder: Holder): void {
    const old = this.#entries.get(holder.id);
    for (const [field, order] of this.#orders) {
      if (old !== undefined) {
        const at = lowerBound(order, this.#keyOf(field), this.#keyOf(field)(holder.id));
        order.splice(at, 1);
      }
    }
    if (old !== undefined) {
      this.#byPersonalNumber.delete(old.holder.personalNumber);
      this.#userNumbers.delete(old.holder.userNumber);
    }
    this.#add(holder);
    for (const [field, order] of this.#orders) {
      const keyOf = this.#keyOf(field);
      order.splice(lowerBound(order, keyOf, keyOf(holder.id)), 0, holder.id);
    }
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
      const ids = order.slice(from, Math.max(from, to));
      if (descending) ids.reverse();
      return { total, items: ids.map((id) => (this.#entries.get(id) as Entry).holder) };
    }
    const items: Holder[] = [];
    let total = 0;
    for (let i = 0; i < order.length; i += 1) {
      const entry = this.#entries.get(order[descending ? order.length - 1 - i : i] as string) as Entry;
      const { holder, haystack } = entry;
      if (query.state !== undefined && holder.state !== query.state) continue;
      if (query.language !== undefined && holder.language !== query.language) continue;
      if (!tokens.every((token) => haystack.includes(token))) continue;
      if (total >= query.offset && total < end) items.push(holder);
      total += 1;
    }
    return { total, items };
  }
}
