import { describe, expect, it } from 'vitest';
import { TrigramIndex } from './trigram-index';

const slotsOf = (result: { slots: Int32Array; length: number } | null) => (result === null ? null : [...result.slots.subarray(0, result.length)]);

describe('TrigramIndex', () => {
  it('names every slot that may hold a word, and no slot that cannot', () => {
    const index = new TrigramIndex();
    ['ada\u0001lovelace', 'grace\u0001hopper', 'alan\u0001turing', 'lovely\u0001day'].forEach((text, slot) => index.add(slot, text));
    expect(slotsOf(index.candidates(['love']))).toEqual([0, 3]);
    expect(slotsOf(index.candidates(['hopper']))).toEqual([1]);
    expect(slotsOf(index.candidates(['xyz']))).toEqual([]);
    // A trigram across a field separator is never indexed: "a\u0001l" is not "adal".
    expect(slotsOf(index.candidates(['adal']))).toEqual([]);
    expect(index.candidates(['al', 'a'])).toBeNull();
  });

  it('moves an edited slot to its new trigrams and keeps the lists sorted', () => {
    const index = new TrigramIndex();
    for (let slot = 0; slot < 50; slot += 1) index.add(slot, slot % 2 === 0 ? 'even number' : 'odd number');
    index.replace(10, 'even number', 'odd number');
    index.replace(11, 'odd number', 'prime');
    expect(slotsOf(index.candidates(['odd']))).toEqual([...Array.from({ length: 25 }, (_, i) => 2 * i + 1).filter((s) => s !== 11), 10].sort((a, b) => a - b));
    expect(slotsOf(index.candidates(['prime']))).toEqual([11]);
    expect(slotsOf(index.candidates(['even']))).not.toContain(10);
  });
});
