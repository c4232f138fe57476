import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import it from './locales/it.json';
import nl from './locales/nl.json';
import sq from './locales/sq.json';

export const languages = ['en', 'sq', 'it', 'nl'] as const;
export type Language = (typeof languages)[number];

export const resources = {
  en: { translation: en },
  sq: { translation: sq },
  it: { translation: it },
  nl: { translation: nl },
} as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    // Keys are checked against English, the source locale; the locale test checks the others.
    resources: { translation: typeof en };
  }
}

const STORAGE_KEY = 'carddesk.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function initialLanguage(): Language {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  const preferred = navigator.languages.map((tag) => tag.slice(0, 2).toLowerCase()).find(isLanguage);
  return preferred ?? 'en';
}

/** The language in use; always one of ours (i18next falls back to English). */
export function currentLanguage(i18n: { resolvedLanguage?: string | undefined }): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

export async function initI18n(): Promise<void> {
  await i18next.use(initReactI18next).init({
    resources,
    lng: initialLanguage(),
    fallbackLng: 'en',
    supportedLngs: languages,
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = i18next.language;
  i18next.on('languageChanged', (language) => {
    document.documentElement.lang = language;
    window.localStorage.setItem(STORAGE_KEY, language);
  });
}
