/**
 * Verified contact data (issue 15, point 3). A holder's email and mobile each carry a verified
 * flag. A change at the kiosk takes two one-time codes: one sent to the old address or number
 * (when there is one) and one to the new; with a second factor enrolled its code too. Once both
 * came back the new value is stored, marked verified, and `contactChanged` (to the new) and
 * `contactChangedOld` (to the old) are queued in the SAME commit as the change. After a change of
 * a recovery contact (email or mobile) the next is refused for six days (`contactCooldownUntil`).
 * An operator at the desk changes contact data with a reason, without codes; that also starts the
 * cooldown. An unverified address is verified with one code sent to it.
 *
 * Pending changes live in memory only (a restart asks the holder to begin again); codes are the
 * OneTimeCodes port's (hashed, counted, compared in constant time), never kept or logged here.
 */
import { CardDeskError } from '../../shared/errors';
import type { ContactBeginResult, ContactDoneResult, ContactField, ContactRefusal, ContactView } from '../../shared/schemas/account-contact';
import type { Holder } from '../../shared/schemas/holders';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import type { HolderDirectory } from '../directory/holder-directory';
import { checkAccountField } from '../directory/holder-validation';
import type { OperationContext } from '../operation-context';
import type { RecordChange } from '../vault/record-store';
import type { NotificationChannel, NotificationQueue, NotificationRequest, OneTimeCodeCheck, OneTimeCodes, SecondFactor } from './account-ports';

/** After a change of a recovery contact, the next change waits this long. */
export const CONTACT_COOLDOWN_MS = 6 * 86_400_000;

export interface ContactServiceDeps {
  readonly directory: Pick<HolderDirectory, 'get' | 'saveAccount'>;
  readonly codes: OneTimeCodes;
  readonly queue: NotificationQueue;
  readonly secondFactor: Pick<SecondFactor, 'enrolled' | 'verify'>;
  readonly audit: AuditTrail;
  /** The time now (tests move it). */
  readonly clock?: () => Date;
}

interface PendingChange {
  readonly field: ContactField;
  readonly value: string;
  readonly oldTo: string | null;
  oldCodeId: string | null;
  readonly newCodeId: string;
  /** A code already accepted (used up) while the other was wrong: not asked again. */
  oldDone: boolean;
  newDone: boolean;
}

const channelOf = (field: ContactField): NotificationChannel => (field === 'email' ? 'email' : 'sms');
const verifiedKey = (field: ContactField) => (field === 'email' ? ('emailVerified' as const) : ('mobileVerified' as const));

/** An address or number shown only in part (the screen and messages never repeat it whole). */
export function maskContact(field: ContactField, value: string): string {
  if (value === '') return '';
  if (field === 'mobile') return `${'•'.repeat(Math.max(value.length - 3, 2))}${value.slice(-3)}`;
  const at = value.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${value.slice(0, 1)}•••${value.slice(at)}`;
}

function refused(reason: ContactRefusal, extra: { until?: string | null; code?: 'old' | 'new' | 'verify' | null } = {}): { ok: false; reason: ContactRefusal; until: string | null; code: 'old' | 'new' | 'verify' | null } {
  return { ok: false, reason, until: extra.until ?? null, code: extra.code ?? null };
}

function codeRefusal(check: OneTimeCodeCheck): ContactRefusal {
  return check === 'expired' || check === 'used' || check === 'unknown' ? 'expired' : check === 'exhausted' ? 'exhausted' : 'wrongCode';
}

export class ContactService {
  readonly #deps: ContactServiceDeps;
  readonly #clock: () => Date;
  /** Pending changes by holder (one at a time per holder; a new begin replaces it). */
  readonly #pending = new Map<string, PendingChange>();
  /** Pending verifications by holder and field: the code's id. */
  readonly #verifying = new Map<string, string>();

  constructor(deps: ContactServiceDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  view(holderId: string): ContactView {
    const holder = this.#deps.directory.get(holderId);
    return {
      email: holder.email,
      mobile: holder.mobile,
      emailVerified: holder.emailVerified,
      mobileVerified: holder.mobileVerified,
      cooldownUntil: this.#cooldownUntil(holder),
      secondFactor: this.#secondFactor(holderId),
    };
  }

  #secondFactor(holderId: string): boolean {
    try {
      return this.#deps.secondFactor.enrolled(holderId);
    } catch {
      return false;
    }
  }

  /** The cooldown's end while it runs, else null. */
  #cooldownUntil(holder: Holder): string | null {
    const until = holder.contactCooldownUntil;
    if (until === '') return null;
    const at = Date.parse(until);
    return Number.isNaN(at) || at <= this.#clock().getTime() ? null : until;
  }

  #record(event: Omit<AuditEventInput, 'actor' | 'channel'>, op: OperationContext): Promise<void> {
    return this.#deps.audit.record({ ...event, ...op });
  }

  /** Both messages name the new address or number, in part (their words say "this address (…)" and "now go to …"). */
  #message(holder: Holder, kind: 'contactChanged' | 'contactChangedOld', field: ContactField, to: string, value: string, changedAt: string): NotificationRequest {
    return { kind, holderId: holder.id, channel: channelOf(field), to, language: holder.language, params: { field, changedAt, address: maskContact(field, value) } };
  }

  /** The change, its two messages and its event in one commit; the cooldown starts. */
  async #apply(holder: Holder, field: ContactField, value: string, verified: boolean, op: OperationContext, reason: string | null): Promise<Holder> {
    const now = this.#clock();
    const changedAt = now.toISOString();
    const old = holder[field];
    const messages: RecordChange[] = [this.#deps.queue.queued(this.#message(holder, 'contactChanged', field, value, value, changedAt))];
    if (old !== '') messages.push(this.#deps.queue.queued(this.#message(holder, 'contactChangedOld', field, old, value, changedAt)));
    const saved = await this.#deps.directory.saveAccount(
      holder.id,
      () => ({ [field]: value, [verifiedKey(field)]: verified, contactCooldownUntil: new Date(now.getTime() + CONTACT_COOLDOWN_MS).toISOString() }),
      {
        action: 'account.contactChange',
        outcome: 'success',
        ...(reason === null ? {} : { reason }),
        details: { field, verified, by: op.actor.kind },
        ...op,
      },
      messages,
    );
    this.#deps.queue.wake();
    return saved;
  }

  // ---- the holder's change (kiosk): two codes ------------------------------------------------

  /** Sends the codes for changing `field` to `raw`: to the old value (if any) and to the new. */
  async beginChange(holderId: string, field: ContactField, raw: string, op: OperationContext): Promise<ContactBeginResult> {
    const holder = this.#deps.directory.get(holderId);
    const until = this.#cooldownUntil(holder);
    const refuse = async (reason: ContactRefusal, extra: { until?: string | null } = {}): Promise<ContactBeginResult> => {
      await this.#record({ action: 'account.contactChange', outcome: 'failure', reason, holderId, details: { field, stage: 'begin' } }, op);
      return refused(reason, extra);
    };
    if (until !== null) return refuse('cooldown', { until });
    const checked = checkAccountField(field, raw);
    if (!checked.ok) return refuse('invalid');
    if (checked.value === holder[field]) return refuse('unchanged');
    const oldTo = holder[field] === '' ? null : holder[field];
    const send = (to: string, purpose: 'contactChangeOld' | 'contactChangeNew') =>
      this.#deps.codes.send({ holderId, purpose, channel: channelOf(field), to, language: holder.language }, op);
    const sentNew = await send(checked.value, 'contactChangeNew');
    const sentOld = oldTo === null ? null : await send(oldTo, 'contactChangeOld');
    this.#pending.set(holderId, { field, value: checked.value, oldTo, oldCodeId: sentOld?.codeId ?? null, newCodeId: sentNew.codeId, oldDone: oldTo === null, newDone: false });
    const secondFactor = this.#secondFactor(holderId);
    await this.#record({ action: 'account.contactChange', outcome: 'success', reason: 'codesSent', holderId, details: { field, stage: 'begin', oldAddress: oldTo !== null } }, op);
    return { ok: true, oldSentTo: oldTo === null ? null : maskContact(field, oldTo), newSentTo: maskContact(field, checked.value), expiresAt: sentNew.expiresAt, secondFactor };
  }

  /** Both codes (and the second factor's, when enrolled): the change is made and reported. */
  async confirmChange(holderId: string, field: ContactField, codes: { oldCode: string; newCode: string; secondFactorCode: string }, op: OperationContext): Promise<ContactDoneResult> {
    const pending = this.#pending.get(holderId);
    const refuse = async (reason: ContactRefusal, extra: { until?: string | null; code?: 'old' | 'new' | null } = {}): Promise<ContactDoneResult> => {
      await this.#record({ action: 'account.contactChange', outcome: 'failure', reason, holderId, details: { field, stage: 'confirm', ...(extra.code ? { code: extra.code } : {}) } }, op);
      return refused(reason, extra);
    };
    if (pending?.field !== field) return refuse('noPendingChange');
    const holder = this.#deps.directory.get(holderId);
    const until = this.#cooldownUntil(holder);
    if (until !== null) {
      this.#pending.delete(holderId);
      return refuse('cooldown', { until });
    }
    if (this.#secondFactor(holderId) && !(await this.#deps.secondFactor.verify(holderId, codes.secondFactorCode, op))) return refuse('secondFactor');
    if (!pending.oldDone && pending.oldCodeId !== null) {
      const check = await this.#deps.codes.check(pending.oldCodeId, { holderId, purpose: 'contactChangeOld' }, codes.oldCode, op);
      if (check !== 'ok') {
        if (check !== 'wrong') this.#pending.delete(holderId);
        return refuse(codeRefusal(check), { code: 'old' });
      }
      pending.oldDone = true;
    }
    if (!pending.newDone) {
      const check = await this.#deps.codes.check(pending.newCodeId, { holderId, purpose: 'contactChangeNew' }, codes.newCode, op);
      if (check !== 'ok') {
        if (check !== 'wrong') this.#pending.delete(holderId);
        return refuse(codeRefusal(check), { code: 'new' });
      }
      pending.newDone = true;
    }
    this.#pending.delete(holderId);
    await this.#apply(holder, field, pending.value, true, op, null);
    return { ok: true, contact: this.view(holderId) };
  }

  // ---- verifying the address on record ---------------------------------------------------------

  async beginVerify(holderId: string, field: ContactField, op: OperationContext): Promise<ContactBeginResult> {
    const holder = this.#deps.directory.get(holderId);
    const refuse = async (reason: ContactRefusal): Promise<ContactBeginResult> => {
      await this.#record({ action: 'account.contactVerify', outcome: 'failure', reason, holderId, details: { field, stage: 'begin' } }, op);
      return refused(reason);
    };
    if (holder[field] === '') return refuse('noAddress');
    if (holder[verifiedKey(field)]) return refuse('alreadyVerified');
    const sent = await this.#deps.codes.send({ holderId, purpose: 'contactVerify', channel: channelOf(field), to: holder[field], language: holder.language }, op);
    this.#verifying.set(`${holderId}:${field}`, sent.codeId);
    await this.#record({ action: 'account.contactVerify', outcome: 'success', reason: 'codesSent', holderId, details: { field, stage: 'begin' } }, op);
    return { ok: true, oldSentTo: null, newSentTo: maskContact(field, holder[field]), expiresAt: sent.expiresAt, secondFactor: false };
  }

  async confirmVerify(holderId: string, field: ContactField, code: string, op: OperationContext): Promise<ContactDoneResult> {
    const key = `${holderId}:${field}`;
    const codeId = this.#verifying.get(key);
    const refuse = async (reason: ContactRefusal): Promise<ContactDoneResult> => {
      await this.#record({ action: 'account.contactVerify', outcome: 'failure', reason, holderId, details: { field, stage: 'confirm' } }, op);
      return refused(reason, { code: reason === 'noPendingChange' ? null : 'verify' });
    };
    if (codeId === undefined) return refuse('noPendingChange');
    const check = await this.#deps.codes.check(codeId, { holderId, purpose: 'contactVerify' }, code, op);
    if (check !== 'ok') {
      if (check !== 'wrong') this.#verifying.delete(key);
      return refuse(codeRefusal(check));
    }
    this.#verifying.delete(key);
    const address = this.#deps.directory.get(holderId)[field];
    await this.#deps.directory.saveAccount(
      holderId,
      // Verified only if the address is still the one the code went to.
      (current) => (current[field] === address ? { [verifiedKey(field)]: true } : {}),
      { action: 'account.contactVerify', outcome: 'success', details: { field, stage: 'confirm' }, ...op },
    );
    return { ok: true, contact: this.view(holderId) };
  }

  // ---- the operator's change (desk, CLI) -------------------------------------------------------

  /**
   * An operator changes `field` with a reason (recorded); no codes. The new value is not verified
   * (the holder confirms it with a code), and the cooldown starts. A running cooldown does not stop
   * an operator (the helpdesk is where a holder goes when their contact data is wrong).
   */
  async operatorChange(holderId: string, field: ContactField, raw: string, reason: string, op: OperationContext): Promise<ContactView> {
    const why = reason.trim();
    if (why.length < 3) throw new CardDeskError('MALFORMED_INPUT', 'An operator change of contact data needs a reason.');
    const holder = this.#deps.directory.get(holderId);
    const checked = checkAccountField(field, raw);
    if (!checked.ok) throw new CardDeskError('MALFORMED_INPUT', `That is not a valid ${field === 'email' ? 'email address' : 'mobile number'}.`);
    if (checked.value === holder[field]) throw new CardDeskError('MALFORMED_INPUT', `The ${field === 'email' ? 'email address' : 'mobile number'} is already ${checked.value}.`);
    this.#pending.delete(holderId);
    this.#verifying.delete(`${holderId}:${field}`);
    await this.#apply(holder, field, checked.value, false, op, why);
    return this.view(holderId);
  }
}
