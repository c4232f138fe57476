export const shellTestIds = {
  title: 'app-title',
  navItem: (path: string) => `nav-${path.replace(/^\//, '')}`,
  languageButton: 'language-button',
  languageOption: (language: string) => `language-${language}`,
  themeToggle: 'theme-toggle',
  plannedScreen: 'planned-screen',
} as const;
