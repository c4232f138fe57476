// What other features may use of the card life cycle (eslint rule carddesk/feature-boundaries).
export { CardWorkflowDialog, type WorkflowRequest } from './CardWorkflowDialog';
export { ExpiryWatch } from './ExpiryWatch';
export { UnblockResponseDialog } from './UnblockResponseDialog';
export { cardRevocationReasons, cardStateColor, keyAlgorithms, keyRoles, letterRecipients, type CardRevocationReason } from './labels';
export { lifecycleTestIds } from './testIds';
export { useWorkflowProgress } from './useWorkflowProgress';
export { WorkflowSteps } from './WorkflowSteps';
