import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage, type Language } from './index';

/**
 * Dates, numbers and lists in the chosen language, for every screen. Chromium ships trimmed locale data
 * without Albanian (`Intl.DateTimeFormat.supportedLocalesOf(['sq'])` is empty there, and 'sq' formats as
 * English), so where the runtime lacks a language this module writes it from the CLDR patterns below.
 */
export type DateStyle = 'short' | 'medium' | 'long';

export interface Format {
  /** A calendar date: short 5.3.26, medium 5 mar 2026, long 5 mars 2026 (Albanian). */
  date(value: string | Date, style?: DateStyle): string;
  /** A date with the time of day, to the minute or (for the access history) the second. */
  dateTime(value: string | Date, options?: { style?: DateStyle; seconds?: boolean }): string;
  number(value: number): string;
  /** "a, b and c" in the language's words. */
  list(items: readonly string[]): string;
}

/** CLDR 44 data for the languages a runtime may lack (checked against Node's full ICU in format.test.ts). */
interface LocaleData {
  readonly months: readonly string[];
  readonly monthsShort: readonly string[];
  /** Day, month (1-based) and year → the date in each style. */
  readonly dates: Record<DateStyle, (day: number, month: number, year: number) => string>;
  readonly dateTimeJoin: Record<DateStyle, string>;
  readonly group: string;
  readonly minimumGrouping: 1 | 2;
  readonly decimal: string;
  readonly and: string;
}

const albanian: LocaleData = {
  months: ['janar', 'shkurt', 'mars', 'prill', 'maj', 'qershor', 'korrik', 'gusht', 'shtator', 'tetor', 'nëntor', 'dhjetor'],
  monthsShort: ['jan', 'shk', 'mar', 'pri', 'maj', 'qer', 'korr', 'gush', 'sht', 'tet', 'nën', 'dhj'],
  dates: {
    short: (day, month, year) => `${day}.${month}.${String(year % 100).padStart(2, '0')}`,
    medium: (day, month, year) => `${day} ${albanian.monthsShort[month - 1] ?? ''} ${year}`,
    long: (day, month, year) => `${day} ${albanian.months[month - 1] ?? ''} ${year}`,
  },
  dateTimeJoin: { short: ', ', medium: ', ', long: ' në ' },
  group: '\u00a0',
  minimumGrouping: 2,
  decimal: ',',
  and: 'dhe',
};

const supplied: Partial<Record<Language, LocaleData>> = { sq: albanian };

const hasLocaleData = (language: Language): boolean => Intl.DateTimeFormat.supportedLocalesOf([language]).length > 0;

const asDate = (value: string | Date): Date => (typeof value === 'string' ? new Date(value) : value);
const two = (n: number): string => String(n).padStart(2, '0');

function fromIntl(language: Language): Format {
  return {
    date: (value, style = 'medium') => new Intl.DateTimeFormat(language, { dateStyle: style }).format(asDate(value)),
    dateTime: (value, { style = 'medium', seconds = false } = {}) =>
      new Intl.DateTimeFormat(language, { dateStyle: style, timeStyle: seconds ? 'medium' : 'short' }).format(asDate(value)),
    number: (value) => new Intl.NumberFormat(language).format(value),
    list: (items) => new Intl.ListFormat(language, { type: 'conjunction' }).format(items),
  };
}

function fromData(data: LocaleData): Format {
  const date = (value: string | Date, style: DateStyle = 'medium'): string => {
    const d = asDate(value);
    return data.dates[style](d.getDate(), d.getMonth() + 1, d.getFullYear());
  };
  return {
    date,
    // 24-hour clock, as Albanian texts write the time.
    dateTime: (value, { style = 'medium', seconds = false } = {}) => {
      const d = asDate(value);
      return `${date(d, style)}${data.dateTimeJoin[style]}${two(d.getHours())}:${two(d.getMinutes())}${seconds ? `:${two(d.getSeconds())}` : ''}`;
    },
    number: (value) =>
      // CLDR's minimum grouping digits for Albanian is 2: 1234, but 12 345.
      new Intl.NumberFormat('en', { useGrouping: data.minimumGrouping === 2 ? 'min2' : 'always' })
        .formatToParts(value)
        .map((part) => (part.type === 'group' ? data.group : part.type === 'decimal' ? data.decimal : part.value))
        .join(''),
    list: (items) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${data.and} ${items[items.length - 1] ?? ''}`),
  };
}

/** The formatter for a language; `runtimeHasLocale` is replaceable so tests can take either path. */
export function formatFor(language: Language, runtimeHasLocale: (language: Language) => boolean = hasLocaleData): Format {
  const data = supplied[language];
  return data !== undefined && !runtimeHasLocale(language) ? fromData(data) : fromIntl(language);
}

/** The formatter for the language the screen is shown in; follows a change of language. */
export function useFormat(): Format {
  const { i18n } = useTranslation();
  const language = currentLanguage(i18n);
  return useMemo(() => formatFor(language), [language]);
}
