// What other features may use of the vault (eslint rule carddesk/feature-boundaries).
export { useVault, VaultProvider } from './VaultContext';
export { VaultPanel } from './VaultPanel';
export { vaultTestIds } from './testIds';
