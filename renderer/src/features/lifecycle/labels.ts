import type { CardRecordState } from '@shared/schemas/holders';
import type { IssuancePolicy, LifecycleFailure, WorkflowStep } from '@shared/schemas/lifecycle';
import type { ChannelArgs } from '@shared/contract';

// The contract's enumerations as the screens offer them (the renderer imports only types; a unit
// test checks these lists against the schemas).

/** Every step a card workflow may take, in the order personalisation runs them. */
export const workflowStepOrder: readonly WorkflowStep[] = [
  'identify',
  'authenticate',
  'managementKey',
  'pinPuk',
  'authenticationKey',
  'signatureKey',
  'encryptionKey',
  'certificates',
  'writeObjects',
  'recoverKeys',
  'revokeCertificates',
  'pinReset',
  'factoryReset',
  'letters',
  'activate',
];

const personalisation: readonly WorkflowStep[] = [
  'identify',
  'authenticate',
  'managementKey',
  'pinPuk',
  'authenticationKey',
  'signatureKey',
  'encryptionKey',
  'certificates',
  'writeObjects',
];

export type WorkflowKind = 'issue' | 'replace' | 'resume' | 'restart' | 'renew' | 'resetPin' | 'retire';

/**
 * The steps each workflow is expected to take, shown as "waiting" before the card is touched.
 * The services announce every step they take (or skip), so a step not foreseen here still appears.
 */
export const stepPlans: Readonly<Record<WorkflowKind, readonly WorkflowStep[]>> = {
  issue: [...personalisation, 'letters', 'activate'],
  replace: [...personalisation, 'recoverKeys', 'letters', 'activate'],
  resume: [...personalisation, 'letters', 'activate'],
  restart: [...personalisation, 'letters', 'activate'],
  renew: ['identify', 'authenticate', 'authenticationKey', 'signatureKey', 'encryptionKey', 'certificates', 'writeObjects', 'recoverKeys', 'revokeCertificates'],
  resetPin: ['identify', 'authenticate', 'pinReset', 'letters'],
  retire: ['identify', 'revokeCertificates', 'factoryReset'],
};

export const lifecycleFailures: readonly LifecycleFailure[] = [
  'noCard',
  'cardRemoved',
  'cardInUse',
  'notPiv',
  'noSerial',
  'wrongCard',
  'alreadyIssued',
  'foreignCard',
  'unknownCard',
  'invalidState',
  'personalisationIncomplete',
  'wrongManagementKey',
  'cardUnsupported',
];

/** Failures after which the personalisation can be resumed or restarted (the card was there and known). */
export const resumableFailures: readonly LifecycleFailure[] = ['cardRemoved', 'noCard', 'cardInUse', 'personalisationIncomplete', 'wrongManagementKey', 'cardUnsupported'];

export type CardRevocationReason = ChannelArgs<'cards:revoke'>['reason'];
export const cardRevocationReasons: readonly CardRevocationReason[] = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'];

export type KeyAlgorithm = IssuancePolicy['keys']['authentication'];
export const keyAlgorithms: readonly KeyAlgorithm[] = ['rsa2048', 'rsa3072', 'rsa4096', 'eccp256', 'eccp384'];
export const keyRoles: readonly (keyof IssuancePolicy['keys'])[] = ['authentication', 'signature', 'encryption'];
export const letterRecipients: readonly IssuancePolicy['userNumberRecipient'][] = ['holder', 'contactPerson'];

export const cardRecordStates: readonly CardRecordState[] = ['blank', 'personalisationIncomplete', 'active', 'suspended', 'revoked', 'retired', 'lost'];

export function cardStateColor(state: CardRecordState): 'success' | 'warning' | 'error' | 'default' | 'info' {
  switch (state) {
    case 'active':
      return 'success';
    case 'suspended':
    case 'personalisationIncomplete':
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
