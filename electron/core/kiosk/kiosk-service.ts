/**
 * The holder's kiosk, enforced here rather than in the page: a session begins on a reader with the
 * card's genuineness proof (9E signs a fresh challenge without the PIN; an older card's 9A signs
 * after the PIN), the holder signs in with the PIN on the card, and from then on every call answers
 * for that session's reader, card serial and holder only — whatever the page sends. A session ends
 * when its card leaves the reader, after the idle time, or on sign-out; later calls are refused
 * with SESSION_ENDED. Every kiosk action is recorded with the holder as actor on the kiosk channel,
 * never with a PIN or PUK. The keys stay with the desk: suspend, revoke and activation go through
 * the desk's services with its unlocked vault, authorised by the holder's card and PIN.
 */
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import type { HolderSummary } from '../../shared/schemas/audit';
import type { CardActionResult, OfflineChallengeResult } from '../../shared/schemas/cards';
import type { Download } from '../../shared/schemas/certificates';
import type { PdfVerifyReport } from '../../shared/schemas/contracts';
import type { CardRecord } from '../../shared/schemas/holders';
import type { KioskActionResult, KioskBeginResult, KioskHome, KioskRefusal, KioskSignInResult, KioskStatus } from '../../shared/schemas/kiosk';
import type { LifecycleResult } from '../../shared/schemas/lifecycle';
import { PIN_REF } from '../../smartcard/piv';
import type { SecondFactor } from '../account/account-ports';
import type { HolderSummaryQuery } from '../audit/audit-queries';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import type { CardService } from '../cards/card-service';
import { cardSerial } from '../cards/card-service';
import { withPivSession, type PivSession } from '../cards/card-session';
import type { OfflineUnblockService } from '../cards/offline-unblock';
import type { CardConnector } from '../readers/card-connection';
import type { LifecycleServices } from '../lifecycle/lifecycle-services';
import type { OperationContext } from '../operation-context';
import { proveSlotKey } from '../piv/key-proof';
import type { VaultServices } from '../vault/vault-services';
import { AttemptLimit } from './attempt-limit';
import { KioskSessions, type KioskEndReason, type KioskProof, type KioskSession } from './kiosk-sessions';

const DAY = 86_400_000;
/** A document expiring within this many days (or past) is flagged on the holder's profile. */
const DOCUMENT_WARNING_DAYS = 60;

export interface KioskSettings {
  readonly idleSeconds: number;
  readonly shufflePinPad: boolean;
  readonly filesAllowed: boolean;
}

export interface KioskRateLimit {
  /** Calls of the pre-sign-in channels one source may make within `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

export type KioskHistory = (args: HolderSummaryQuery) => Promise<HolderSummary>;
export type HistoryArgs = Omit<HolderSummaryQuery, 'holderId'>;

export interface KioskServiceDeps {
  /** How the kiosk reaches the card (the reader guard: a card kept for an offline unblock is not disturbed). */
  readonly connector: CardConnector;
  readonly cards: CardService;
  readonly offlineUnblock: OfflineUnblockService;
  readonly lifecycle: Pick<LifecycleServices, 'lifecycle' | 'activation' | 'contracts'> & { readonly deps: Pick<LifecycleServices['deps'], 'personalisations'> };
  readonly vault: Pick<VaultServices, 'keyring' | 'ca' | 'directory' | 'certificates'>;
  readonly audit: AuditTrail;
  /** The holder's authenticator app or OATH token: its code is asked before suspend and revoke. */
  readonly secondFactor: SecondFactor;
  /** The holder's own access history (the audit log's holder summary). */
  readonly history: KioskHistory;
  readonly settings: () => KioskSettings;
  /** True when another CardDesk process holds the data folder (the vault cannot be opened). */
  readonly dataFolderInUse: () => boolean;
  /** True when the system's smart-card service cannot be reached. */
  readonly readerServiceDown?: () => boolean;
  /** Tells the kiosk window its session ended (the `kiosk:sessionEnded` event). */
  readonly ended: (source: string, reason: KioskEndReason) => void;
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
  readonly rateLimit?: KioskRateLimit;
}

/** Why a card in the directory cannot be used at the kiosk, or null. */
function unusable(card: CardRecord): boolean {
  return !['active', 'suspended', 'awaitingActivation'].includes(card.state);
}

/** A card service's refusal in the kiosk's words. */
export function refusalOfCard(reason: string): KioskRefusal {
  switch (reason) {
    case 'wrongPin':
    case 'wrongPuk':
    case 'pinBlocked':
    case 'pukBlocked':
    case 'cardRemoved':
    case 'noCard':
    case 'cardInUse':
    case 'unknownCard':
      return reason;
    case 'awaitingUnblock':
    case 'wrongManagementKey':
      return 'cardInUse';
    case 'notPiv':
    case 'noSerial':
    case 'wrongCard':
      return 'unknownCard';
    case 'invalidState':
    case 'noContract':
      return 'cardNotUsable';
    case 'signatureRefused':
      return 'notGenuine';
    default:
      return 'serviceUnavailable';
  }
}

/** The key algorithm of a certificate's public key, as the card names it. */
/** Thrown when a session-bound call has no (live) session. */
export function sessionEnded(): CardDeskError {
  return new CardDeskError('SESSION_ENDED', 'There is no kiosk session for this window (it ended, or never began): insert the card again.');
}

export class KioskService {
  readonly sessions = new KioskSessions();
  readonly #deps: KioskServiceDeps;
  readonly #now: () => number;
  /** The pre-sign-in channels' calls per window (kiosk:begin, signIn, the unblocks). */
  readonly #attempts: AttemptLimit;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(deps: KioskServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => Date.now());
    const { limit, windowMs } = deps.rateLimit ?? { limit: 10, windowMs: 60_000 };
    this.#attempts = new AttemptLimit({ limit, windowMs, now: () => this.#now() });
  }

  /** Ends idle sessions every second (the page shows its own countdown). */
  start(): void {
    this.#sweeper ??= setInterval(() => void this.sweep(), 1000);
    this.#sweeper.unref();
  }

  dispose(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }

  // ---- status ----------------------------------------------------------------------------------

  status(): KioskStatus {
    const settings = this.#deps.settings();
    return {
      outOfService: this.#deps.dataFolderInUse() ? 'dataFolderInUse' : this.#deps.readerServiceDown?.() === true ? 'noReaderService' : null,
      keyServices: this.#keysAvailable() ? 'available' : 'vaultLocked',
      idleSeconds: settings.idleSeconds,
      shufflePinPad: settings.shufflePinPad,
      filesAllowed: settings.filesAllowed,
    };
  }

  /** The directory can be read (the vault is open here, not held by another CardDesk). */
  #vaultReadable(): boolean {
    try {
      this.#deps.vault.directory.index();
      return true;
    } catch {
      return false;
    }
  }

  #keysAvailable(): boolean {
    try {
      return this.#deps.vault.keyring.unlocked;
    } catch {
      return false;
    }
  }

  // ---- sessions ----------------------------------------------------------------------------

  #idleMs(): number {
    return this.#deps.settings().idleSeconds * 1000;
  }

  #idleSecondsLeft(session: KioskSession): number {
    return Math.max(0, Math.ceil((session.lastTouch + this.#idleMs() - this.#now()) / 1000));
  }

  /** Ends the sessions whose idle time has passed. */
  async sweep(): Promise<void> {
    for (const session of this.sessions.all()) {
      if (this.#now() - session.lastTouch >= this.#idleMs()) await this.end(session.source, 'idle');
    }
  }

  /** The card left `reader` (or the reader went away): its sessions end at once. */
  async cardRemoved(reader: string): Promise<void> {
    for (const session of this.sessions.onReader(reader)) await this.end(session.source, 'cardRemoved');
  }

  /** Ends the source's session (if any): deleted, recorded, and the window told. */
  async end(source: string, reason: KioskEndReason): Promise<void> {
    const session = this.sessions.take(source);
    if (session === null) return;
    this.#deps.ended(source, reason);
    await this.#record(session, { action: 'kiosk.sessionEnd', outcome: 'success', reason, details: { reader: session.reader, stage: session.stage } });
  }

  /** The live session of `source` at `stage` (any stage when omitted), touched; otherwise SESSION_ENDED. */
  async #session(source: string, stage?: 'signedIn'): Promise<KioskSession> {
    const session = this.sessions.get(source);
    if (session === null) throw sessionEnded();
    if (this.#now() - session.lastTouch >= this.#idleMs()) {
      await this.end(source, 'idle');
      throw sessionEnded();
    }
    if (stage === 'signedIn' && session.stage !== 'signedIn') throw new CardDeskError('SESSION_ENDED', 'The holder has not signed in with the PIN in this kiosk session.');
    session.lastTouch = this.#now();
    return session;
  }

  #op(session: { holderId: string }): OperationContext {
    return { actor: { kind: 'holder', id: session.holderId }, channel: 'kiosk' };
  }

  #record(session: { holderId: string; serial: string }, event: Omit<AuditEventInput, 'actor' | 'channel' | 'holderId' | 'cardSerial'>): Promise<void> {
    return this.#deps.audit.record({ ...event, ...this.#op(session), holderId: session.holderId, cardSerial: session.serial });
  }

  /** A call that had no session, recorded as a failure (the write channels' wrapper records its own). */
  async recordRefused(source: string, channel: string, action: AuditAction): Promise<void> {
    await this.#deps.audit.record({ action, outcome: 'failure', reason: 'SESSION_ENDED', actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk', details: { channel, source } });
  }

  /** At most `limit` pre-sign-in calls per source within the window. */
  #allowed(source: string): boolean {
    return this.#attempts.take(source);
  }


  async #refuseRate(source: string, action: AuditAction, session: KioskSession | null): Promise<void> {
    await this.#deps.audit.record({
      action,
      outcome: 'failure',
      reason: 'tooManyAttempts',
      ...(session === null ? { actor: { kind: 'system', id: 'kiosk' } } : { actor: { kind: 'holder', id: session.holderId }, holderId: session.holderId, cardSerial: session.serial }),
      channel: 'kiosk',
      details: { source },
    });
  }

  /**
   * Checks that the card in the session's reader is still the session's card: null when it is,
   * `cardInUse` when another operation holds it, otherwise the session ends (the holder's card
   * left) and the answer is `cardRemoved`.
   */
  async #sameCard(session: KioskSession): Promise<'cardInUse' | 'cardRemoved' | null> {
    const found = await withPivSession(this.#deps.connector, session.reader, 'leave', (s) => cardSerial(s.client));
    if (typeof found === 'string' && found === session.serial) return null;
    if (typeof found === 'object' && found !== null && (found.reason === 'cardInUse' || found.reason === 'awaitingUnblock')) return 'cardInUse';
    await this.end(session.source, 'cardRemoved');
    return 'cardRemoved';
  }

  // ---- before sign-in ------------------------------------------------------------------------

  /** Identifies the card in `reader`, proves it genuine (9E) and begins a session; a previous session of the source ends ('replaced'). */
  async begin(source: string, reader: string): Promise<KioskBeginResult> {
    if (!this.#allowed(source)) {
      await this.#refuseRate(source, 'kiosk.sessionStart', this.sessions.get(source));
      return { ok: false, reason: 'tooManyAttempts' };
    }
    if (this.sessions.get(source) !== null) await this.end(source, 'replaced');
    const kiosk: OperationContext = { actor: { kind: 'system', id: 'kiosk' }, channel: 'kiosk' };
    const refuse = async (reason: KioskRefusal, serial: string | null, holderId: string | null): Promise<KioskBeginResult> => {
      await this.#deps.audit.record({
        action: 'kiosk.sessionStart',
        outcome: 'failure',
        reason,
        ...(holderId === null ? kiosk : { actor: { kind: 'holder', id: holderId }, channel: 'kiosk', holderId }),
        ...(serial === null ? {} : { cardSerial: serial }),
        details: { reader },
      });
      return { ok: false, reason };
    };

    const { directory } = this.#deps.vault;
    if (!this.#vaultReadable()) return refuse('serviceUnavailable', null, null);
    const outcome = await withPivSession(this.#deps.connector, reader, 'reset', async (session) => {
      const serial = await cardSerial(session.client);
      if (serial === null) return { refused: 'unknownCard' as const, serial: null, holderId: null };
      const card = directory.cardOrNull(serial);
      if (card === null || card.holderId === null) return { refused: 'unknownCard' as const, serial, holderId: null };
      const holderId = card.holderId;
      if (unusable(card) || !this.#hasLiveCertificates(serial)) return { refused: 'cardNotUsable' as const, serial, holderId };
      let holderState: string;
      try {
        holderState = directory.get(holderId).state;
      } catch {
        return { refused: 'unknownCard' as const, serial, holderId };
      }
      if (holderState !== 'active') return { refused: 'holderInactive' as const, serial, holderId };
      const nineE = this.#certificateOf(serial, '9E');
      let proof: KioskProof = 'afterPin';
      if (nineE !== null) {
        if (!(await this.#prove(session, card, nineE))) return { refused: 'notGenuine' as const, serial, holderId };
        proof = 'cardAuthentication';
      }
      const tries = await this.#pinTries(session);
      const next = card.state === 'awaitingActivation' ? ('activate' as const) : tries === 0 ? ('unblock' as const) : ('pin' as const);
      return { refused: null, serial, holderId, proof, next, tries };
    });
    if ('ok' in outcome) return refuse(refusalOfCard(outcome.reason), null, null);
    if (outcome.refused !== null) return refuse(outcome.refused, outcome.serial, outcome.holderId);
    const session: KioskSession = { source, reader, serial: outcome.serial, holderId: outcome.holderId, stage: 'begun', proof: outcome.proof, lastTouch: this.#now() };
    this.sessions.put(session);
    await this.#record(session, { action: 'kiosk.sessionStart', outcome: 'success', details: { reader, proof: outcome.proof, next: outcome.next, stage: 'begun' } });
    return { ok: true, next: outcome.next, pinTriesLeft: outcome.tries, proof: outcome.proof };
  }

  #hasLiveCertificates(serial: string): boolean {
    const certificates = this.#deps.vault.certificates.forCard(serial);
    return certificates.length === 0 || certificates.some((c) => c.status === 'valid' || c.status === 'suspended');
  }

  /** The DER of the certificate the desk issued for the card's `slot`, or null. */
  #certificateOf(serial: string, slot: string): Buffer | null {
    const personalisation = this.#deps.lifecycle.deps.personalisations.get(serial);
    // Slots as strings: cards issued before 9E existed have no '9E' entry.
    const certificateSerial = (personalisation?.certificates as Partial<Record<string, string>> | undefined)?.[slot];
    if (certificateSerial === undefined) return null;
    try {
      return Buffer.from(this.#deps.vault.certificates.record(certificateSerial).der, 'base64');
    } catch {
      return null;
    }
  }

  /**
   * The genuineness proof: the card's key in the certificate's slot signs a fresh random challenge,
   * the signature verifies with the certificate's public key, and the CA says the certificate is
   * good (or on hold while the card awaits activation or is suspended).
   */
  async #prove(session: PivSession, card: CardRecord, certificate: Buffer): Promise<boolean> {
    const slot = this.#slotOf(card.serial, certificate);
    if (slot === null) return false;
    const status = this.#deps.vault.certificates.revocationStatus(certificate).state;
    const heldOk = card.state === 'awaitingActivation' || card.state === 'suspended';
    if (!(status === 'good' || (status === 'onHold' && heldOk))) return false;
    return proveSlotKey(session.client, slot, certificate);
  }

  #slotOf(serial: string, certificate: Buffer): string | null {
    for (const slot of ['9E', '9A']) {
      const own = this.#certificateOf(serial, slot);
      if (own?.equals(certificate) === true) return slot;
    }
    return null;
  }

  async #pinTries(session: PivSession): Promise<number | null> {
    const metadata = await session.client.referenceMetadata(PIN_REF.PIV_PIN);
    if (metadata !== null) return metadata.triesLeft;
    const status = await session.client.pinStatus();
    return status.triesLeft === -1 ? null : status.triesLeft;
  }

  /** The PIN on the card; an older card's 9A proves it is genuine after it; then the session is signed in. */
  async signIn(source: string, pinText: string): Promise<KioskSignInResult> {
    const pin = Buffer.from(pinText, 'utf8');
    try {
      const current = this.sessions.get(source);
      if (!this.#allowed(source)) {
        await this.#refuseRate(source, 'card.pinVerify', current);
        return { ok: false, reason: 'tooManyAttempts', triesLeft: null };
      }
      const session = await this.#session(source);
      if (session.stage === 'signedIn') return { ok: true, home: this.home(session) };
      const card = this.#deps.vault.directory.cardOrNull(session.serial);
      if (card === null || card.state === 'awaitingActivation') {
        await this.#record(session, { action: 'card.pinVerify', outcome: 'failure', reason: 'cardNotUsable', details: { purpose: 'kioskSignIn' } });
        return { ok: false, reason: 'cardNotUsable', triesLeft: null };
      }
      const outcome = await withPivSession(this.#deps.connector, session.reader, 'reset', async (s) => {
        if ((await cardSerial(s.client)) !== session.serial) return { reason: 'cardRemoved' as const, triesLeft: null };
        const check = await s.client.verifyPin(pin);
        if (!check.ok) return check.reason === 'blocked' ? { reason: 'pinBlocked' as const, triesLeft: 0 } : { reason: 'wrongPin' as const, triesLeft: check.triesLeft };
        if (session.proof === 'afterPin') {
          const nineA = this.#certificateOf(session.serial, '9A');
          if (nineA === null || !(await this.#prove(s, card, nineA))) return { reason: 'notGenuine' as const, triesLeft: null };
        }
        return { reason: null, triesLeft: null };
      });
      const reason: KioskRefusal | null = 'ok' in outcome ? refusalOfCard(outcome.reason) : outcome.reason;
      const triesLeft = 'ok' in outcome ? null : outcome.triesLeft;
      const verified = reason === null || reason === 'notGenuine';
      await this.#record(session, {
        action: 'card.pinVerify',
        outcome: verified ? 'success' : 'failure',
        ...(verified ? {} : { reason }),
        details: { purpose: 'kioskSignIn', reader: session.reader, ...(triesLeft === null ? {} : { triesLeft }) },
      });
      if (reason === 'cardRemoved' || reason === 'noCard') {
        await this.end(source, 'cardRemoved');
        return { ok: false, reason: 'cardRemoved', triesLeft: null };
      }
      if (reason === 'notGenuine') {
        await this.#record(session, { action: 'kiosk.sessionStart', outcome: 'failure', reason, details: { reader: session.reader, proof: session.proof } });
        await this.end(source, 'signedOut');
        return { ok: false, reason, triesLeft: null };
      }
      if (reason !== null) return { ok: false, reason, triesLeft };
      session.stage = 'signedIn';
      session.lastTouch = this.#now();
      await this.#record(session, { action: 'kiosk.sessionStart', outcome: 'success', details: { reader: session.reader, proof: session.proof, stage: 'signedIn' } });
      return { ok: true, home: this.home(session) };
    } finally {
      pin.fill(0);
    }
  }

  /** Unblocks the PIN with the PUK on the session's card (before or after sign-in). */
  async unblockPin(source: string, puk: string, newPin: string): Promise<KioskActionResult> {
    if (!this.#allowed(source)) {
      await this.#refuseRate(source, 'card.unblockWithPuk', this.sessions.get(source));
      return { ok: false, reason: 'tooManyAttempts', triesLeft: null };
    }
    const session = await this.#session(source);
    return this.#cardOperation(session, (op) => this.#deps.cards.unblockPin(session.reader, Buffer.from(puk, 'utf8'), Buffer.from(newPin, 'utf8'), op));
  }

  /** The offline unblock's challenge for the session's card (the helpdesk answers it; completed by attempt id). */
  async offlineUnblockBegin(source: string): Promise<OfflineChallengeResult> {
    if (!this.#allowed(source)) {
      await this.#refuseRate(source, 'card.unblockChallenge', this.sessions.get(source));
      throw new CardDeskError('TOO_MANY_ATTEMPTS', 'Too many attempts from this kiosk: wait a minute and try again.');
    }
    const session = await this.#session(source);
    const elsewhere = await this.#sameCard(session);
    if (elsewhere !== null) return { ok: false, reason: elsewhere };
    return this.#deps.offlineUnblock.begin(session.reader, this.#op(session));
  }

  /** The contract waiting for the holder's signature, to read before activating. */
  async pendingContract(source: string): Promise<Download> {
    const session = await this.#session(source);
    const waiting = this.#deps.lifecycle.contracts.awaitingSignature(session.serial);
    if (waiting === null) throw new CardDeskError('NOT_FOUND', 'This card has no contract waiting for its signature.');
    return this.#deps.lifecycle.contracts.document(waiting.id, 'view', this.#op(session));
  }

  /** The holder activates the session's card: the PIN, and the card's 9C key signs the contract. */
  async activate(source: string, pinText: string): Promise<KioskActionResult> {
    const pin = Buffer.from(pinText, 'utf8');
    try {
      const session = await this.#session(source);
      const card = this.#deps.vault.directory.cardOrNull(session.serial);
      if (card?.state !== 'awaitingActivation') {
        await this.#record(session, { action: 'card.activate', outcome: 'failure', reason: 'cardNotUsable', details: { reader: session.reader } });
        return { ok: false, reason: 'cardNotUsable', triesLeft: null };
      }
      if (!this.#keysAvailable()) return this.#unavailable(session, 'card.activate');
      const elsewhere = await this.#sameCard(session);
      if (elsewhere !== null) return { ok: false, reason: elsewhere, triesLeft: null };
      const result = await this.#deps.lifecycle.activation.activate(session.reader, Buffer.from(pin), this.#op(session));
      return this.#afterLifecycle(session, result, () => {
        // The card's PIN was verified and its 9C key signed the contract with the desk's certificate: the holder is in.
        session.stage = 'signedIn';
      });
    } finally {
      pin.fill(0);
    }
  }

  // ---- after sign-in -------------------------------------------------------------------------

  async touch(source: string): Promise<{ idleSecondsLeft: number }> {
    const session = await this.#session(source);
    return { idleSecondsLeft: this.#idleSecondsLeft(session) };
  }

  async homeOf(source: string): Promise<KioskHome> {
    return this.home(await this.#session(source, 'signedIn'));
  }

  /** The signed-in holder's home, from the directory, the CA and the contract store: only their own data. */
  home(session: KioskSession): KioskHome {
    const { directory, certificates } = this.#deps.vault;
    const holder = directory.get(session.holderId);
    const card = directory.card(session.serial);
    const expiry = holder.documentExpiry.trim() === '' ? null : holder.documentExpiry.trim();
    const expiryTime = expiry === null ? Number.NaN : Date.parse(`${expiry}T00:00:00Z`);
    const contract = this.#deps.lifecycle.contracts.list({ cardSerial: session.serial, offset: 0, limit: 1 }).items[0] ?? null;
    return {
      holder: {
        firstName: holder.firstName,
        lastName: holder.lastName,
        userNumber: holder.userNumber,
        organisation: holder.organisation,
        language: holder.language,
        documentExpiry: expiry,
        documentExpiresSoon: !Number.isNaN(expiryTime) && expiryTime - this.#now() <= DOCUMENT_WARNING_DAYS * DAY,
      },
      card: { serial: card.serial, state: card.state },
      certificates: certificates.forCard(session.serial).map((c) => ({ serial: c.serial, profile: c.profile, status: c.status, notBefore: c.notBefore, notAfter: c.notAfter, holdUntil: c.holdUntil })),
      contract: contract === null ? null : { id: contract.id, status: contract.status, signedAt: contract.signedAt },
      secondFactor: this.#deps.secondFactor.enrolled(session.holderId),
      idleSecondsLeft: this.#idleSecondsLeft(session),
    };
  }

  async changePin(source: string, currentPin: string, newPin: string): Promise<KioskActionResult> {
    const session = await this.#session(source, 'signedIn');
    return this.#cardOperation(session, (op) => this.#deps.cards.changePin(session.reader, Buffer.from(currentPin, 'utf8'), Buffer.from(newPin, 'utf8'), op));
  }

  async changePuk(source: string, currentPuk: string, newPuk: string): Promise<KioskActionResult> {
    const session = await this.#session(source, 'signedIn');
    return this.#cardOperation(session, (op) => this.#deps.cards.changePuk(session.reader, Buffer.from(currentPuk, 'utf8'), Buffer.from(newPuk, 'utf8'), op));
  }

  /** One of CardService's PIN operations on the session's reader, once the card there is the session's card. */
  async #cardOperation(session: KioskSession, work: (op: OperationContext) => Promise<CardActionResult>): Promise<KioskActionResult> {
    const elsewhere = await this.#sameCard(session);
    if (elsewhere !== null) return { ok: false, reason: elsewhere, triesLeft: null };
    const result = await work(this.#op(session));
    if (result.ok) return { ok: true, home: session.stage === 'signedIn' && this.sessions.get(session.source) === session ? this.home(session) : null };
    const reason = refusalOfCard(result.reason);
    if (reason === 'cardRemoved' || reason === 'noCard') {
      await this.end(session.source, 'cardRemoved');
      return { ok: false, reason: 'cardRemoved', triesLeft: null };
    }
    return { ok: false, reason, triesLeft: result.triesLeft };
  }

  /** A certificate of the session's card only, as PEM or DER. */
  async certificate(source: string, serial: string, format: 'pem' | 'der'): Promise<Download> {
    const session = await this.#session(source, 'signedIn');
    if (!this.#deps.settings().filesAllowed) {
      await this.#record(session, { action: 'ca.certificateDownload', outcome: 'failure', reason: 'filesNotAllowed', details: { format } });
      throw new CardDeskError('NOT_ON_THIS_SURFACE', 'This kiosk does not give files.');
    }
    const wanted = serial.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toUpperCase().replace(/^(00)+(?=..)/, '');
    const own = this.#deps.vault.certificates.forCard(session.serial).find((c) => c.serial === wanted);
    if (own === undefined) {
      await this.#record(session, { action: 'ca.certificateDownload', outcome: 'failure', reason: 'notThisCard', details: { format } });
      throw new CardDeskError('NOT_FOUND', 'The signed-in card has no such certificate.');
    }
    const file = await this.#deps.vault.certificates.download(own.serial, format, this.#op(session));
    return { fileName: file.fileName, mediaType: file.mediaType, base64: file.data.toString('base64') };
  }

  /** The card's newest contract and its verification (read-only), or null when it has none. */
  async contract(source: string): Promise<{ document: Download; report: PdfVerifyReport } | null> {
    const session = await this.#session(source, 'signedIn');
    const newest = this.#deps.lifecycle.contracts.list({ cardSerial: session.serial, offset: 0, limit: 1 }).items[0];
    if (newest === undefined) return null;
    const document = await this.#deps.lifecycle.contracts.document(newest.id, 'view', this.#op(session));
    return { document, report: await this.#deps.lifecycle.contracts.verify(newest.id) };
  }

  async history(source: string, args: HistoryArgs): Promise<HolderSummary> {
    const session = await this.#session(source, 'signedIn');
    return this.#deps.history({ ...args, holderId: session.holderId });
  }

  /**
   * Every valid certificate of the card on hold in the CA (the CRL published at once) for `days`;
   * they return by themselves. A holder with a second factor gives its code first.
   */
  async suspend(source: string, days: number, factorCode?: string): Promise<KioskActionResult> {
    const session = await this.#session(source, 'signedIn');
    if (!this.#caAvailable()) return this.#unavailable(session, 'card.suspend');
    if (!(await this.#secondFactorGiven(session, factorCode))) return this.#factorRefused(session, 'card.suspend');
    const result = await this.#deps.lifecycle.lifecycle.suspend(session.serial, days, 'release', this.#op(session));
    if (!result.ok) await this.#record(session, { action: 'card.suspend', outcome: 'failure', reason: result.reason, details: { days } });
    return this.#afterLifecycle(session, result);
  }

  /**
   * Irreversible: the second factor's code (when the holder has one) and the PIN checked by the
   * card first, then every certificate of the card revoked in the CA.
   */
  async revoke(source: string, reason: Parameters<LifecycleServices['lifecycle']['revoke']>[1], pin: string, factorCode?: string): Promise<KioskActionResult> {
    const session = await this.#session(source, 'signedIn');
    if (!this.#caAvailable()) return this.#unavailable(session, 'card.revoke');
    if (!(await this.#secondFactorGiven(session, factorCode))) return this.#factorRefused(session, 'card.revoke');
    const checked = await this.#cardOperation(session, (op) => this.#deps.cards.verifyPin(session.reader, Buffer.from(pin, 'utf8'), op));
    if (!checked.ok) {
      await this.#record(session, { action: 'card.revoke', outcome: 'failure', reason: checked.reason, details: { reader: session.reader } });
      return checked;
    }
    const result = await this.#deps.lifecycle.lifecycle.revoke(session.serial, reason, this.#op(session));
    if (!result.ok) await this.#record(session, { action: 'card.revoke', outcome: 'failure', reason: result.reason, details: { revocationReason: reason } });
    return this.#afterLifecycle(session, result);
  }

  async signOut(source: string): Promise<null> {
    await this.#session(source);
    await this.end(source, 'signedOut');
    return null;
  }

  #caAvailable(): boolean {
    return this.#keysAvailable() && this.#deps.vault.ca.ready;
  }

  /** True when the holder has no second factor, or `code` is its current, unused code (a wrong one counts toward its lock). */
  async #secondFactorGiven(session: KioskSession, code: string | undefined): Promise<boolean> {
    if (!this.#deps.secondFactor.enrolled(session.holderId)) return true;
    return code !== undefined && code !== '' && (await this.#deps.secondFactor.verify(session.holderId, code, this.#op(session)));
  }

  async #factorRefused(session: KioskSession, action: AuditAction): Promise<KioskActionResult> {
    await this.#record(session, { action, outcome: 'failure', reason: 'secondFactorWrong', details: { reader: session.reader } });
    return { ok: false, reason: 'secondFactorWrong', triesLeft: null };
  }

  async #unavailable(session: KioskSession, action: AuditAction): Promise<KioskActionResult> {
    await this.#record(session, { action, outcome: 'failure', reason: 'serviceUnavailable', details: { reader: session.reader } });
    return { ok: false, reason: 'serviceUnavailable', triesLeft: null };
  }

  // ---- for the recovery-code unblock (issue 15, kiosk-recovery.ts) ---------------------------

  /** The live session of `source` (touched, any stage), or SESSION_ENDED. */
  liveSession(source: string): Promise<KioskSession> {
    return this.#session(source);
  }

  /** Null while the session's card is still in its reader; otherwise why not (the session ends when the card left). */
  cardStillThere(session: KioskSession): Promise<'cardInUse' | 'cardRemoved' | null> {
    return this.#sameCard(session);
  }

  /** The per-window limit of the pre-sign-in channels (each call counts). */
  windowAllows(source: string): boolean {
    return this.#allowed(source);
  }

  /** The vault is unlocked here (the desk's keys and sealed secrets can be used). */
  keysAvailable(): boolean {
    return this.#keysAvailable();
  }

  async #afterLifecycle(session: KioskSession, result: LifecycleResult, onSuccess: () => void = () => {}): Promise<KioskActionResult> {
    if (result.ok) {
      onSuccess();
      return { ok: true, home: session.stage === 'signedIn' ? this.home(session) : null };
    }
    const reason = refusalOfCard(result.reason);
    if (reason === 'cardRemoved' || reason === 'noCard') {
      await this.end(session.source, 'cardRemoved');
      return { ok: false, reason: 'cardRemoved', triesLeft: null };
    }
    return { ok: false, reason, triesLeft: 'triesLeft' in result ? (result.triesLeft ?? null) : null };
  }
}
