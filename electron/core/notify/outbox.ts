/**
 * The durable outbox of holder notifications (issue 15 §6). A message is a record in the
 * vault's `notifications` collection, queued in the same journal line as the change it reports
 * (the caller puts `queued(request)` into its `ChangeRecorder.commit`, or the life-cycle follower
 * adds it there, see lifecycle-follower.ts). The sender (sender.ts) drains what is due.
 *
 * Delivery is at least once: a message is marked sent only after the server accepted it, so a
 * process stopped in between sends it again, with the same Message-ID (made once, here, at
 * queue time) so the copies are recognisable. A one-time code, the one secret a message may
 * carry, is sealed with the vault key bound to the message id, never kept in clear.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { HolderLanguage, NotificationChannel, NotificationKind, NotificationQueue, NotificationRequest } from '../account/account-ports';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultKeyring } from '../vault/keyring';
import type { RecordChange } from '../vault/record-store';
import type { Records } from '../vault/records';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';
import { BACKOFF, backoffMs, givenUp } from './backoff';
import { renderMessage, type RenderedMessage } from './notification-texts';

export const NOTIFICATIONS = 'notifications';

export type NotificationState = 'queued' | 'sent' | 'failed';

export interface NotificationRecord {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly holderId: string | null;
  readonly channel: NotificationChannel;
  readonly to: string;
  readonly language: HolderLanguage;
  /** What the text names; never a secret (the one-time code is in `sealedCode`). */
  readonly params: Readonly<Record<string, string>>;
  /** The one-time code of a `oneTimeCode` message, sealed for this message only. */
  readonly sealedCode: Sealed | null;
  /** Made once when queued; every copy sent carries it. */
  readonly messageId: string;
  readonly state: NotificationState;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** Param names that would carry a secret a message must never hold. */
const FORBIDDEN_PARAM = /^(pin|puk|newpin|oldpin|currentpin|erc|recoverycode|password|passphrase|secret|seed|totp|otp|managementkey|key)$/i;

const codePurpose = (id: string): string => `notification-code:${id}`;

/** The kinds whose one secret (`code`: a one-time code, a mobile ID's enrollment link) is sealed at rest. */
const CODE_KINDS: readonly NotificationKind[] = ['oneTimeCode', 'mobileIdEnrollment'];

/** A Message-ID for a message: unique, stable, and telling nothing about the holder. */
export function newMessageId(): string {
  return `<${randomUUID()}@carddesk.local>`;
}

export interface OutboxOptions {
  readonly access: VaultAccess;
  readonly keyring: VaultKeyring;
  readonly audit: AuditTrail;
  readonly clock?: () => Date;
  readonly maxAttempts?: number;
  readonly backoff?: { firstMs: number; maxMs: number };
  /** The holder's name for the greeting, when the caller did not give one (null: greet without a name). */
  readonly nameOf?: (holderId: string) => string | null;
}

export class NotificationOutbox implements NotificationQueue {
  readonly #wakeListeners = new Set<() => void>();
  readonly #clock: () => Date;
  readonly maxAttempts: number;
  readonly #backoff: { firstMs: number; maxMs: number };

  constructor(private readonly options: OutboxOptions) {
    this.#clock = options.clock ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? BACKOFF.maxAttempts;
    this.#backoff = options.backoff ?? BACKOFF;
  }

  #records(): Records {
    return this.options.access.storage().records;
  }

  /**
   * The outbox record for this message, to commit with the change it reports. `id` makes it
   * deterministic (a sweep that must queue a message once: committing it again changes nothing
   * the sender has not yet sent, and `has(id)` tells it apart). Throws on a param that would
   * carry a secret, or a code outside a `oneTimeCode` message.
   */
  queued(request: NotificationRequest, options: { id?: string } = {}): RecordChange {
    const id = options.id ?? randomUUID();
    const params: Record<string, string> = {};
    let code: string | null = null;
    for (const [name, value] of Object.entries(request.params)) {
      if (name === 'code') {
        if (!CODE_KINDS.includes(request.kind)) throw new CardDeskError('INTERNAL', `A ${request.kind} message cannot carry a code.`);
        code = value;
      } else if (FORBIDDEN_PARAM.test(name)) {
        throw new CardDeskError('INTERNAL', `A message cannot carry a ${name}.`);
      } else {
        params[name] = String(value);
      }
    }
    if (params['name'] === undefined && request.holderId !== null) {
      const name = this.options.nameOf?.(request.holderId)?.trim() ?? '';
      if (name !== '') params['name'] = name;
    }
    if (CODE_KINDS.includes(request.kind) && code === null) throw new CardDeskError('INTERNAL', 'A one-time code message needs its code.');
    const to = request.to.trim();
    if (to === '') throw new CardDeskError('INTERNAL', 'A message needs an address.');
    const now = this.#clock().toISOString();
    const record: NotificationRecord = {
      id,
      kind: request.kind,
      holderId: request.holderId,
      channel: request.channel,
      to,
      language: request.language,
      params,
      sealedCode: code === null ? null : this.options.keyring.seal(Buffer.from(code, 'utf8'), codePurpose(id)),
      messageId: newMessageId(),
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
    };
    return { collection: NOTIFICATIONS, id, record };
  }

  /** Tells the sender (and anyone else listening) that messages may be due. */
  wake(): void {
    for (const listener of this.#wakeListeners) listener();
  }

  onWake(listener: () => void): () => void {
    this.#wakeListeners.add(listener);
    return () => this.#wakeListeners.delete(listener);
  }

  has(id: string): boolean {
    return this.#records().get(NOTIFICATIONS, id) !== undefined;
  }

  get(id: string): NotificationRecord | undefined {
    return this.#records().get<NotificationRecord>(NOTIFICATIONS, id);
  }

  /** Messages newest first; `failed` only those given up. */
  list(filter: { failed?: boolean; limit?: number } = {}): NotificationRecord[] {
    const all = [...this.#records().values<NotificationRecord>(NOTIFICATIONS)].filter((record) => filter.failed !== true || record.state === 'failed');
    all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return filter.limit === undefined ? all : all.slice(0, filter.limit);
  }

  /** Queued messages whose time has come, oldest first. */
  due(now: Date = this.#clock()): NotificationRecord[] {
    const at = now.toISOString();
    return [...this.#records().values<NotificationRecord>(NOTIFICATIONS)]
      .filter((record) => record.state === 'queued' && record.nextAttemptAt <= at)
      .sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.createdAt < b.createdAt ? -1 : 1));
  }

  /** When the next queued message is due (epoch ms), or null when none waits. */
  nextDueAt(): number | null {
    let next: number | null = null;
    for (const record of this.#records().values<NotificationRecord>(NOTIFICATIONS)) {
      if (record.state !== 'queued') continue;
      const at = Date.parse(record.nextAttemptAt);
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** How many wait to be sent, and how many were given up. */
  counts(): { queued: number; failed: number; sent: number } {
    const counts = { queued: 0, failed: 0, sent: 0 };
    for (const record of this.#records().values<NotificationRecord>(NOTIFICATIONS)) counts[record.state] += 1;
    return counts;
  }

  /** The message's words, with its one-time code opened (needs the vault unlocked for a code). */
  render(record: NotificationRecord): RenderedMessage {
    if (record.sealedCode === null) return renderMessage(record.kind, record.language, record.params);
    const code = this.options.keyring.open(record.sealedCode, codePurpose(record.id));
    try {
      return renderMessage(record.kind, record.language, { ...record.params, code: code.toString('utf8') });
    } finally {
      code.fill(0);
    }
  }

  /** The server accepted it: durable when this resolves (a stop before then sends it again). */
  async markSent(id: string): Promise<void> {
    const record = this.get(id);
    if (record === undefined || record.state === 'sent') return;
    const sent: NotificationRecord = { ...record, state: 'sent', attempts: record.attempts + 1, sentAt: this.#clock().toISOString(), lastError: null, sealedCode: null };
    await this.#records().commit([{ collection: NOTIFICATIONS, id, record: sent }]);
  }

  /**
   * A try failed: tried again after the backoff, or given up after the last try (then recorded
   * in the audit log with the same line). Returns the record as it now is.
   */
  async markAttemptFailed(id: string, error: string): Promise<NotificationRecord | undefined> {
    const record = this.get(id);
    if (record === undefined || record.state !== 'queued') return record;
    const attempts = record.attempts + 1;
    const lastError = error.slice(0, 500);
    const now = this.#clock();
    if (!givenUp(attempts, this.maxAttempts)) {
      const next: NotificationRecord = { ...record, attempts, lastError, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, this.#backoff)).toISOString() };
      await this.#records().commit([{ collection: NOTIFICATIONS, id, record: next }]);
      return next;
    }
    const failed: NotificationRecord = { ...record, attempts, lastError, state: 'failed' };
    await new ChangeRecorder(this.options.access, this.options.audit).commit([{ collection: NOTIFICATIONS, id, record: failed }], {
      action: 'notify.send',
      outcome: 'failure',
      reason: 'gaveUp',
      actor: { kind: 'system', id: 'notifications' },
      channel: 'desk',
      ...(record.holderId === null ? {} : { holderId: record.holderId }),
      details: { message: id, kind: record.kind, channel: record.channel, attempts, error: lastError },
    });
    return failed;
  }

  /** Sends a given-up message again now (its attempts start over); audited. */
  /**
   * Tries a message again now: a failed one from its first try, a waiting one (a try failed, the
   * next is later) at once with its count kept. A sent message is not sent twice.
   */
  async retry(id: string, op: OperationContext): Promise<NotificationRecord> {
    const record = this.get(id);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no message ${id} in the outbox.`);
    if (record.state === 'sent') throw new CardDeskError('INVALID_STATE', `Message ${id} was sent; it is not sent again.`);
    const now = this.#clock().toISOString();
    const again: NotificationRecord = record.state === 'failed' ? { ...record, state: 'queued', attempts: 0, nextAttemptAt: now } : { ...record, nextAttemptAt: now };
    await new ChangeRecorder(this.options.access, this.options.audit).commit([{ collection: NOTIFICATIONS, id, record: again }], {
      action: 'notify.retry',
      outcome: 'success',
      ...(record.holderId === null ? {} : { holderId: record.holderId }),
      details: { message: id, kind: record.kind, channel: record.channel },
      ...op,
    });
    this.wake();
    return again;
  }

  /**
   * After the settings of `channel` changed: every message of it waiting for a later try is due
   * now (the fix an operator just made is tried at once, not after the backoff). Returns how many.
   */
  async dueNowAfterSettings(channel: NotificationChannel, op: OperationContext): Promise<number> {
    const now = this.#clock();
    const waiting = [...this.#records().values<NotificationRecord>(NOTIFICATIONS)].filter((record) => record.state === 'queued' && record.channel === channel && Date.parse(record.nextAttemptAt) > now.getTime());
    if (waiting.length === 0) return 0;
    const iso = now.toISOString();
    await new ChangeRecorder(this.options.access, this.options.audit).commit(
      waiting.map((record) => ({ collection: NOTIFICATIONS, id: record.id, record: { ...record, nextAttemptAt: iso } })),
      { action: 'notify.retry', outcome: 'success', details: { channel, messages: waiting.length, reason: 'settingsChanged' }, ...op },
    );
    this.wake();
    return waiting.length;
  }
}
