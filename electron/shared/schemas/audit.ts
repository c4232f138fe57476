import { z } from 'zod';
import { auditOutcomes } from '../enums';

/**
 * Every action CardDesk records, a closed list covering every capability, including the CA
 * events auditors expect (key generation, issuance, renewal, revocation, suspension, CRL and
 * OCSP signing, key escrow and recovery, logins, PIN checks, unblocks, configuration changes).
 * Names are `domain.verb`; the outcome (success/failure) is a separate field, never a name.
 */
export const auditActions = [
  // vault
  'vault.init',
  'vault.unlock',
  'vault.lock',
  'vault.backup',
  'vault.restore',
  'vault.passphraseChange',
  // team database (issue 18)
  'database.init',
  'database.migrate',
  'database.import',
  // certificate authority
  'ca.keyGenerate',
  'ca.init',
  'ca.import',
  'ca.export',
  'ca.certificateIssue',
  'ca.certificateRenew',
  'ca.certificateRevoke',
  'ca.certificateSuspend',
  'ca.certificateResume',
  'ca.certificateDownload',
  'ca.crlSign',
  'ca.ocspStart',
  'ca.ocspStop',
  'ca.ocspSign',
  'ca.profileChange',
  // key escrow
  'escrow.keyEscrow',
  'escrow.keyRecover',
  // directory
  'holder.create',
  'holder.update',
  'holder.stateChange',
  'holder.import',
  'holder.export',
  // cards
  'card.issue',
  'card.pinVerify',
  'card.pinChange',
  'card.pukChange',
  'card.unblockWithPuk',
  'card.unblockChallenge',
  'card.unblockResponse',
  /** The holder's side of an offline unblock ended: the card took the desk's response and a new PIN (or did not). */
  'card.unblockOffline',
  'card.pinReset',
  'card.retryCountersSet',
  'card.managementKeyAuthenticate',
  'card.managementKeyChange',
  'card.keyGenerate',
  'card.certificateWrite',
  'card.suspend',
  'card.resume',
  'card.revoke',
  'card.reportLost',
  'card.replace',
  'card.renew',
  'card.retire',
  'card.pinLetter',
  /** The holder signed the contract with the card; its certificates were released and it became active. */
  'card.activate',
  /** A letter left the outbox: printed, put in the drop folder, or marked sent by hand (details.route). */
  'letter.send',
  'reader.virtualCardInsert',
  'reader.virtualCardRemove',
  // contracts
  /** A contract was made for a card (details.sha256 of its bytes). */
  'contract.generate',
  'contract.sign',
  /** An administrator replaced or reset a language's contract template. */
  'contract.templateChange',
  'contract.view',
  'contract.download',
  // sessions and settings
  'operator.login',
  'operator.logout',
  /** A desk call the operator's roles do not permit (issue 17 §3). */
  'operator.denied',
  /** An operator signed in to the desk with their operator card and PIN (issue 17 §2). */
  'operator.signedIn',
  /** An operator card's sign-in was refused (the reason: wrong PIN, foreign or revoked certificate, …; never the PIN). */
  'operator.signInRefused',
  /** The desk's operator session ended (reason: signOut, idle, cardRemoved, operatorInactive). */
  'operator.signedOut',
  /** A CLI session (card sign-in) or an automation credential was issued or revoked (issue 17 §3). */
  'operator.credentialIssued',
  'operator.credentialRevoked',
  /** Two-person control (issue 17 §4): asked, approved by a second operator, used once. */
  'operator.approvalRequested',
  'operator.approved',
  'operator.approvalUsed',
  // operator accounts (issue 17 §1): details.operatorId, the roles, the state
  'operator.added',
  'operator.rolesChanged',
  'operator.suspended',
  'operator.resumed',
  'operator.removed',
  'kiosk.sessionStart',
  'kiosk.sessionEnd',
  'kiosk.stolenCard',
  'settings.change',
  // the audit log itself
  'audit.verify',
  'audit.export',
  /** The log repaired itself on open (an unfinished last line) or recorded damage it found. */
  'audit.repair',
  /** The log was found deleted, emptied, cut back or replaced: it lacks the vault's anchored record. */
  'audit.loss',
  /** An administrator acknowledged a lost log: the vault anchors the log as it is now. */
  'audit.lossAcknowledge',
  /** The signed head was exported as an outside witness. */
  'audit.headExport',
  // the holder's second factor (issue 15): app enrolment, code checks, removal; OATH tokens
  'secondFactor.enrolBegin',
  /** The holder confirmed an authenticator app with one code (or a confirmation code was refused). */
  'secondFactor.enrol',
  /** A second-factor code was checked (failures: wrong, replayed, locked; never the code). */
  'secondFactor.verify',
  'secondFactor.remove',
  /** OATH token seeds imported from a PSKC file (all or none). */
  'otpToken.import',
  'otpToken.assign',
  'otpToken.unassign',
  // the holder's account (issue 15): contact data, lost info, identity document
  'account.contactChange',
  'account.contactVerify',
  'account.lostInfo',
  'account.documentSubmit',
  'account.documentApprove',
  'account.documentReject',
  'account.documentView',
  // holder notifications (issue 15 §6)
  /** A message was sent (a test message), or given up after its last try (details.message, kind, attempts, error). */
  'notify.send',
  /** An operator had a given-up message tried again. */
  'notify.retry',
  // the holder's recovery code and one-time codes (issue 15)
  /** A one-time code was made and queued to the holder's email or mobile (never the code). */
  'account.oneTimeCodeSend',
  /** A typed one-time code was checked (ok, wrong, expired, used, exhausted, unknown). */
  'account.oneTimeCodeCheck',
  /** A new Emergency Recovery Code was made and its letter written (never the code). */
  'account.recoveryCodeIssue',
  /** A typed Emergency Recovery Code was checked at the kiosk. */
  'account.recoveryCodeCheck',
  /** A blocked PIN was unblocked with the Emergency Recovery Code (the desk's sealed PUK). */
  'account.recoveryUnblock',
  // the holder's mobile ID (issue 16): enrollment over EST, states, never the one-time code
  /** A mobile ID was issued: its one-time enrollment code made (never the code itself). */
  'mobile.issue',
  /** A phone enrolled one certificate of a mobile ID with its code (failures: wrong, expired, spent code; CSR refused). */
  'mobile.enroll',
  /** A phone renewed one certificate, authenticated by its current certificate. */
  'mobile.reenroll',
  'mobile.cancel',
  'mobile.lock',
  'mobile.unlock',
  'mobile.revoke',
  /** A move to a new phone began: a new pending mobile ID replacing an active or locked one (refusals: the old one's state). */
  'mobile.migrate',
  /** The escrowed encryption key was fetched onto the phone as an encrypted PKCS#12 (never the passphrase or the code). */
  'mobile.recoverKey',
] as const;

export const AuditActionSchema = z.enum(auditActions);
export type AuditAction = z.infer<typeof AuditActionSchema>;

export const AuditChannelSchema = z.enum(['desk', 'kiosk', 'cli']);
export type AuditChannel = z.infer<typeof AuditChannelSchema>;

export const AuditActorSchema = z.object({
  kind: z.enum(['operator', 'holder', 'system']),
  /** Operator: OS account or operator id; holder: holder id; system: the component. */
  id: z.string(),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

export const AuditOutcomeSchema = z.enum(auditOutcomes);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

/** Free-form facts about an event (reader name, tries left, module id); never a secret. */
export const AuditDetailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** One recorded event as the screens and exports see it. */
export const AuditEntrySchema = z.object({
  /** The record's number in the log; checkpoints and key records take numbers too. */
  seq: z.number().int().positive(),
  /** UTC, ISO 8601 with milliseconds; never earlier than the entry before it. */
  time: z.string(),
  actor: AuditActorSchema,
  channel: AuditChannelSchema,
  /** A name from `auditActions`; a string so a log written by a newer CardDesk still reads. */
  action: z.string(),
  outcome: AuditOutcomeSchema,
  reason: z.string().nullable(),
  holderId: z.string().nullable(),
  cardSerial: z.string().nullable(),
  certificateSerial: z.string().nullable(),
  details: AuditDetailsSchema,
  /** The event of a vault change, written when the vault next opened because the process had stopped before recording it. */
  recovered: z.literal(true).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

const Instant = z.iso.datetime({ offset: true });
const Text = z.string().trim().min(1).max(200);

/** Which events: every field narrows; `from` is inclusive and `to` exclusive. */
export const AuditFilterSchema = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    /** The acting operator (or holder, or component) id, exactly. */
    actor: Text.optional(),
    holderId: Text.optional(),
    actions: z.array(AuditActionSchema).max(auditActions.length).optional(),
    outcome: AuditOutcomeSchema.optional(),
    /** Case-insensitive text anywhere in the event (reason, serials, details). */
    text: Text.optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const MAX_AUDIT_PAGE = 200;

const Paging = {
  /** Cursor: only entries older than this sequence number (the previous page's `nextCursor`). */
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
};

export const AuditQueryArgsSchema = AuditFilterSchema.extend({
  ...Paging,
  /** Live updates: only entries newer than this sequence number. */
  after: z.number().int().nonnegative().optional(),
  /** Also count every matching entry (costs a pass over the candidates; null with `text`). */
  count: z.boolean().default(false),
}).strict();
export type AuditQueryArgs = z.input<typeof AuditQueryArgsSchema>;

/** Newest first. */
export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: z.number().int().nullable(),
  total: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const HolderSummaryArgsSchema = z
  .object({
    holderId: Text,
    from: Instant.optional(),
    to: Instant.optional(),
    outcome: AuditOutcomeSchema.optional(),
    ...Paging,
  })
  .strict();
export type HolderSummaryArgs = z.input<typeof HolderSummaryArgsSchema>;

/** What a holder sees of their own history (as InfoCert's SelfCare shows it). */
export const HolderSummarySchema = z.object({
  holderId: z.string(),
  /** Accesses in the date range, whatever their outcome. */
  total: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  /** The most recent access of all, whatever the filters. */
  lastAccess: z.string().nullable(),
  /** The accesses in the date range with the chosen outcome, newest first. */
  entries: z.array(AuditEntrySchema),
  nextCursor: z.number().int().nullable(),
});
export type HolderSummary = z.infer<typeof HolderSummarySchema>;

export const auditProblemKinds = [
  /** A record's content no longer matches its hash, or it cannot be read. */
  'changed',
  /** Records are missing from the middle (a gap in the sequence numbers). */
  'removed',
  /** Records are present but not in sequence order. */
  'reordered',
  /** The same sequence number appears twice. */
  'duplicated',
  /** Records at the end are missing: the signed head says the log went further. */
  'truncated',
  /** A checkpoint's or the head's signature does not verify, or names an unknown key. */
  'signature',
  /** The signed head is missing or unreadable, or the log is signed by another key than this desk's. */
  'anchor',
  /** The log itself recorded damage it found when it opened (an `audit.repair` failure). */
  'recorded',
  /**
   * The log lacks the record the vault anchored (or an exported witness head names), or holds
   * another one there: it was deleted, emptied, cut back or replaced. Stays until acknowledged.
   */
  'lost',
] as const;
export const AuditProblemKindSchema = z.enum(auditProblemKinds);
export type AuditProblemKind = z.infer<typeof AuditProblemKindSchema>;

export const AuditProblemSchema = z.object({
  kind: AuditProblemKindSchema,
  /** The segment file and the 1-based line in it where the problem shows. */
  segment: z.string().nullable(),
  line: z.number().int().nullable(),
  /** The first sequence number affected, and the last for a range (removed, truncated). */
  seq: z.number().int().nullable(),
  toSeq: z.number().int().nullable(),
  /** In English, for the CLI and the log; the screen words it from the fields above. */
  message: z.string(),
});
export type AuditProblem = z.infer<typeof AuditProblemSchema>;

/** The result of checking the whole log: chain, checkpoint signatures, signed head. */
export const AuditVerifyReportSchema = z.object({
  intact: z.boolean(),
  checkedAt: z.string(),
  durationMs: z.number(),
  segments: z.number().int(),
  records: z.number().int(),
  events: z.number().int(),
  checkpoints: z.number().int(),
  lastSeq: z.number().int().nullable(),
  /** The last record covered by a verified signature (checkpoint or head). */
  signedThrough: z.number().int().nullable(),
  /**
   * Records after the last verified signature: written while the vault was locked (the audit key
   * is in it) and signed at the next unlock. Information, not a problem; their chain is checked.
   */
  unsigned: z.number().int(),
  /** SHA-256 fingerprints (hex) of the public keys that signed this log, oldest first. */
  keyIds: z.array(z.string()),
  /** The desk's own audit key, when known; the log's last key must be this one. */
  deskKeyId: z.string().nullable(),
  /** Bytes of an unfinished last line (a write in progress, or a crash before it was acknowledged). */
  unfinishedBytes: z.number().int(),
  /** At most the first 100 problems, in log order; `problemCount` says how many there were. */
  problems: z.array(AuditProblemSchema),
  problemCount: z.number().int(),
});
export type AuditVerifyReport = z.infer<typeof AuditVerifyReportSchema>;

export const AuditExportSchema = z.object({
  fileName: z.string(),
  /** RFC 4180, CRLF line ends; cells that a spreadsheet would run as a formula start with '. */
  csv: z.string(),
  rows: z.number().int(),
  /** The screen exports at most MAX_SCREEN_EXPORT rows; `carddesk audit export` has no limit. */
  truncated: z.boolean(),
});
export type AuditExport = z.infer<typeof AuditExportSchema>;

export const MAX_SCREEN_EXPORT = 100_000;

/**
 * Pushed after new events reach the log (from this process or another, such as the CLI). It
 * carries no event: every window hears push events, a kiosk included, so each screen asks for
 * what it may see.
 */
export const AuditAppendedSchema = z.object({
  lastSeq: z.number().int(),
  count: z.number().int(),
});
