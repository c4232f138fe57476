export const settingsTestIds = {
  screen: 'settings-screen',
  version: 'settings-version',
  dataFolder: 'settings-data-folder',
  mode: 'settings-mode',
  themeSelect: 'settings-theme',
  languageSelect: 'settings-language',
} as const;
