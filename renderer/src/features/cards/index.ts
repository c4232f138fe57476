// What other features may use of the cards (eslint rule carddesk/feature-boundaries).
export { SecretDialog } from './actions/SecretDialog';
export { useReaders } from './useReaders';
