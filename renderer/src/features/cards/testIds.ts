export const cardsTestIds = {
  screen: 'cards-screen',
  serviceStarting: 'pcsc-starting',
  serviceUnavailable: 'pcsc-unavailable',
  noReaders: 'no-readers',
  readerList: 'reader-list',
  readerRow: 'reader-row',
  cardState: 'reader-card-state',
  atr: 'reader-atr',
  announcer: 'reader-announcer',
} as const;
