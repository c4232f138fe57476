/**
 * The life cycle's messages, queued in the same journal line as the change they report: a
 * follower of the vault's change recording (VaultAccess.followChanges) looks at each committed
 * event, and when its action is in the table below and its holder has an email address (or
 * else a mobile number), adds the outbox record to that commit. The life-cycle services do not
 * know about it.
 *
 * And the expiry warnings: a daily sweep queues one message per card and threshold (60, 30, 14,
 * 7 days), under a record id made of both, so a threshold is never told twice.
 */
import type { CertificateSummary } from '../../shared/schemas/certificates';
import type { Holder } from '../../shared/schemas/holders';
import type { NotificationKind, NotificationRequest } from '../account/account-ports';
import type { AuditEventInput } from '../audit/audit-trail';
import type { ChangeFollower } from '../vault/vault-access';
import type { RecordChange } from '../vault/record-store';
import type { NotificationOutbox } from './outbox';

interface Rule {
  readonly action: AuditEventInput['action'];
  readonly kind: NotificationKind;
  readonly when?: (event: AuditEventInput) => boolean;
}

/** Which committed events a holder is told about. */
export const lifecycleRules: readonly Rule[] = [
  // Issued: the card leaves personalisation (active at once, or waiting for the holder's signature).
  { action: 'card.issue', kind: 'cardIssued', when: (e) => e.details?.['from'] === 'personalisationIncomplete' && (e.details['to'] === 'active' || e.details['to'] === 'awaitingActivation') },
  { action: 'card.activate', kind: 'cardActivated' },
  { action: 'card.suspend', kind: 'cardSuspended' },
  // Lifted by an operator or ended by itself (the hold-expiry sweep): either way it is over.
  { action: 'card.resume', kind: 'suspensionEnded' },
  { action: 'card.revoke', kind: 'cardRevoked' },
  { action: 'card.reportLost', kind: 'cardRevoked' },
  // Card-only changes (nothing changes in the vault): queued right after their event (app-core's cardAudit).
  { action: 'card.pinReset', kind: 'pinReset' },
  { action: 'card.unblockWithPuk', kind: 'pinUnblocked' },
  { action: 'card.unblockOffline', kind: 'pinUnblocked' },
];

export type HolderContact = Pick<Holder, 'id' | 'email' | 'mobile' | 'language' | 'firstName' | 'lastName'>;

/** Where a holder's messages go: the email address, or else the mobile number; null when neither. */
export function holderRecipient(holder: HolderContact): { channel: 'email' | 'sms'; to: string } | null {
  if (holder.email.trim() !== '') return { channel: 'email', to: holder.email.trim() };
  if (holder.mobile.trim() !== '') return { channel: 'sms', to: holder.mobile.trim() };
  return null;
}

export function holderRequest(holder: HolderContact, kind: NotificationKind, params: Record<string, string>): NotificationRequest | null {
  const recipient = holderRecipient(holder);
  if (recipient === null) return null;
  const name = `${holder.firstName} ${holder.lastName}`.trim();
  return { kind, holderId: holder.id, ...recipient, language: holder.language, params: { ...(name === '' ? {} : { name }), ...params } };
}

/**
 * The follower to register with `access.followChanges`. `holder` finds a holder by id (null when
 * unknown); `queued` are told which kinds went out, for the caller to wake the sender.
 */
export function lifecycleFollower(outbox: NotificationOutbox, holder: (id: string) => HolderContact | null, queued?: () => void): ChangeFollower {
  return (_changes, event): RecordChange[] => {
    if (event.outcome !== 'success' || event.holderId === undefined) return [];
    const rule = lifecycleRules.find((candidate) => candidate.action === event.action && (candidate.when?.(event) ?? true));
    if (rule === undefined) return [];
    const found = holder(event.holderId);
    if (found === null) return [];
    const request = holderRequest(found, rule.kind, event.cardSerial === undefined ? {} : { serial: event.cardSerial });
    if (request === null) return [];
    // Woken once the commit is on disk (a microtask later is soon enough: the sender reads the records).
    if (queued !== undefined) queueMicrotask(queued);
    return [outbox.queued(request)];
  };
}

/** The warning thresholds, in days before a certificate's end. */
export const EXPIRY_THRESHOLDS = [60, 30, 14, 7] as const;

/** The tightest threshold `daysLeft` has reached, or null when it is further than 60 days. */
export function expiryThreshold(daysLeft: number): number | null {
  let reached: number | null = null;
  for (const threshold of EXPIRY_THRESHOLDS) if (daysLeft <= threshold) reached = threshold;
  return reached;
}

/** The outbox record id of the warning for a card (or a certificate without one) at a threshold: the same every sweep. */
export function expiryMessageId(subject: string, threshold: number): string {
  return `expiry:${subject}:${threshold}`;
}

/**
 * Queues the expiry warnings due now: for each card with a valid certificate ending within 60
 * days, one message for the tightest threshold reached, unless that one was queued before.
 * Returns how many it queued. A threshold the desk was off for is skipped, not sent late.
 */
export async function sweepExpiry(args: {
  outbox: NotificationOutbox;
  /** Valid certificates ending within `days`. */
  expiring: (days: number) => readonly CertificateSummary[];
  holder: (id: string) => HolderContact | null;
  commit: (changes: RecordChange[]) => Promise<void>;
  now: Date;
}): Promise<number> {
  const DAY = 86_400_000;
  // One warning per card: its certificates end together; the earliest end counts.
  const bySubject = new Map<string, CertificateSummary>();
  for (const certificate of args.expiring(EXPIRY_THRESHOLDS[0])) {
    if (certificate.holderId === null || certificate.status !== 'valid') continue;
    const subject = certificate.cardSerial ?? certificate.serial;
    const known = bySubject.get(subject);
    if (known === undefined || certificate.notAfter < known.notAfter) bySubject.set(subject, certificate);
  }
  const changes: RecordChange[] = [];
  for (const [subject, certificate] of bySubject) {
    const daysLeft = Math.max(0, Math.ceil((Date.parse(certificate.notAfter) - args.now.getTime()) / DAY));
    const threshold = expiryThreshold(daysLeft);
    if (threshold === null) continue;
    const id = expiryMessageId(subject, threshold);
    if (args.outbox.has(id)) continue;
    const holder = args.holder(certificate.holderId!);
    if (holder === null) continue;
    const request = holderRequest(holder, 'certificateExpiring', { serial: subject, days: String(daysLeft), date: certificate.notAfter.slice(0, 10) });
    if (request !== null) changes.push(args.outbox.queued(request, { id }));
  }
  if (changes.length > 0) await args.commit(changes);
  return changes.length;
}
