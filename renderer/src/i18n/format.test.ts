import { describe, expect, it } from 'vitest';
import { formatFor } from './format';

// Node carries full ICU (CLDR) data, Chromium's trimmed copy has no Albanian: the supplied Albanian
// must write what CLDR itself writes.
describe('Albanian where the runtime has no Albanian data', () => {
  const supplied = formatFor('sq', () => false);
  const cldr = (options: Intl.DateTimeFormatOptions, date: Date): string => new Intl.DateTimeFormat('sq', options).format(date);
  const dates = Array.from({ length: 12 }, (_, month) => new Date(2026, month, month + 1, month + 8, 5 * month, 7));

  it('is what Node knows as Albanian (this runtime has the data)', () => {
    expect(Intl.DateTimeFormat.supportedLocalesOf(['sq'])).toEqual(['sq']);
  });

  it.each(['short', 'medium', 'long'] as const)('writes every month of a %s date as CLDR does', (style) => {
    for (const date of dates) expect(supplied.date(date, style)).toBe(cldr({ dateStyle: style }, date));
  });

  it.each(['short', 'medium', 'long'] as const)('writes a %s date and time as CLDR does on a 24-hour clock', (style) => {
    for (const date of dates) {
      expect(supplied.dateTime(date, { style, seconds: true })).toBe(cldr({ dateStyle: style, timeStyle: 'medium', hourCycle: 'h23' }, date));
      expect(supplied.dateTime(date, { style })).toBe(cldr({ dateStyle: style, timeStyle: 'short', hourCycle: 'h23' }, date));
    }
  });

  it('writes numbers and lists as CLDR does', () => {
    for (const value of [0, 7, 1234, 1234567.5, -98765.25]) expect(supplied.number(value)).toBe(new Intl.NumberFormat('sq').format(value));
    for (const items of [['a'], ['a', 'b'], ['PIN', 'PUK', 'çelësi']]) expect(supplied.list(items)).toBe(new Intl.ListFormat('sq', { type: 'conjunction' }).format(items));
  });

  it('takes ISO strings as well as dates', () => {
    expect(supplied.date('2026-11-05T10:00:00Z', 'long')).toMatch(/^\d+ nëntor 2026$/);
  });
});

describe('languages the runtime knows', () => {
  it.each(['en', 'it', 'nl'] as const)('%s uses the runtime data even when told it is missing (nothing supplied)', (language) => {
    const date = new Date(2026, 2, 5, 14, 3);
    expect(formatFor(language, () => false).date(date, 'long')).toBe(new Intl.DateTimeFormat(language, { dateStyle: 'long' }).format(date));
  });
});
