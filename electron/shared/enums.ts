/**
 * The contract's enumerations as plain constants, with no zod: the schemas build their enums from
 * these, and the renderer imports them as values without pulling zod into its start-up bundle
 * (test/integration/built-bundles.test.ts). Like workflow-plans.ts, this module imports nothing.
 */

/** The welcome flow's steps on a new data folder, in order. */
export const welcomeSteps = ['vault', 'ca', 'policy', 'holder'] as const;
/** The welcome steps the operator may skip (the vault cannot be). */
export const skippableWelcomeSteps = ['ca', 'policy', 'holder'] as const;

/** The CA key algorithms, in the order the wizard offers them. */
export const caAlgorithms = ['p384', 'rsa3072', 'rsa4096'] as const;

export const certificateProfiles = ['authentication', 'signature', 'encryption', 'cardAuthentication', 'ocspSigning', 'operator', 'timeStamping'] as const;
/** `expired` is derived from notAfter; the others are stored. */
export const certificateStatuses = ['valid', 'suspended', 'revoked', 'expired'] as const;
/** RFC 5280 §5.3.1 reasons an operator may choose (certificateHold is `suspend`, removeFromCRL is `resume`). */
export const revocationReasons = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn', 'aACompromise'] as const;
/** The reasons that apply to a card's own certificates (no CA or attribute-authority compromise). */
export const cardRevocationReasons = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'] as const;
/** What happens when a suspension's days run out. */
export const afterHoldChoices = ['release', 'revoke'] as const;

export const holderStates = ['active', 'suspended', 'disabled'] as const;
export const holderLanguages = ['en', 'sq', 'it', 'nl'] as const;
/** awaitingActivation: issued, until the holder signs the contract with the card (its 9A and 9D certificates on hold). */
export const cardRecordStates = ['blank', 'personalisationIncomplete', 'awaitingActivation', 'active', 'suspended', 'revoked', 'retired', 'lost'] as const;

/** PIV asymmetric key algorithms (SP 800-78-4 §3). */
export const asymmetricAlgorithms = ['rsa2048', 'rsa3072', 'rsa4096', 'eccp256', 'eccp384'] as const;
/** Who receives the user-number letter. */
export const letterRecipients = ['holder', 'contactPerson'] as const;

/** Why a card workflow stopped; each is an expected outcome the screen explains. */
export const lifecycleFailures = [
  'noCard',
  'cardRemoved',
  'cardInUse',
  /** The card waits for an offline unblock response started in another window. */
  'awaitingUnblock',
  'notPiv',
  'noSerial',
  /** The card is not the one the workflow was started for (resume, renew, PIN reset). */
  'wrongCard',
  /** The card is issued already (active or suspended): renew or retire it instead. */
  'alreadyIssued',
  /** The card has credentials CardDesk does not know (another system personalised it): retire it first. */
  'foreignCard',
  /** The card is not in the directory, or not in a state this action allows. */
  'unknownCard',
  'invalidState',
  /** A personalisation of this card stopped half-way: resume or restart it. */
  'personalisationIncomplete',
  /** The card refused the management key the vault holds for it. */
  'wrongManagementKey',
  'cardUnsupported',
  /** Activation: the holder's PIN was wrong (tries left in the result), or the PIN is blocked. */
  'wrongPin',
  'pinBlocked',
  /** Activation: the card has no contract waiting for its signature. */
  'noContract',
  /** Activation: the card did not sign (its signature key refused, or the signature did not verify). */
  'signatureRefused',
  /** Activation: the holder chooses this card's PIN now (its transport PIN is in the vault): a new PIN is needed. */
  'newPinRequired',
  /** Activation: the new PIN is not the policy's number of digits. */
  'newPinInvalid',
  /** Activation: the card's PIN is set (from the PIN letter, or chosen by the holder earlier): activate with it. */
  'pinRequired',
  /** PIN reset with the sealed PUK: the card's PUK is blocked, so the card can only be reissued. */
  'pukBlocked',
  /** PIN reset with the sealed PUK: the card refused the PUK the vault keeps for it. */
  'wrongPuk',
] as const;

/** How an audited action ended. */
export const auditOutcomes = ['success', 'failure'] as const;

/** Why a contract was generated: a new card, a renewal of its certificates, or a replacement card. */
export const contractKinds = ['issue', 'renewal', 'replacement'] as const;
/** A contract's state as the Contracts screen lists it. */
export const contractStatuses = ['awaitingSignature', 'signed', 'signatureInvalid', 'damaged'] as const;
/** PAdES baseline levels (ETSI EN 319 142-1). */
export const signatureLevels = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
/** Whether the signed bytes are what was signed. */
export const signatureIntegrities = ['intact', 'modified', 'malformed'] as const;
export const chainStatuses = ['trusted', 'untrusted', 'incomplete'] as const;
/** A certificate's revocation state; onHold is certificateHold. */
export const revocationStates = ['good', 'revoked', 'onHold', 'unknown'] as const;
/** The signature panel's verdict: valid now, valid at signing time (revoked or expired since), invalid, or not decidable. */
export const signatureVerdicts = ['valid', 'validAtSigningTime', 'invalid', 'indeterminate'] as const;

/**
 * How a newly issued card becomes active: the holder signs the enrollment contract with it (with
 * the PIN from the PIN letter, or with a PIN they choose on the PIN pad in the same sitting), or at
 * once (no contract signature).
 */
export const activationModes = ['holderSigns', 'holderChoosesPin', 'atIssuance'] as const;

/**
 * What an operator may be allowed to do (issue 17): each role grants some permissions
 * (electron/shared/permissions.ts), and each contract channel names the one it needs.
 */
export const operatorRoles = ['helpdesk', 'issuer', 'caAdministrator', 'keyRecoveryOfficer', 'auditor', 'kioskManager'] as const;
/**
 * `open`: any desk caller (the app's frame, the vault's state and unlock, first-run set-up);
 * `holderSelf`: kiosk channels, where the holder's own session decides, never an operator role.
 */
export const channelPermissions = [
  'open',
  'holderSelf',
  'directory.read',
  'directory.write',
  'card.service',
  'card.issue',
  'key.recover',
  'ca.admin',
  'audit.read',
  'kiosk.manage',
  'operators.manage',
] as const;
