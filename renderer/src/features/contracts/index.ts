export { ActivationDialog } from './ActivationDialog';
export { ContractList } from './ContractList';
export { contractsTestIds } from './testIds';
