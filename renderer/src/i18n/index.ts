import i18next, { type BackendModule, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';

export const languages = ['en', 'sq', 'it', 'nl'] as const;
export type Language = (typeof languages)[number];

/**
 * English is built in (the fallback, and the source the keys are typed from); the other languages
 * are separate chunks loaded when chosen, so the start-up bundle carries one language's texts, not
 * four. i18next loads a language through this backend before it switches to it.
 */
const otherLanguages: Record<Exclude<Language, 'en'>, () => Promise<{ default: ResourceKey }>> = {
  sq: () => import('./locales/sq.json'),
  it: () => import('./locales/it.json'),
  nl: () => import('./locales/nl.json'),
};

const languageChunks: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read: (language, _namespace, callback) => {
    const load = language in otherLanguages ? otherLanguages[language as keyof typeof otherLanguages] : null;
    if (load === null) return callback(null, language === 'en' ? en : {});
    load().then(
      (module) => callback(null, module.default),
      (error: unknown) => callback(error as Error, false),
    );
  },
};

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
  await i18next.use(languageChunks).use(initReactI18next).init({
    resources: { en: { translation: en } },
    partialBundledLanguages: true,
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
