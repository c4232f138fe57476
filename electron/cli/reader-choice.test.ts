import { describe, expect, it } from 'vitest';
import type { ReaderList } from '../shared/schemas/readers';
import { chooseReader } from './reader-choice';

type Reader = ReaderList['readers'][number];

function registry(readers: { name: string; cardState: 'absent' | 'present' }[]) {
  return { list: () => ({ readers: readers as unknown as Reader[] }) as ReaderList };
}

describe('chooseReader (every CLI command with --reader)', () => {
  const two = registry([
    { name: 'Reader A', cardState: 'present' },
    { name: 'Reader B', cardState: 'absent' },
  ]);

  it('takes the reader named, if it exists, whether or not it holds a card', () => {
    expect(chooseReader(two, 'Reader B')).toBe('Reader B');
    expect(() => chooseReader(two, 'Reader C')).toThrow('No reader named "Reader C". Readers: Reader A, Reader B.');
    expect(() => chooseReader(registry([]), 'Reader C')).toThrow('No reader named "Reader C". Readers: none.');
  });

  it('else the only reader holding a card, and refuses none or several', () => {
    expect(chooseReader(two, undefined)).toBe('Reader A');
    expect(() => chooseReader(registry([{ name: 'Reader B', cardState: 'absent' }]), undefined)).toThrow('No reader holds a card.');
    expect(() =>
      chooseReader(
        registry([
          { name: 'Reader A', cardState: 'present' },
          { name: 'Reader B', cardState: 'present' },
        ]),
        undefined,
      ),
    ).toThrow('Several readers hold a card; choose one with --reader: Reader A, Reader B.');
  });
});
