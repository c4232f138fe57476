/**
 * Lost info (issue 15, point 2): without a card, a holder gives their personal number and their
 * registered email. The answer is the same whether or not the two match a holder ("if these match
 * our records, a code was sent"), after the same minimum time; only when they match does a
 * one-time code go to that email. With the code back the holder has their user number re-sent
 * (to themselves or to the contact person, by the issuance policy's rule, as the PIN letters do)
 * or a new recovery code issued. Attempts are limited per source (kiosk window, desk window) and
 * per personal number, and every one is recorded; nothing in the answer says who exists.
 */
import { randomUUID } from 'node:crypto';
import type { LostInfoBeginResult, LostInfoChoice, LostInfoCompleteResult } from '../../shared/schemas/account-contact';
import type { Holder } from '../../shared/schemas/holders';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import type { HolderDirectory } from '../directory/holder-directory';
import { checkAccountField } from '../directory/holder-validation';
import { userNumberRecipient } from '../letters/recipients';
import type { OperationContext } from '../operation-context';
import type { RecordChange } from '../vault/record-store';
import type { NotificationQueue, OneTimeCodes } from './account-ports';
import { AttemptLimit } from '../kiosk/attempt-limit';

/** Issues a new recovery code to a holder (the recovery-code part implements it; lost info only asks). */
export interface RecoveryCodeIssuer {
  issue(holderId: string, context: OperationContext): Promise<void>;
}

export interface LostInfoLimits {
  /** Requests one source may make within `windowMs`. */
  readonly perSource: number;
  /** Requests naming one personal number within `windowMs` (from anywhere). */
  readonly perPersonalNumber: number;
  readonly windowMs: number;
}

export interface LostInfoDeps {
  readonly directory: Pick<HolderDirectory, 'index' | 'get'>;
  /** Records and their event in one commit (ChangeRecorder.commit). */
  readonly commit: (changes: readonly RecordChange[], event: AuditEventInput) => Promise<void>;
  readonly codes: OneTimeCodes;
  readonly queue: NotificationQueue;
  readonly recoveryCodes: RecoveryCodeIssuer;
  readonly audit: AuditTrail;
  /** The issuance policy's rule: who receives the user number. */
  readonly userNumberRule: () => 'holder' | 'contactPerson';
  /** Mails the user number to the holder's contact person (a letter: the contact person has no email on record). */
  readonly userNumberLetter: (holder: Holder, op: OperationContext) => Promise<void>;
  readonly limits?: LostInfoLimits;
  /** Every begin answers after at least this long, so a match and a miss take the same time. */
  readonly minAnswerMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Flow {
  readonly source: string;
  /** Null when nothing matched: the flow exists anyway, and every code typed for it is wrong. */
  readonly holderId: string | null;
  readonly codeId: string | null;
  tries: number;
  readonly startedAt: number;
}

const FLOW_LIFE_MS = 10 * 60_000;
const MAX_TRIES = 5;

export class LostInfoService {
  readonly #deps: LostInfoDeps;
  readonly #now: () => number;
  readonly #flows = new Map<string, Flow>();
  readonly #bySource: AttemptLimit;
  readonly #byNumber: AttemptLimit;

  constructor(deps: LostInfoDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
    const limits = deps.limits ?? { perSource: 5, perPersonalNumber: 3, windowMs: 15 * 60_000 };
    this.#bySource = new AttemptLimit({ limit: limits.perSource, windowMs: limits.windowMs, now: () => this.#now() });
    this.#byNumber = new AttemptLimit({ limit: limits.perPersonalNumber, windowMs: limits.windowMs, now: () => this.#now() });
  }

  async #pad(started: number): Promise<void> {
    const wait = (this.#deps.minAnswerMs ?? 600) - (this.#now() - started);
    if (wait > 0) await (this.#deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(wait);
  }

  /** The holder the two name, or null (compared after the form's tidying, the email without case). */
  #match(personalNumber: string, email: string): Holder | null {
    const index = this.#deps.directory.index();
    const id = index.idByPersonalNumber(personalNumber.replace(/[\s-]/g, '').toUpperCase());
    const holder = id === undefined ? undefined : index.get(id);
    if (holder === undefined || holder.email === '') return null;
    const typed = checkAccountField('email', email);
    return typed.ok && typed.value === holder.email.toLowerCase() ? holder : null;
  }

  async begin(source: string, personalNumber: string, email: string, op: OperationContext): Promise<LostInfoBeginResult> {
    const started = this.#now();
    this.#sweep();
    const numberKey = personalNumber.replace(/[\s-]/g, '').toUpperCase();
    if (!this.#bySource.take(source) || !this.#byNumber.take(numberKey)) {
      await this.#deps.audit.record({ action: 'account.lostInfo', outcome: 'failure', reason: 'tooManyAttempts', details: { stage: 'begin', source }, ...op });
      await this.#pad(started);
      return { ok: false, reason: 'tooManyAttempts' };
    }
    const holder = this.#match(personalNumber, email);
    let codeId: string | null = null;
    if (holder !== null) {
      codeId = (await this.#deps.codes.send({ holderId: holder.id, purpose: 'lostInfo', channel: 'email', to: holder.email, language: holder.language }, op)).codeId;
    }
    const flow = randomUUID();
    this.#flows.set(flow, { source, holderId: holder?.id ?? null, codeId, tries: 0, startedAt: this.#now() });
    // Recorded either way; the holder only when there is one (the log is the desk's, not the asker's).
    await this.#deps.audit.record({
      action: 'account.lostInfo',
      outcome: holder === null ? 'failure' : 'success',
      reason: holder === null ? 'noMatch' : 'codesSent',
      ...(holder === null ? {} : { holderId: holder.id }),
      details: { stage: 'begin', source },
      ...op,
    });
    await this.#pad(started);
    return { ok: true, flow };
  }

  async complete(source: string, flowId: string, code: string, choice: LostInfoChoice, op: OperationContext): Promise<LostInfoCompleteResult> {
    this.#sweep();
    const flow = this.#flows.get(flowId);
    const wrong = async (reason: 'wrongCode' | 'tooManyAttempts', holderId: string | null): Promise<LostInfoCompleteResult> => {
      await this.#deps.audit.record({ action: 'account.lostInfo', outcome: 'failure', reason, ...(holderId === null ? {} : { holderId }), details: { stage: 'complete', source, choice }, ...op });
      return { ok: false, reason };
    };
    if (flow?.source !== source) return wrong('wrongCode', null);
    flow.tries += 1;
    if (flow.tries > MAX_TRIES) {
      this.#flows.delete(flowId);
      return wrong('tooManyAttempts', flow.holderId);
    }
    if (flow.holderId === null || flow.codeId === null) return wrong('wrongCode', null);
    const check = await this.#deps.codes.check(flow.codeId, { holderId: flow.holderId, purpose: 'lostInfo' }, code, op);
    if (check !== 'ok') {
      if (check !== 'wrong') this.#flows.delete(flowId);
      return wrong(check === 'exhausted' ? 'tooManyAttempts' : 'wrongCode', flow.holderId);
    }
    this.#flows.delete(flowId);
    const holder = this.#deps.directory.get(flow.holderId);
    if (choice === 'recoveryCode') {
      await this.#deps.recoveryCodes.issue(holder.id, op);
      await this.#deps.audit.record({ action: 'account.lostInfo', outcome: 'success', holderId: holder.id, details: { stage: 'complete', source, choice }, ...op });
      return { ok: true, choice };
    }
    const recipient = userNumberRecipient(holder, this.#deps.userNumberRule());
    if (recipient === 'contactPerson') {
      await this.#deps.userNumberLetter(holder, op);
      await this.#deps.audit.record({ action: 'account.lostInfo', outcome: 'success', holderId: holder.id, details: { stage: 'complete', source, choice, recipient }, ...op });
    } else {
      // The message and the event in one commit.
      const message = this.#deps.queue.queued({ kind: 'userNumber', holderId: holder.id, channel: 'email', to: holder.email, language: holder.language, params: { userNumber: holder.userNumber } });
      await this.#deps.commit([message], { action: 'account.lostInfo', outcome: 'success', holderId: holder.id, details: { stage: 'complete', source, choice, recipient }, ...op });
      this.#deps.queue.wake();
    }
    return { ok: true, choice };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, flow] of this.#flows) if (now - flow.startedAt > FLOW_LIFE_MS) this.#flows.delete(id);
  }
}
