import { describe, expect, it } from 'vitest';
import { findInItems } from './search';

describe('findInItems', () => {
  it('finds every occurrence, case-insensitively', () => {
    expect(findInItems(['Holder: Arta', ' and ARTA'], 'arta').map((hit) => hit.segments)).toEqual([
      [{ item: 0, start: 8, end: 12 }],
      [{ item: 1, start: 5, end: 9 }],
    ]);
  });

  it('finds a phrase split across items and maps it to both', () => {
    expect(findInItems(['card se', 'rial 00A1'], 'serial')).toEqual([
      {
        segments: [
          { item: 0, start: 5, end: 7 },
          { item: 1, start: 0, end: 4 },
        ],
      },
    ]);
  });

  it('finds nothing for an empty query', () => {
    expect(findInItems(['text'], '  ')).toEqual([]);
  });
});
