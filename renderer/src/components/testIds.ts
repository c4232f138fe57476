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
  databaseLost: 'database-lost',
} as const;

/** The second operator's approval dialog (issue 17 §4). */
export const approvalTestIds = {
  dialog: 'approval-dialog',
  summary: 'approval-summary',
  reader: 'approval-reader',
  noReader: 'approval-no-reader',
  pin: 'approval-pin',
  refusal: 'approval-refusal',
  approve: 'approval-approve',
  cancel: 'approval-cancel',
} as const;
