import type { CardRecordState } from '@shared/schemas/holders';
import type { IssuancePolicy, LifecycleFailure } from '@shared/schemas/lifecycle';
import type { ChannelArgs } from '@shared/contract';

// The contract's enumerations, as values from the zod-free modules the schemas build on.
export { asymmetricAlgorithms as keyAlgorithms, cardRecordStates, cardRevocationReasons, letterRecipients, lifecycleFailures } from '@shared/enums';

/** The steps and the workflows' plans come from the one zod-free list the services run. */
export { workflowPlans as stepPlans, workflowSteps as workflowStepOrder, type WorkflowKind } from '@shared/workflow-plans';

/** Failures after which the personalisation can be resumed or restarted (the card was there and known). */
export const resumableFailures: readonly LifecycleFailure[] = ['cardRemoved', 'noCard', 'cardInUse', 'awaitingUnblock', 'personalisationIncomplete', 'wrongManagementKey', 'cardUnsupported'];

export type CardRevocationReason = ChannelArgs<'cards:revoke'>['reason'];

export type KeyAlgorithm = IssuancePolicy['keys']['authentication'];
export const keyRoles: readonly (keyof IssuancePolicy['keys'])[] = ['authentication', 'signature', 'encryption'];

export function cardStateColor(state: CardRecordState): 'success' | 'warning' | 'error' | 'default' | 'info' {
  switch (state) {
    case 'active':
      return 'success';
    case 'suspended':
    case 'personalisationIncomplete':
    case 'awaitingActivation':
      return 'warning';
    case 'revoked':
    case 'lost':
      return 'error';
    case 'blank':
      return 'info';
    case 'retired':
      return 'default';
  }
}

/** The expiry-watch warning levels, in days. */
export const expiryWindows = [60, 30, 14, 7] as const;
export type ExpiryWindow = (typeof expiryWindows)[number];
