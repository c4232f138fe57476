export const kioskTestIds = {
  shell: 'kiosk-shell',
  welcome: 'kiosk-welcome',
  insertCard: 'kiosk-insert-card',
  cardDetected: 'kiosk-card-detected',
  unavailable: 'kiosk-unavailable',
  languageOption: (language: string) => `kiosk-language-${language}`,
} as const;
