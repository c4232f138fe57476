// What other features may use of the PKCS#11 tokens (eslint rule carddesk/feature-boundaries).
export { TokensPanel } from './TokensPanel';
export { tokensTestIds } from './testIds';
