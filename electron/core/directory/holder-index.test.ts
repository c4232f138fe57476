import { describe, expect, it } from 'vitest';
import { holderAccountDefaults, type Holder, type HolderSearchQuery } from '../../shared/schemas/holders';
import { holderInput } from '../../../test/support/vault-fixtures';
import { fold, HolderIndex } from './holder-index';

function holder(n: number, overrides: Partial<Holder> = {}): Holder {
  return { ...holderInput(n), ...holderAccountDefaults, id: `id-${n}`, userNumber: String(10_000_000_000_000 + n), createdAt: '', updatedAt: `2026-01-${String((n % 28) + 1).padStart(2, '0')}`, version: 1, ...overrides };
}

const query = (q: Partial<HolderSearchQuery>): HolderSearchQuery => ({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 25, ...q });

/** The same search done the slow, obvious way. */
function bruteForce(holders: Holder[], q: HolderSearchQuery): Holder[] {
  const tokens = fold(q.query).split(/\s+/).filter(Boolean);
  const key = (h: Holder) => `${fold(String(h[q.sort]))}\u0000${h.id}`;
  const matches = holders
    .filter((h) => (q.state === undefined || h.state === q.state) && tokens.every((t) => fold(Object.values(h).join(' ')).includes(t)))
    .sort((a, b) => (key(a) < key(b) ? -1 : 1));
  if (q.direction === 'desc') matches.reverse();
  return matches;
}

describe('HolderIndex', () => {
  const names = ['Çelaj', 'Berisha', 'Hoxha', 'De Vries', 'Rossi', 'Krasniqi', 'Bianchi', 'Jansen'];
  const holders = Array.from({ length: 400 }, (_, i) =>
    holder(i, { lastName: `${names[i % names.length]}${i % 7}`, state: i % 5 === 0 ? 'suspended' : 'active', organisation: i % 3 === 0 ? 'Ministria e Brendshme' : 'Comune di Roma' }),
  );

  it.each([
    query({}),
    query({ query: 'celaj' }),
    query({ query: 'roma rossi', sort: 'firstName', direction: 'desc' }),
    query({ state: 'suspended', sort: 'userNumber', offset: 10, limit: 7 }),
    query({ query: 'brendshme', sort: 'updatedAt', direction: 'desc', offset: 5 }),
    query({ sort: 'personalNumber', direction: 'desc', offset: 390, limit: 25 }),
  ])('pages, sorts and filters like a brute-force search (%j)', (q) => {
    const index = new HolderIndex(holders);
    const expected = bruteForce(holders, q);
    const result = index.search(q);
    expect(result.total).toBe(expected.length);
    expect(result.items.map((h) => h.id)).toEqual(expected.slice(q.offset, q.offset + q.limit).map((h) => h.id));
  });

  it('keeps its sort orders right through updates', () => {
    const index = new HolderIndex(holders);
    index.search(query({ sort: 'lastName' }));
    const copy = [...holders];
    for (let i = 0; i < 50; i += 1) {
      const changed = { ...(copy[i * 7] as Holder), lastName: `Aaa${50 - i}`, version: 2 };
      copy[i * 7] = changed;
      index.put(changed);
    }
    index.put(holder(9999, { lastName: 'Zzz' }));
    copy.push(holder(9999, { lastName: 'Zzz' }));
    const q = query({ limit: 500 });
    expect(index.search(q).items.map((h) => h.id)).toEqual(bruteForce(copy, q).map((h) => h.id));
    // Words are found through the trigram index: edited names are found by their new value only.
    for (const words of ['aaa1', 'aaa', 'zzz', 'krasniqi', 'rossi3 roma', 'aa', 'ab']) {
      const found = query({ query: words, limit: 500 });
      expect(index.search(found).items.map((h) => h.id), words).toEqual(bruteForce(copy, found).map((h) => h.id));
    }
    expect(index.idByPersonalNumber(holder(9999).personalNumber)).toBe('id-9999');
  });
});
