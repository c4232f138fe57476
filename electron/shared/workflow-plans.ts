/**
 * The steps of the card workflows, as plain constants (no zod): the services run them and the
 * screens show them as "waiting" before the card is touched, from this one list.
 *
 * Every step a card workflow may take. Personalisation runs them in this order (PRODUCT.md
 * "Cards", issue 5): identify, authenticate with the factory management key, set the card's own
 * key, PIN/PUK/retry limits, the three keys, the certificates, write them with CHUID and CCC,
 * (for a replacement: recover the escrowed keys), the PIN letters, and only then mark it active
 * — so a card whose letters could not be made is never active. Renew, retire and PIN reset run a
 * subset, plus their own steps.
 */
export const workflowSteps = [
  'identify',
  'authenticate',
  'managementKey',
  'pinPuk',
  'authenticationKey',
  'signatureKey',
  'encryptionKey',
  'cardAuthenticationKey',
  'certificates',
  'writeObjects',
  'recoverKeys',
  'revokeCertificates',
  'pinReset',
  'factoryReset',
  'letters',
  'contract',
  'verifyPin',
  'signContract',
  'activate',
] as const;
export type WorkflowStep = (typeof workflowSteps)[number];

/** The key steps, one per slot (9A, 9C, 9D, 9E). */
export const keySteps = ['authenticationKey', 'signatureKey', 'encryptionKey', 'cardAuthenticationKey'] as const satisfies readonly WorkflowStep[];

const personalisation = ['identify', 'authenticate', 'managementKey', 'pinPuk', ...keySteps, 'certificates', 'writeObjects'] as const;

export type WorkflowKind = 'issue' | 'replace' | 'resume' | 'restart' | 'renew' | 'resetPin' | 'retire' | 'activate';

/** The steps each workflow takes (a resumed personalisation skips the ones already done). */
export const workflowPlans: Readonly<Record<WorkflowKind, readonly WorkflowStep[]>> = {
  issue: [...personalisation, 'letters', 'contract', 'activate'],
  replace: [...personalisation, 'recoverKeys', 'letters', 'contract', 'activate'],
  resume: [...personalisation, 'letters', 'contract', 'activate'],
  restart: [...personalisation, 'letters', 'contract', 'activate'],
  renew: ['identify', 'authenticate', ...keySteps, 'certificates', 'writeObjects', 'recoverKeys', 'revokeCertificates', 'contract'],
  resetPin: ['identify', 'authenticate', 'pinReset', 'letters'],
  retire: ['identify', 'revokeCertificates', 'factoryReset'],
  /** The holder activates a newly issued card: the PIN from the PIN letter, then the card's 9C key signs the contract. */
  activate: ['identify', 'verifyPin', 'signContract', 'activate'],
};
