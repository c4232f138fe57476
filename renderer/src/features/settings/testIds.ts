export const settingsTestIds = {
  screen: 'settings-screen',
  version: 'settings-version',
  dataFolder: 'settings-data-folder',
  mode: 'settings-mode',
  themeSelect: 'settings-theme',
  languageSelect: 'settings-language',
  pkcs11: 'settings-pkcs11',
  pkcs11Row: 'pkcs11-module-row',
  pkcs11Name: 'pkcs11-module-name',
  pkcs11Path: 'pkcs11-module-path',
  pkcs11Add: 'pkcs11-module-add',
} as const;
