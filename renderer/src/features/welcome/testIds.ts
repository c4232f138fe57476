export const welcomeTestIds = {
  screen: 'welcome',
  step: (step: string) => `welcome-step-${step}`,
  start: 'welcome-start',
  skip: 'welcome-skip',
  keepPolicy: 'welcome-keep-policy',
  finished: 'welcome-finished',
} as const;
