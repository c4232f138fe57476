/**
 * What a mobile ID tells its holder through the notification outbox (issue 16 §1):
 *
 * - delivery `email`: the enrollment link (the QR code's content, with the one-time code) goes
 *   to the holder's registered email address, in the holder's language, sealed in the outbox
 *   like a one-time code (the sender attaches it as a QR code image). The message is queued in
 *   the same commit as the new mobile ID, so a refusal (no address) stores nothing. Nothing of
 *   the link is logged or put in an audit event; the desk sees only the masked address.
 * - option `notify`: one message when the mobile ID becomes active, and one when an enrollment
 *   for the pending mobile ID is refused (a request that does not fit, an expired code). Each at
 *   most once per mobile ID (the outbox record's id is made of both), so a phone or a fuzzer
 *   that tries again and again sends no storm of mail.
 */
import { CardDeskError } from '../../shared/errors';
import type { MobileIdRecord } from '../../shared/schemas/mobile-id';
import type { NotificationRequest } from '../account/account-ports';
import { maskAddress } from '../account/one-time-codes';
import { holderRequest, type HolderContact } from '../notify/lifecycle-follower';
import { NOTIFICATIONS } from '../notify/outbox';
import type { RecordChange } from '../vault/record-store';
import type { ChangeFollower } from '../vault/vault-access';

/** The part of the outbox this needs (notify/outbox.ts). */
export interface MobileNoticeOutbox {
  queued(request: NotificationRequest, options?: { id?: string }): RecordChange;
  has(id: string): boolean;
  get(id: string): { readonly state: string } | undefined;
  wake(): void;
}

export interface MobileIdNoticesDeps {
  /** The vault's outbox; looked up when first needed (the app builds it after the mobile ID service). */
  readonly outbox: () => MobileNoticeOutbox;
  /** A holder's contact details, null when unknown. */
  readonly holder: (id: string) => HolderContact | null;
  /** Commits outbox records on their own (the refusal notice: the refusal itself stores nothing). */
  readonly commit: (changes: RecordChange[]) => Promise<void>;
  /** A notice that could not be queued (never the link). */
  readonly onError?: (error: unknown) => void;
}

export interface EmailDelivery {
  /** The outbox record to commit with the new mobile ID. */
  readonly change: RecordChange;
  /** The address it goes to, masked (for the desk and the CLI). */
  readonly sentTo: string;
}

export interface MobileIdNotices {
  /**
   * The email carrying the enrollment link, to commit with the new mobile ID. Throws (before
   * anything is stored) when the holder has no registered email address.
   */
  delivery(args: { holderId: string; mobileId: string; enrollmentUri: string; codeExpiresAt: string; minutes: number }): EmailDelivery;
  /** The record just turned active: its holder's notice (when `notify`, once per mobile ID), to commit with it. */
  activated(record: MobileIdRecord): RecordChange[];
  /** An enrollment of `record` was refused for `reason`: queues the failure notice (when it applies, once). Never throws. */
  refused(record: MobileIdRecord, reason: string): Promise<void>;
  /** Wakes the sender once a commit with a notice is on disk. */
  wake(): void;
}

/** Refusals the holder is told of: the phone's request did not fit, or the code ran out. A wrong or spent code is not theirs to hear about per attempt. */
export const NOTIFIED_REFUSALS: ReadonlySet<string> = new Set(['malformedRequest', 'profile', 'expired', 'issueRefused', 'labelNotInMobileId']);

/** The outbox record ids: one per mobile ID and kind, so each is told once. */
export const noticeId = (kind: 'active' | 'refused', mobileId: string): string => `mobile-${kind}:${mobileId}`;

/** The outbox record id of a mobile ID's enrollment email. */
export const deliveryId = (mobileId: string): string => `mobile-delivery:${mobileId}`;

/**
 * For `VaultAccess.followChanges`: a cancelled mobile ID's enrollment email not sent yet goes in
 * the same commit (cancel leaves nothing behind, not even a sealed link waiting for the SMTP server).
 */
export function unsentDeliveryFollower(outbox: () => Pick<MobileNoticeOutbox, 'get'>): ChangeFollower {
  return (_changes, event) => {
    const mobileId = event.details?.['mobileId'];
    if (event.action !== 'mobile.cancel' || event.outcome !== 'success' || typeof mobileId !== 'string') return [];
    const id = deliveryId(mobileId);
    const message = outbox().get(id);
    return message === undefined || message.state === 'sent' ? [] : [{ collection: NOTIFICATIONS, id, record: null }];
  };
}

export function mobileIdNotices(deps: MobileIdNoticesDeps): MobileIdNotices {
  // A refusal notice being committed now (two refusals at once queue one).
  const underway = new Set<string>();

  const notice = (record: MobileIdRecord, kind: 'active' | 'refused'): RecordChange | null => {
    if (!record.options.notify) return null;
    const id = noticeId(kind, record.id);
    if (underway.has(id) || deps.outbox().has(id)) return null;
    const holder = deps.holder(record.holderId);
    if (holder === null) return null;
    const params: Record<string, string> = kind === 'active' ? { labels: record.options.labels.join(', '), date: record.expiresAt.slice(0, 10) } : {};
    const request = holderRequest(holder, kind === 'active' ? 'mobileIdActive' : 'mobileIdRefused', params);
    return request === null ? null : deps.outbox().queued(request, { id });
  };

  return {
    delivery({ holderId, mobileId, enrollmentUri, codeExpiresAt, minutes }) {
      const holder = deps.holder(holderId);
      const email = holder?.email.trim() ?? '';
      if (holder === null || email === '') throw new CardDeskError('INVALID_STATE', 'The holder has no registered email address: the QR code cannot be sent by email. Register one, or show the QR code on screen.');
      const name = `${holder.firstName} ${holder.lastName}`.trim();
      const change = deps.outbox().queued(
        {
          kind: 'mobileIdEnrollment',
          holderId,
          channel: 'email',
          to: email,
          language: holder.language,
          // `code` is sealed in the outbox; the rest is not secret.
          params: { ...(name === '' ? {} : { name }), code: enrollmentUri, minutes: String(minutes), until: codeExpiresAt.slice(11, 16), mobileId },
        },
        { id: deliveryId(mobileId) },
      );
      return { change, sentTo: maskAddress('email', email) };
    },
    activated(record) {
      const change = notice(record, 'active');
      if (change === null) return [];
      queueMicrotask(() => deps.outbox().wake());
      return [change];
    },
    async refused(record, reason) {
      try {
        if (record.state !== 'pending' || !NOTIFIED_REFUSALS.has(reason)) return;
        const change = notice(record, 'refused');
        if (change === null) return;
        underway.add(change.id);
        try {
          await deps.commit([change]);
        } finally {
          underway.delete(change.id);
        }
        deps.outbox().wake();
      } catch (error) {
        deps.onError?.(error);
      }
    },
    wake() {
      deps.outbox().wake();
    },
  };
}

/** The email delivery of a new mobile ID, refused when the desk has no outbox to send it through. */
export function emailDelivery(notices: MobileIdNotices | undefined, args: Parameters<MobileIdNotices['delivery']>[0]): EmailDelivery {
  if (notices === undefined) throw new CardDeskError('INVALID_STATE', 'This desk cannot send the QR code by email; show it on screen.');
  return notices.delivery(args);
}
