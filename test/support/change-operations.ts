/** The operations the change-events kill test runs, and the audit action each one's change records. */
export const CHANGE_OPERATIONS = ['import', 'issue', 'revoke', 'suspend', 'card'] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];

export const changeAction = {
  import: 'holder.import',
  issue: 'ca.certificateIssue',
  revoke: 'ca.certificateRevoke',
  suspend: 'ca.certificateSuspend',
  card: 'card.issue',
} as const satisfies Record<ChangeOperation, string>;
