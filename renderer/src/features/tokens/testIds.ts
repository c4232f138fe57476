export const tokensTestIds = {
  panel: 'tokens-panel',
  row: 'token-row',
  objects: 'token-objects',
  none: 'tokens-none',
  checkPin: (index: number) => `token-check-pin-${index}`,
  showObjects: (index: number) => `token-objects-${index}`,
  message: 'tokens-message',
  tabReaders: 'tab-readers',
  tabTokens: 'tab-tokens',
} as const;
