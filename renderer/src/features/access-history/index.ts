// What other features may use of the access history (eslint rule carddesk/feature-boundaries).
export { HolderAccessHistory } from './HolderAccessHistory';
export { useLiveRefresh } from './useLiveRefresh';
