/**
 * One open session per slot, kept for the worker's life so repeated logins and signatures
 * cost one call each, not an open/close pair. Login state is per token and application in
 * PKCS#11 (v2.40 §5.6), so one session per slot is all CardDesk needs.
 */
import type { PKCS11 } from 'pkcs11js';
import { CKF, CKR } from '../ck';
import { isSessionLost } from '../ckr-outcomes';
import type { Failure } from '../schemas/common';
import type { UserType } from '../schemas/token';
import { slotHandleOf } from '../slot-id';
import { attempt, ckrOf, failedCall, Pkcs11CallError, type RefusalOf } from './call-error';

export interface SlotSession {
  readonly slotId: number;
  readonly slot: Buffer;
  readonly handle: Buffer;
  /** Who this worker logged in on the token, as far as it knows. */
  loggedIn: UserType | null;
  /** Object handles found by selector (`private:id:01`), valid until logout or a stale-handle error. */
  readonly objects: Map<string, Buffer>;
  /** C_GetMechanismList, read once. */
  mechanisms: ReadonlySet<number> | null;
}

/** Reasons after which the slot's session is gone for good. */
const gone = new Set<string>(['tokenNotPresent', 'tokenRemoved', 'tokenNotRecognized', 'slotNotFound', 'sessionClosed']);

export class SlotSessions {
  readonly #p11: PKCS11;
  readonly #table = new Map<number, SlotSession>();

  constructor(p11: PKCS11) {
    this.#p11 = p11;
  }

  /** Opens a R/W session (key generation and certificate writes need one), R/O on a write-protected token. */
  open(slotId: number): SlotSession {
    const existing = this.#table.get(slotId);
    if (existing !== undefined) return existing;
    const slot = slotHandleOf(slotId);
    let opened = attempt(() => this.#p11.C_OpenSession(slot, CKF.SERIAL_SESSION | CKF.RW_SESSION));
    if (!opened.ok && opened.rv === CKR.TOKEN_WRITE_PROTECTED) opened = attempt(() => this.#p11.C_OpenSession(slot, CKF.SERIAL_SESSION));
    if (!opened.ok) throw new Pkcs11CallError('C_OpenSession', opened.rv);
    const session: SlotSession = { slotId, slot, handle: opened.value, loggedIn: null, objects: new Map(), mechanisms: null };
    this.#table.set(slotId, session);
    return session;
  }

  /** Forgets a slot's session; `close` also closes it on the token (ignoring a token that is gone). */
  forget(slotId: number, { close }: { close: boolean } = { close: false }): void {
    const session = this.#table.get(slotId);
    this.#table.delete(slotId);
    if (session !== undefined && close) attempt(() => this.#p11.C_CloseSession(session.handle));
  }

  /**
   * Replaces the slot's session after an unexpected failure, which may have left an operation
   * active in it (C_Decrypt's CKR_BUFFER_TOO_SMALL does, v2.40 §5.2). The new session is
   * opened before the old one is closed, so the token stays logged in (closing the last
   * session would log it out).
   */
  renew(slotId: number): void {
    const old = this.#table.get(slotId);
    if (old === undefined) return;
    this.#table.delete(slotId);
    try {
      const fresh = this.open(slotId);
      fresh.loggedIn = old.loggedIn;
      fresh.mechanisms = old.mechanisms;
    } catch {
      // The token is gone or refuses sessions: the next call will say so.
    }
    attempt(() => this.#p11.C_CloseSession(old.handle));
  }

  /** Closes every session; closing the last one logs the token out (v2.40 §5.6, C_CloseSession). */
  closeAll(): void {
    for (const slotId of [...this.#table.keys()]) this.forget(slotId, { close: true });
  }

  /**
   * Runs `operation` on the slot's session. A lost session (token pulled and put back) is
   * replaced and the operation tried once more; a CK_RV that `refusalOf` knows becomes a
   * value; any other is an error naming the PKCS#11 function (`call` when pkcs11js does not
   * say) and its CKR.
   */
  run<R, X extends string>(slotId: number, call: string, refusalOf: RefusalOf<X>, operation: (session: SlotSession) => R): R | Failure<X> {
    for (let tries = 0; ; tries++) {
      try {
        return operation(this.open(slotId));
      } catch (error) {
        const rv = error instanceof Pkcs11CallError ? error.ckr : ckrOf(error);
        if (rv === null) throw error;
        if (isSessionLost(rv) && tries === 0) {
          this.forget(slotId);
          continue;
        }
        const reason = refusalOf(rv);
        if (reason === null) {
          this.renew(slotId);
          throw error instanceof Pkcs11CallError ? error : new Pkcs11CallError(failedCall(error, call), rv);
        }
        if (gone.has(reason)) this.forget(slotId);
        return { ok: false, reason };
      }
    }
  }

  /** Whether the token in this slot offers a mechanism (C_GetMechanismList, v2.40 §5.5). */
  supports(session: SlotSession, mechanism: number): boolean {
    session.mechanisms ??= new Set(this.#p11.C_GetMechanismList(session.slot));
    return session.mechanisms.has(mechanism);
  }
}
