/**
 * "Unblock with my recovery code" at the kiosk (issue 15 §1): a holder whose PIN is blocked and
 * who has no PUK at hand types the Emergency Recovery Code from its letter; a one-time code goes
 * to the holder's email (or mobile); the holder types it (and a TOTP code when a second factor is
 * enrolled) and a new PIN twice on the PIN pad; the desk unblocks the PIN with standard RESET
 * RETRY COUNTER and the card's PUK, sealed in the vault since issuance. The code is then used up
 * and a new one issued (its letter queued), and 'pinUnblocked' is notified.
 *
 * Everything acts for the card of the window's kiosk session only (the session is found from the
 * call's source; the page never names a holder or a card). Wrong recovery codes are limited per
 * holder in the vault (recovery-codes.ts) and per kiosk window (the kiosk's pre-sign-in limit).
 * Each step is recorded, never with a code or a PIN.
 */
import type { KioskRecoveryBeginResult, KioskRecoveryCompleteResult, KioskRecoveryRefusal } from '../../shared/schemas/account-recovery';
import type { AuditAction } from '../../shared/schemas/audit';
import type { AuditTrail } from '../audit/audit-trail';
import type { CardService } from '../cards/card-service';
import type { HolderDirectory } from '../directory/holder-directory';
import type { PersonalisationStore } from '../lifecycle/personalisations';
import type { OperationContext } from '../operation-context';
import type { ChangeRecorder } from '../vault/change-events';
import type { NotificationQueue, OneTimeCodes, SecondFactor } from '../account/account-ports';
import { maskAddress } from '../account/one-time-codes';
import { recoveryAddress, verifiedAddress, type RecoveryCodes } from '../account/recovery-codes';
import type { KioskService } from './kiosk-service';
import type { KioskSession } from './kiosk-sessions';

export interface KioskRecoveryDeps {
  readonly kiosk: Pick<KioskService, 'liveSession' | 'cardStillThere' | 'windowAllows' | 'keysAvailable'>;
  readonly recovery: Pick<RecoveryCodes, 'verify' | 'used' | 'record'>;
  readonly codes: OneTimeCodes;
  readonly secondFactor: SecondFactor;
  readonly directory: Pick<HolderDirectory, 'get' | 'cardOrNull'>;
  readonly personalisations: Pick<PersonalisationStore, 'hasPuk' | 'puk'>;
  readonly cards: Pick<CardService, 'unblockPin'>;
  readonly audit: AuditTrail;
  readonly recorder: Pick<ChangeRecorder, 'commit'>;
  readonly queue: NotificationQueue;
  /** The policy's number of PIN digits. */
  readonly pinLength: () => number;
}

interface Pending {
  readonly serial: string;
  readonly holderId: string;
  readonly codeId: string;
  /** The recovery code that was typed (by when it was issued): a code used meanwhile ends this recovery. */
  readonly recoveryIssuedAt: string;
}

const usable = new Set(['active', 'suspended']);

export class KioskRecovery {
  readonly #pending = new Map<string, Pending>();

  constructor(private readonly deps: KioskRecoveryDeps) {}

  #op(session: { holderId: string }): OperationContext {
    return { actor: { kind: 'holder', id: session.holderId }, channel: 'kiosk' };
  }

  async #refuse<R extends { ok: false; reason: KioskRecoveryRefusal }>(source: string, session: KioskSession | null, action: AuditAction, reason: KioskRecoveryRefusal): Promise<R> {
    await this.deps.audit.record({
      action,
      outcome: 'failure',
      reason,
      ...(session === null ? { actor: { kind: 'system', id: 'kiosk' } } : { ...this.#op(session), holderId: session.holderId, cardSerial: session.serial }),
      channel: 'kiosk',
      details: { source },
    });
    return { ok: false, reason } as R;
  }

  /** The recovery code typed at the kiosk: checked, then a one-time code sent to the holder. */
  async begin(source: string, typed: string): Promise<KioskRecoveryBeginResult> {
    const action = 'account.recoveryCodeCheck';
    if (!this.deps.kiosk.windowAllows(source)) return this.#refuse(source, null, action, 'tooManyAttempts');
    const session = await this.deps.kiosk.liveSession(source);
    this.#pending.delete(source);
    if (!this.deps.kiosk.keysAvailable()) return this.#refuse(source, session, action, 'serviceUnavailable');
    const card = this.deps.directory.cardOrNull(session.serial);
    if (card === null || !usable.has(card.state) || !this.deps.personalisations.hasPuk(session.serial)) return this.#refuse(source, session, action, 'notAvailable');
    const op = this.#op(session);
    // The service records the check itself (and counts a wrong code against the holder).
    const checked = await this.deps.recovery.verify(session.holderId, typed, op);
    if (checked !== 'ok') return { ok: false, reason: checked };
    const record = this.deps.recovery.record(session.holderId);
    const holder = this.deps.directory.get(session.holderId);
    const address = verifiedAddress(holder);
    if (record === undefined) return this.#refuse(source, session, action, 'none');
    if (address === null) return this.#refuse(source, session, action, 'noAddress');
    const elsewhere = await this.deps.kiosk.cardStillThere(session);
    if (elsewhere !== null) return this.#refuse(source, session, action, elsewhere);
    const sent = await this.deps.codes.send({ holderId: session.holderId, purpose: 'recoveryCodeUse', channel: address.channel, to: address.to, language: holder.language }, op);
    this.#pending.set(source, { serial: session.serial, holderId: session.holderId, codeId: sent.codeId, recoveryIssuedAt: record.issuedAt });
    return { ok: true, sentTo: maskAddress(address.channel, address.to), channel: address.channel, expiresAt: sent.expiresAt, secondFactor: this.deps.secondFactor.enrolled(session.holderId) };
  }

  /** The one-time code (and TOTP) and the new PIN: the PIN unblocked with the sealed PUK. */
  async complete(source: string, request: { code: string; secondFactor?: string | undefined; newPin: string }): Promise<KioskRecoveryCompleteResult> {
    const action = 'account.recoveryUnblock';
    if (!this.deps.kiosk.windowAllows(source)) return this.#refuse(source, null, action, 'tooManyAttempts');
    const session = await this.deps.kiosk.liveSession(source);
    const pending = this.#pending.get(source);
    if (pending === undefined || pending.serial !== session.serial || pending.holderId !== session.holderId) return this.#refuse(source, session, action, 'noRecovery');
    if (this.deps.recovery.record(session.holderId)?.issuedAt !== pending.recoveryIssuedAt) {
      this.#pending.delete(source);
      return this.#refuse(source, session, action, 'noRecovery');
    }
    if (!new RegExp(`^\\d{${this.deps.pinLength()}}$`).test(request.newPin)) return this.#refuse(source, session, action, 'newPinInvalid');
    if (!this.deps.kiosk.keysAvailable()) return this.#refuse(source, session, action, 'serviceUnavailable');
    const op = this.#op(session);
    // The second factor first: a wrong one leaves the one-time code unspent.
    if (this.deps.secondFactor.enrolled(session.holderId)) {
      const factor = request.secondFactor ?? '';
      if (factor === '' || !(await this.deps.secondFactor.verify(session.holderId, factor, op))) return this.#refuse(source, session, action, 'secondFactorWrong');
    }
    const checked = await this.deps.codes.check(pending.codeId, { holderId: session.holderId, purpose: 'recoveryCodeUse' }, request.code, op);
    if (checked !== 'ok') {
      if (checked !== 'wrong') this.#pending.delete(source);
      const reason = checked === 'wrong' ? 'codeWrong' : checked === 'expired' ? 'codeExpired' : checked === 'used' ? 'codeUsed' : checked === 'exhausted' ? 'codeExhausted' : 'noRecovery';
      return this.#refuse(source, session, action, reason);
    }
    this.#pending.delete(source);
    const elsewhere = await this.deps.kiosk.cardStillThere(session);
    if (elsewhere !== null) return this.#refuse(source, session, action, elsewhere);
    const puk = this.deps.personalisations.puk(session.serial);
    if (puk === null) return this.#refuse(source, session, action, 'notAvailable');
    // CardService zeroes the PUK and the PIN, and records card.unblockWithPuk (RESET RETRY COUNTER).
    const result = await this.deps.cards.unblockPin(session.reader, puk, Buffer.from(request.newPin, 'utf8'), op);
    if (!result.ok) {
      const reason: KioskRecoveryRefusal =
        result.reason === 'pukBlocked' ? 'pukBlocked' : result.reason === 'cardRemoved' || result.reason === 'noCard' ? 'cardRemoved' : result.reason === 'cardInUse' ? 'cardInUse' : result.reason === 'wrongPuk' ? 'notAvailable' : 'serviceUnavailable';
      return this.#refuse(source, session, action, reason);
    }
    // The unblock is done and recorded, with its notification in the same commit.
    const holder = this.deps.directory.get(session.holderId);
    const address = recoveryAddress(holder);
    await this.deps.recorder.commit(
      address === null
        ? []
        : [this.deps.queue.queued({ kind: 'pinUnblocked', holderId: session.holderId, channel: address.channel, to: address.to, language: holder.language, params: { cardSerial: session.serial } })],
      { action, outcome: 'success', ...op, holderId: session.holderId, cardSerial: session.serial, details: { reader: session.reader, method: 'resetRetryCounter' } },
    );
    if (address !== null) this.deps.queue.wake();
    // Each code works once: a new one, in its own letter.
    await this.deps.recovery.used(session.holderId, op);
    return { ok: true };
  }

  /** Forgets a window's recovery under way (its session ended). */
  forget(source: string): void {
    this.#pending.delete(source);
  }
}
