/** The reader chooser of the card workflows. */
export const readerTestIds = {
  select: 'workflow-reader',
  card: 'workflow-reader-card',
} as const;

export const shellTestIds = {
  title: 'app-title',
  navItem: (path: string) => `nav-${path.replace(/^\//, '')}`,
  languageButton: 'language-button',
  languageOption: (language: string) => `language-${language}`,
  themeToggle: 'theme-toggle',
  plannedScreen: 'planned-screen',
} as const;
