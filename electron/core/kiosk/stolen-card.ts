/**
 * "My card was stolen: suspend it", at the kiosk without the card (issue 14 §4). The holder types
 * their personal number; a one-time code goes to their verified email or mobile; they type it (or
 * their authenticator's code); every active card of theirs is put on hold in the CA at once (the
 * CRL and OCSP follow), for the days they chose, returning by itself. The first answer is the same
 * whether or not the number is known, and a flow for an unknown number only ever says "wrong code".
 * Attempts are limited per kiosk window and per personal number; every outcome is recorded.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { CardRecord, Holder } from '../../shared/schemas/holders';
import type { LifecycleResult } from '../../shared/schemas/lifecycle';
import type { StolenCardBegin, StolenCardResult } from '../../shared/schemas/kiosk-stolen';
import type { NotificationChannel, OneTimeCodes, SecondFactor } from '../account/account-ports';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { AttemptLimit } from './attempt-limit';

/** How long the holder has to type the code (the one-time code's own life is the same). */
const FLOW_MS = 10 * 60_000;
/** Codes typed per flow before it ends. */
const CODE_TRIES = 5;

export interface StolenCardDeps {
  /** The holder with this personal number (as typed; the directory normalises), or null. */
  holderByPersonalNumber(personalNumber: string): Holder | null;
  cardsOf(holderId: string): readonly CardRecord[];
  /** Where a one-time code can reach the holder (their verified email, else verified mobile), or null. */
  codeAddress(holder: Holder): { channel: NotificationChannel; to: string } | null;
  readonly codes: OneTimeCodes;
  readonly secondFactor: SecondFactor;
  /** Puts the card's certificates on hold (the life cycle's suspend, released after `days`). */
  suspend(serial: string, days: number, op: OperationContext): Promise<LifecycleResult>;
  /** Whether the desk's vault and CA can act now. */
  keysAvailable(): boolean;
  readonly audit: AuditTrail;
  readonly now?: () => number;
  /** Per kiosk window (default 10 a minute) and per personal number (default 5 an hour). */
  readonly perWindow?: AttemptLimit;
  readonly perNumber?: AttemptLimit;
}

interface Flow {
  readonly source: string;
  readonly holderId: string | null;
  readonly codeId: string | null;
  readonly expiresAt: number;
  tries: number;
}

export class StolenCardService {
  readonly #flows = new Map<string, Flow>();
  readonly #now: () => number;
  readonly #perWindow: AttemptLimit;
  readonly #perNumber: AttemptLimit;

  constructor(private readonly deps: StolenCardDeps) {
    this.#now = deps.now ?? Date.now;
    this.#perWindow = deps.perWindow ?? new AttemptLimit({ limit: 10, windowMs: 60_000, now: this.#now });
    this.#perNumber = deps.perNumber ?? new AttemptLimit({ limit: 5, windowMs: 3_600_000, now: this.#now });
  }

  async begin(source: string, personalNumber: string): Promise<StolenCardBegin> {
    const typed = personalNumber.replace(/[\s-]/g, '').toUpperCase();
    if (!this.#perWindow.take(source) || !this.#perNumber.take(typed)) {
      await this.#record(null, 'failure', 'tooManyAttempts', { source });
      throw new CardDeskError('TOO_MANY_ATTEMPTS', 'Too many attempts from this kiosk: wait a minute and try again.');
    }
    this.#forgetOld();
    const holder = this.deps.holderByPersonalNumber(typed);
    const address = holder === null ? null : this.deps.codeAddress(holder);
    const op = holder === null ? null : this.#op(holder.id);
    const sent =
      holder !== null && address !== null && op !== null
        ? await this.deps.codes.send({ holderId: holder.id, purpose: 'stolenCard', channel: address.channel, to: address.to, language: holder.language }, op)
        : null;
    const flowId = randomUUID();
    const expiresAt = this.#now() + FLOW_MS;
    this.#flows.set(flowId, { source, holderId: holder?.id ?? null, codeId: sent?.codeId ?? null, expiresAt, tries: 0 });
    await this.#record(holder?.id ?? null, 'success', 'codeRequested', { source });
    return { flowId, expiresAt: new Date(expiresAt).toISOString() };
  }

  async complete(source: string, flowId: string, code: string, days: number): Promise<StolenCardResult> {
    const flow = this.#flows.get(flowId);
    // Another window's flow is no different from none.
    if (flow === undefined || flow.source !== source || flow.expiresAt <= this.#now()) {
      if (flow !== undefined && flow.source === source) this.#flows.delete(flowId);
      await this.#record(null, 'failure', 'expired', { source });
      return { ok: false, reason: 'expired' };
    }
    if (!this.#perWindow.take(source)) {
      await this.#record(flow.holderId, 'failure', 'tooManyAttempts', { source });
      return { ok: false, reason: 'tooManyAttempts' };
    }
    if (!this.deps.keysAvailable()) {
      await this.#record(flow.holderId, 'failure', 'serviceUnavailable', { source });
      return { ok: false, reason: 'serviceUnavailable' };
    }
    flow.tries += 1;
    if (flow.tries > CODE_TRIES) {
      this.#flows.delete(flowId);
      await this.#record(flow.holderId, 'failure', 'tooManyAttempts', { source });
      return { ok: false, reason: 'tooManyAttempts' };
    }
    if (!(await this.#codeIsRight(flow, code))) {
      await this.#record(flow.holderId, 'failure', 'wrongCode', { source });
      return { ok: false, reason: 'wrongCode' };
    }
    this.#flows.delete(flowId);
    const holderId = flow.holderId!;
    const op = this.#op(holderId);
    const active = this.deps.cardsOf(holderId).filter((card) => card.state === 'active');
    if (active.length === 0) {
      await this.#record(holderId, 'failure', 'nothingToSuspend', { source });
      return { ok: false, reason: 'nothingToSuspend' };
    }
    let suspended = 0;
    for (const card of active) {
      const result = await this.deps.suspend(card.serial, days, op);
      if (result.ok) suspended += 1;
    }
    if (suspended === 0) {
      await this.#record(holderId, 'failure', 'serviceUnavailable', { source, cards: active.length });
      return { ok: false, reason: 'serviceUnavailable' };
    }
    const until = new Date(this.#now() + days * 86_400_000).toISOString();
    await this.#record(holderId, 'success', 'suspended', { source, cards: suspended, days });
    return { ok: true, suspendedCards: suspended, until };
  }

  /** The holder gave up: the flow is forgotten (recorded, so the log shows an abandoned report too). */
  async cancel(source: string, flowId: string): Promise<null> {
    const flow = this.#flows.get(flowId);
    if (flow?.source !== source) return null;
    this.#flows.delete(flowId);
    await this.#record(flow.holderId, 'failure', 'cancelled', { source });
    return null;
  }

  /** The authenticator's code when one is enrolled, else (or then) the one-time code sent for this flow. */
  async #codeIsRight(flow: Flow, code: string): Promise<boolean> {
    if (flow.holderId === null) return false;
    const op = this.#op(flow.holderId);
    if (this.deps.secondFactor.enrolled(flow.holderId) && (await this.deps.secondFactor.verify(flow.holderId, code, op))) return true;
    if (flow.codeId === null || !/^\d{6}$/.test(code)) return false;
    return (await this.deps.codes.check(flow.codeId, { holderId: flow.holderId, purpose: 'stolenCard' }, code, op)) === 'ok';
  }

  #op(holderId: string): OperationContext {
    return { actor: { kind: 'holder', id: holderId }, channel: 'kiosk' };
  }

  #record(holderId: string | null, outcome: 'success' | 'failure', reason: string, details: Record<string, string | number>): Promise<void> {
    return this.deps.audit.record({
      action: 'kiosk.stolenCard',
      outcome,
      reason,
      ...(holderId === null ? { actor: { kind: 'system', id: 'kiosk' } } : { actor: { kind: 'holder', id: holderId }, holderId }),
      channel: 'kiosk',
      details,
    });
  }

  #forgetOld(): void {
    const now = this.#now();
    for (const [id, flow] of this.#flows) if (flow.expiresAt <= now) this.#flows.delete(id);
  }
}
