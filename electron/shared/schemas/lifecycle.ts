/**
 * The card life cycle an operator runs: issue (personalise) a card with progress step by step,
 * resume or restart one left incomplete, PIN letters, PIN reset and the desk's offline unblock
 * response, suspend / resume / revoke / report lost / renew / retire, and the expiry watch.
 */
import { z } from 'zod';
import { activationModes, afterHoldChoices, cardRevocationReasons, letterRecipients, lifecycleFailures } from '../enums';
import { workflowSteps } from '../workflow-plans';
import { AsymmetricAlgorithmSchema, PinSchema } from './cards';
import { CertificateSummarySchema } from './certificates';
import { CardRecordSchema } from './holders';
import { defaultMobileIdOptions, MobileIdPolicySchema } from './mobile-id';

/** How cards are personalised; kept in the vault's settings. */
export const IssuancePolicySchema = z.object({
  /** Digits of the random PIN (FIPS 201: 6 to 8). The PUK always has 8. */
  pinLength: z.number().int().min(6).max(8),
  pinTries: z.number().int().min(1).max(15),
  pukTries: z.number().int().min(1).max(15),
  keys: z.object({
    authentication: AsymmetricAlgorithmSchema,
    signature: AsymmetricAlgorithmSchema,
    encryption: AsymmetricAlgorithmSchema,
  }),
  /** The encryption key (9D) is made in the vault, escrowed under the recovery key, and imported to the card. */
  escrowEncryptionKeys: z.boolean(),
  /** Who receives the letter with the user number; the PIN letter always goes to the holder. */
  userNumberRecipient: z.enum(letterRecipients),
  /** The organisation printed at the top of every letter. */
  letterSender: z.string().trim().min(1).max(200),
  /**
   * holderSigns: a new card waits for its holder to sign the enrollment contract with it (its
   * authentication and encryption certificates on hold until then), with the PIN from the PIN
   * letter; holderChoosesPin: the same, but the PIN letter carries only the PUK and the holder
   * chooses the PIN on the PIN pad at the desk, then signs in the same sitting (the random
   * transport PIN stays sealed in the vault until then); atIssuance: active at once.
   */
  activation: z.enum(activationModes),
  /**
   * A new mobile ID's defaults (issue 16): certificates, validity, QR on screen or by email,
   * encryption key recovery, holder notices. Absent in a policy kept before mobile IDs: then
   * `defaultMobileIdOptions` (see `mobileIdDefaults`).
   */
  mobileId: MobileIdPolicySchema.optional(),
});

/** The policy as a vault keeps it: one kept before activation existed reads as holderSigns; mobileId may be absent. */
export const StoredIssuancePolicySchema = IssuancePolicySchema.extend({ activation: z.enum(activationModes).default('holderSigns') });
export type IssuancePolicy = z.infer<typeof IssuancePolicySchema>;

export const defaultIssuancePolicy: IssuancePolicy = {
  pinLength: 6,
  pinTries: 3,
  pukTries: 3,
  keys: { authentication: 'rsa2048', signature: 'rsa2048', encryption: 'rsa2048' },
  escrowEncryptionKeys: true,
  userNumberRecipient: 'holder',
  letterSender: 'CardDesk',
  activation: 'holderSigns',
  mobileId: defaultMobileIdOptions,
};

/** The mobile ID defaults of a policy (a policy kept before they existed has the built-in ones). */
export function mobileIdDefaults(policy: Pick<IssuancePolicy, 'mobileId'>): IssuancePolicy['mobileId'] & object {
  return policy.mobileId ?? defaultMobileIdOptions;
}

export { workflowSteps, type WorkflowStep } from '../workflow-plans';
/** The steps as the contract parses them; the type is workflow-plans.ts's `WorkflowStep`, defined once. */
export const WorkflowStepSchema = z.enum(workflowSteps);

/** Pushed while a card workflow runs: one event per step start and end. */
export const WorkflowProgressSchema = z.object({
  /** One run of the workflow; the screen follows its own. */
  run: z.uuid(),
  reader: z.string(),
  serial: z.string().nullable(),
  step: WorkflowStepSchema,
  state: z.enum(['running', 'done', 'skipped', 'failed']),
  /** 1-based position and the number of steps of this run. */
  index: z.number().int(),
  total: z.number().int(),
});
export type WorkflowProgress = z.infer<typeof WorkflowProgressSchema>;

/** Why a card workflow stopped; each is an expected outcome the screen explains. */
export const LifecycleFailureSchema = z.enum(lifecycleFailures);
export type LifecycleFailure = z.infer<typeof LifecycleFailureSchema>;

export const LetterSchema = z.object({
  kind: z.enum(['userNumber', 'pin', 'recoveryCode']),
  recipient: z.enum(['holder', 'contactPerson']),
  /** The PDF in the outbox (the print queue); its content never crosses the contract. */
  fileName: z.string(),
});
export type Letter = z.infer<typeof LetterSchema>;

export const IssueResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    serial: z.string(),
    holderId: z.string(),
    certificates: z.array(CertificateSummarySchema),
    letters: z.array(LetterSchema),
    outbox: z.string(),
    /** active, or awaitingActivation until the holder signs the contract with the card. */
    cardState: z.enum(['active', 'awaitingActivation']),
    /** The contract made for the card. */
    contractId: z.string(),
    /** The holder chooses the PIN at activation (holderChoosesPin): no PIN was printed. */
    holderChoosesPin: z.boolean().optional(),
  }),
  z.object({
    ok: z.literal(false),
    reason: LifecycleFailureSchema,
    serial: z.string().nullable(),
    /** The step that failed; a card being personalised is left "personalisation incomplete" from the management key on. */
    step: WorkflowStepSchema.nullable(),
  }),
]);
export type IssueResult = z.infer<typeof IssueResultSchema>;

export const LifecycleResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), serial: z.string(), letters: z.array(LetterSchema), outbox: z.string().nullable() }),
  z.object({
    ok: z.literal(false),
    reason: LifecycleFailureSchema,
    serial: z.string().nullable(),
    /** PIN tries left after a wrong PIN (activation). */
    triesLeft: z.number().int().min(0).optional(),
  }),
]);
export type LifecycleResult = z.infer<typeof LifecycleResultSchema>;

/** Where a personalisation stands, for the resume / restart action. */
export const PersonalisationStatusSchema = z.object({
  serial: z.string(),
  holderId: z.string(),
  holderName: z.string().nullable(),
  startedAt: z.string(),
  done: z.array(WorkflowStepSchema),
  failedStep: WorkflowStepSchema.nullable(),
  failure: z.string().nullable(),
  /** Issued for the holder to choose the PIN at activation. */
  pinChosenByHolder: z.boolean().optional(),
  /** The holder has yet to choose the PIN: activation takes a new PIN, not the PIN. */
  transportPinPending: z.boolean().optional(),
});
export type PersonalisationStatus = z.infer<typeof PersonalisationStatusSchema>;

/** A card as the desk knows it: its directory record, whose it is, and its personalisation. */
export const CardStatusSchema = z.object({
  card: CardRecordSchema.nullable(),
  holderName: z.string().nullable(),
  personalisation: PersonalisationStatusSchema.nullable(),
});
export type CardStatus = z.infer<typeof CardStatusSchema>;

const reader = z.string().min(1).max(200);
const serial = z.string().trim().min(1).max(64);

export const LifecycleArgs = {
  issue: z
    .object({
      reader,
      holderId: z.string().min(1).max(64),
      userNumberRecipient: z.enum(letterRecipients).optional(),
      /** An operator card (issue 17) carries an `operator` certificate in slot 9A instead of `authentication`. */
      purpose: z.enum(['holder', 'operator']).optional(),
    })
    .strict(),
  /** `serial`: the card the operator means to resume; another card in the reader is refused. */
  resumeIssue: z.object({ reader, serial, restart: z.boolean().default(false) }).strict(),
  record: z.object({ serial }).strict(),
  /** The card in the reader: its PIN is reset with the management key and a new PIN letter goes out. */
  resetPin: z.object({ reader }).strict(),
  unblockResponse: z.object({ serial, challenge: z.string().trim().min(4).max(80).regex(/^[0-9A-Za-z\s-]+$/) }).strict(),
  suspend: z.object({ serial, days: z.number().int().min(1).max(30), afterHold: z.enum(afterHoldChoices).default('release') }).strict(),
  resumeCard: z.object({ serial }).strict(),
  revoke: z.object({ serial, reason: z.enum(cardRevocationReasons) }).strict(),
  reportLost: z.object({ serial, stolen: z.boolean() }).strict(),
  renew: z.object({ reader }).strict(),
  retire: z.object({ reader }).strict(),
  replace: z.object({ reader, lostSerial: serial }).strict(),
  /**
   * The holder's PIN from the PIN letter, or (a card issued for the holder to choose the PIN, until
   * they have) the new PIN they choose; either goes to the card and nowhere else.
   */
  activate: z.object({ reader, pin: PinSchema.optional(), newPin: PinSchema.optional() }).strict(),
  expiring: z.object({ withinDays: z.number().int().min(1).max(365).default(60) }).strict(),
  updatePolicy: IssuancePolicySchema.partial().strict(),
};

export const UnblockResponseResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), response: z.string(), serial: z.string() }),
  z.object({ ok: z.literal(false), reason: z.enum(['unknownCard', 'malformed', 'check', 'noManagementKey']) }),
]);
export type UnblockResponseResult = z.infer<typeof UnblockResponseResultSchema>;

/** A certificate that expires soon, with the card it lives on; `window` is the warning level it reached. */
export const ExpiringCertificateSchema = CertificateSummarySchema.extend({ window: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(60)]), daysLeft: z.number().int() });
export type ExpiringCertificate = z.infer<typeof ExpiringCertificateSchema>;
