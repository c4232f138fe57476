/**
 * The desk's operator session (issue 17 §2): who the desk acts for at each call.
 *  - `bootstrap` while no operator account exists: the OS account with every role, as the desk
 *    worked before operators (the first-run wizard makes the first administrator from here);
 *  - `signedOut` once operators exist, until one signs in with their operator card and PIN;
 *  - `signedIn`: the operator, their roles read fresh from the accounts at every call (a suspension
 *    or a role change takes effect at once) and the card they signed in with.
 * The session ends on sign-out and after the idle time (settings: operatorSession.idleMinutes). When
 * the card leaves the reader it signed in with (or the reader goes away) the setting
 * operatorSession.cardRemoval decides: `signOut` ends the session, `lock` keeps it but acts for
 * nobody (`locked`, the sign-in screen over the desk) until the same operator signs in again with
 * a card and its PIN; another operator's sign-in ends the locked session and opens theirs.
 */
import { operatorRoles } from '../../shared/enums';
import type { AuditChannel } from '../../shared/schemas/audit';
import type { CardRemoval, OperatorSessionSummary } from '../../shared/schemas/operators';
import type { SignInResult } from '../../shared/schemas/operator-sign-in';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { CardSignInResult } from './card-sign-in';
import type { OperatorLookup } from './operator-lookup';
import type { OperatorSession } from './permission-check';

/** The accounts before any exists: the desk stays in its first-run bootstrap. */
export const noOperatorAccounts: OperatorLookup = { byCertificate: () => null, byId: () => null, bootstrapOver: () => false };

export type SessionEndReason = 'signOut' | 'idle' | 'cardRemoved' | 'operatorInactive' | 'replaced';

/** The operator session a desk call acts for, with what the audit log names beside the operator. */
export interface DeskOperator extends OperatorSession {
  /** The operator card the session was opened with; null in bootstrap. */
  readonly cardSerial: string | null;
  /** The operating-system account the desk runs as (kept as a detail of every event). */
  readonly osUser: string;
}

export interface OperatorSessionDeps {
  readonly lookup: OperatorLookup;
  /** Operator-card sign-in (card-sign-in.ts); takes (and zeroes) the PIN. */
  readonly signIn: (reader: string, pin: Buffer, channel: AuditChannel) => Promise<CardSignInResult>;
  readonly osUser: string;
  /** Minutes without a call before the session ends (read at each check: a settings change applies at once). */
  readonly idleMinutes: () => number;
  /** What the card leaving its reader does (read when it happens); `signOut` when absent. */
  readonly cardRemoval?: () => CardRemoval;
  readonly audit: AuditTrail;
  readonly log: Logger;
  /** Told whenever the summary may have changed (the renderer's app bar and sign-in screen). */
  readonly changed: (summary: OperatorSessionSummary) => void;
  readonly now?: () => number;
}

interface Open {
  readonly operatorId: string;
  readonly cardSerial: string;
  readonly reader: string;
  lastCall: number;
  /** The card left its reader and the setting is `lock`: the session acts for nobody until its operator signs in again. */
  locked: boolean;
}

export class OperatorSessions {
  readonly #deps: OperatorSessionDeps;
  #open: Open | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  /** The mode last summarised or told, so `refresh` tells only a change. */
  #lastMode: OperatorSessionSummary['mode'] | null = null;

  constructor(deps: OperatorSessionDeps) {
    this.#deps = deps;
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  /**
   * The session a desk call acts for, or null when nobody is signed in (and operators exist).
   * `touch`: this call counts as the operator's activity (restarts the idle time).
   */
  current(touch = false): DeskOperator | null {
    const { lookup, osUser } = this.#deps;
    if (!lookup.bootstrapOver()) return { operatorId: osUser, roles: operatorRoles, cardSerial: null, osUser };
    const open = this.#open;
    if (open === null) return null;
    if (this.#now() - open.lastCall >= this.#idleMs()) {
      void this.#end('idle');
      return null;
    }
    const operator = lookup.byId(open.operatorId);
    if (operator === null || operator.state !== 'active') {
      void this.#end('operatorInactive');
      return null;
    }
    if (open.locked) return null;
    if (touch) open.lastCall = this.#now();
    return { operatorId: operator.id, roles: operator.roles, cardSerial: open.cardSerial, osUser };
  }

  summary(): OperatorSessionSummary {
    const summary = this.#summarise();
    this.#lastMode = summary.mode;
    return summary;
  }

  #summarise(): OperatorSessionSummary {
    const current = this.current();
    if (current === null) {
      const open = this.#open;
      if (open?.locked === true) return { mode: 'locked', operatorId: open.operatorId, name: this.#deps.lookup.byId(open.operatorId)?.name ?? null, roles: [], cardSerial: null };
      return { mode: 'signedOut', operatorId: null, name: null, roles: [], cardSerial: null };
    }
    if (current.cardSerial === null) return { mode: 'bootstrap', operatorId: null, name: null, roles: [...current.roles], cardSerial: null };
    const name = this.#deps.lookup.byId(current.operatorId)?.name ?? null;
    return { mode: 'signedIn', operatorId: current.operatorId, name, roles: [...current.roles], cardSerial: current.cardSerial };
  }

  /**
   * Tells the renderer when the mode changed by itself since it was last told or asked: the
   * first-run bootstrap ended (the first CA administrator's operator card became valid) or came back.
   */
  refresh(): void {
    const before = this.#lastMode;
    const summary = this.summary();
    if (before !== null && summary.mode !== before) this.#deps.changed(summary);
  }

  /** Signs in with the operator card in `reader` and its PIN (zeroed); a session already open ends first. */
  async signIn(reader: string, pin: Buffer, channel: AuditChannel): Promise<SignInResult> {
    const result = await this.#deps.signIn(reader, pin, channel);
    if (!result.ok) return { ok: false, reason: result.reason, triesLeft: result.triesLeft, message: result.message };
    const open = this.#open;
    // The same operator back with a card and its PIN goes on with the locked session (the sign-in is recorded as every sign-in).
    if (open !== null && !(open.locked && open.operatorId === result.operator.id)) await this.#end('replaced');
    this.#open = { operatorId: result.operator.id, cardSerial: result.cardSerial, reader: result.reader, lastCall: this.#now(), locked: false };
    this.#armIdle();
    const summary = this.summary();
    this.#deps.changed(summary);
    return { ok: true, session: summary };
  }

  /** Ends the session; without one, the attempt is recorded (as every write is) and nothing changes. */
  async signOut(): Promise<OperatorSessionSummary> {
    if (this.#open !== null) await this.#end('signOut');
    else {
      const current = this.current();
      await this.#deps.audit.record({
        action: 'operator.signedOut',
        outcome: 'failure',
        reason: 'notSignedIn',
        actor: current === null ? { kind: 'system', id: 'operator-session' } : { kind: 'operator', id: current.operatorId },
        channel: 'desk',
      });
    }
    return this.summary();
  }

  /** The card left `reader` (or the reader went away): a session opened with a card in it ends. */
  cardRemoved(reader: string): void {
    const open = this.#open;
    if (open === null || open.locked || open.reader !== reader) return;
    if ((this.#deps.cardRemoval?.() ?? 'signOut') === 'signOut') {
      void this.#end('cardRemoved');
      return;
    }
    open.locked = true;
    void this.#deps.audit
      .record({ action: 'operator.signedOut', outcome: 'success', reason: 'locked', actor: { kind: 'operator', id: open.operatorId }, channel: 'desk', cardSerial: open.cardSerial, details: { reader, osUser: this.#deps.osUser } })
      .catch((error: unknown) => this.#deps.log.error('an operator lock could not be recorded', { error }));
    this.#deps.changed(this.summary());
  }

  /** Stops the idle timer (the session itself stays; `close` also ends what `onDispose` was given). */
  dispose(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  readonly #onClose: (() => void)[] = [];

  /** `stop` runs at `close` (a watch of the accounts). */
  onDispose(stop: () => void): void {
    this.#onClose.push(stop);
  }

  /** At the core's close: the idle timer and the watches end. */
  close(): void {
    this.dispose();
    for (const stop of this.#onClose.splice(0)) stop();
  }

  #idleMs(): number {
    return this.#deps.idleMinutes() * 60_000;
  }

  /** The idle end is also noticed without a call, so the screen returns to sign-in by itself. */
  #armIdle(): void {
    this.dispose();
    const open = this.#open;
    if (open === null) return;
    const wait = Math.max(0, open.lastCall + this.#idleMs() - this.#now());
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#open !== open) return;
      if (this.#now() - open.lastCall >= this.#idleMs()) void this.#end('idle');
      else this.#armIdle();
    }, wait + 50);
    this.#idleTimer.unref();
  }

  /** Ends the session at once; resolves once its end is recorded (sign-out waits for that, the other ends need not). */
  #end(reason: SessionEndReason): Promise<void> {
    const open = this.#open;
    if (open === null) return Promise.resolve();
    this.#open = null;
    this.dispose();
    const recorded = this.#deps.audit
      .record({
        action: 'operator.signedOut',
        outcome: 'success',
        reason,
        actor: { kind: 'operator', id: open.operatorId },
        channel: 'desk',
        cardSerial: open.cardSerial,
        details: { reader: open.reader, osUser: this.#deps.osUser },
      })
      .catch((error: unknown) => this.#deps.log.error('the end of an operator session could not be recorded', { error, reason }));
    if (reason !== 'replaced') this.#deps.changed(this.summary());
    return recorded;
  }
}
