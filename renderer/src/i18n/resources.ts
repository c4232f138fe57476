/** Every language's texts at once, for the tests that compare them (the app loads them one at a time: index.ts). */
import en from './locales/en.json';
import it from './locales/it.json';
import nl from './locales/nl.json';
import sq from './locales/sq.json';

export const resources = {
  en: { translation: en },
  sq: { translation: sq },
  it: { translation: it },
  nl: { translation: nl },
} as const;
