/**
 * The holder's mobile IDs at the kiosk (issue 16 §1, §3, §4): list them, get a new one (its QR code
 * on the kiosk's screen), cancel an unfinished one, lock, revoke, and move one to a new phone.
 *
 * The kiosk session decides whose mobile IDs: every call acts for the holder signed in (card and
 * PIN) on the calling window only, and a mobile ID the page names is checked to be that holder's
 * before anything happens — another holder's (or an unknown) id is refused as `mobileNotFound` and
 * recorded with the id that was tried. The rules follow the card's at the kiosk:
 * - get a mobile ID and move to a new phone: a new credential for the holder, so the card must still
 *   be in the reader and the second factor's code is asked when the holder has one;
 * - lock: as the card's suspend, the second factor's code when the holder has one;
 * - revoke: as the card's revoke (irreversible), the second factor's code and then the PIN again,
 *   checked by the card;
 * - cancel of a pending one: nothing else (it withdraws what was just made; nothing is left behind).
 * The mobile ID service (core.mobile) does the work and records each action with the holder as
 * actor on the kiosk channel; the refusals decided here are recorded here. No code, PIN or
 * enrollment URI is ever recorded.
 */
import { CardDeskError } from '../../shared/errors';
import type { AuditAction } from '../../shared/schemas/audit';
import type { KioskMobileId, KioskMobileIssued, KioskMobileRefusal, KioskMobileResult } from '../../shared/schemas/kiosk-mobile';
import type { MobileIdOptionsInput, MobileIdSummary } from '../../shared/schemas/mobile-id';
import type { RevocationReason } from '../../shared/schemas/certificates';
import type { SecondFactor } from '../account/account-ports';
import type { AuditTrail } from '../audit/audit-trail';
import type { CardService } from '../cards/card-service';
import type { CertificateService } from '../ca/certificate-service';
import type { HolderDirectory } from '../directory/holder-directory';
import type { IssuedMobileId, MobileIdService } from '../mobile/mobile-id-service';
import { svgQrDataUrl } from '../mobile/qr-image';
import { holderAtKiosk, refusalOfCard, sessionEnded } from './kiosk-refusals';
import type { KioskService } from './kiosk-service';
import type { KioskSession } from './kiosk-sessions';

export interface KioskMobileDeps {
  readonly kiosk: Pick<KioskService, 'liveSession' | 'cardStillThere' | 'keysAvailable'>;
  /** migrate: a new pending mobile ID that replaces the old one only once the new phone has enrolled. */
  readonly mobile: Pick<MobileIdService, 'list' | 'record' | 'issue' | 'cancel' | 'lock' | 'revoke' | 'migrate'>;
  readonly certificates: Pick<CertificateService, 'record'>;
  readonly directory: Pick<HolderDirectory, 'get'>;
  readonly secondFactor: SecondFactor;
  readonly cards: Pick<CardService, 'verifyPin'>;
  readonly audit: AuditTrail;
  /** The CA can sign (vault unlocked, CA initialised). */
  readonly caReady: () => boolean;
  /** The QR code of an enrollment URI, as an image data URL (default: an SVG drawn here). */
  readonly qr?: (uri: string) => Promise<string>;
}

type Refused = { ok: false; reason: KioskMobileRefusal; triesLeft: number | null };

export class KioskMobile {
  constructor(private readonly deps: KioskMobileDeps) {}

  async #signedIn(source: string): Promise<KioskSession> {
    const session = await this.deps.kiosk.liveSession(source);
    if (session.stage !== 'signedIn') throw sessionEnded();
    return session;
  }

  async #refuse(session: KioskSession, action: AuditAction, reason: KioskMobileRefusal, details: Record<string, string> = {}, triesLeft: number | null = null): Promise<Refused> {
    await this.deps.audit.record({ action, outcome: 'failure', reason, ...holderAtKiosk(session), holderId: session.holderId, cardSerial: session.serial, details: { reader: session.reader, ...details } });
    return { ok: false, reason, triesLeft };
  }

  /** The mobile ID `id` when it is the session holder's; otherwise the refusal (recorded, with the id tried). */
  async #own(session: KioskSession, id: string, action: AuditAction): Promise<MobileIdSummary | Refused> {
    const record = this.deps.mobile.record(id);
    if (record === undefined || record.holderId !== session.holderId) return this.#refuse(session, action, 'mobileNotFound', { mobileId: id, why: record === undefined ? 'unknown' : 'notThisHolder' });
    const summary = this.deps.mobile.list(session.holderId).find((m) => m.id === id);
    if (summary === undefined) return this.#refuse(session, action, 'mobileNotFound', { mobileId: id, why: 'unknown' });
    return summary;
  }

  /** True when the holder has no second factor, or `code` is its current, unused code. */
  async #factorGiven(session: KioskSession, code: string | undefined): Promise<boolean> {
    if (!this.deps.secondFactor.enrolled(session.holderId)) return true;
    return code !== undefined && code !== '' && (await this.deps.secondFactor.verify(session.holderId, code, holderAtKiosk(session)));
  }

  /** Null while the session's card is still in its reader; otherwise the refusal. */
  async #cardThere(session: KioskSession, action: AuditAction): Promise<Refused | null> {
    const elsewhere = await this.deps.kiosk.cardStillThere(session);
    if (elsewhere === null) return null;
    return this.#refuse(session, action, elsewhere);
  }

  #available(): boolean {
    return this.deps.kiosk.keysAvailable() && this.deps.caReady();
  }

  /** The holder's mobile IDs as the kiosk shows them, newest first. */
  #views(holderId: string): KioskMobileId[] {
    const all = this.deps.mobile.list(holderId);
    return all.map((m) => this.#view(m, all));
  }

  #view(m: MobileIdSummary, all: readonly MobileIdSummary[]): KioskMobileId {
    const certificates = Object.entries(m.certificates).flatMap(([label, serial]) => {
      if (serial === undefined) return [];
      try {
        const record = this.deps.certificates.record(serial);
        return [{ label: label as KioskMobileId['labels'][number], serial: record.serial, status: record.status, notAfter: record.notAfter }];
      } catch {
        return [];
      }
    });
    const successor = all.find((other) => other.supersedes === m.id && other.state !== 'cancelled') ?? null;
    return {
      id: m.id,
      state: m.state,
      labels: m.options.labels,
      certificates,
      createdAt: m.createdAt,
      expiresAt: m.expiresAt,
      codeExpiresAt: m.codePending ? m.codeExpiresAt : null,
      supersedes: m.supersedes,
      replacedBy: successor?.id ?? null,
    };
  }

  async list(source: string): Promise<KioskMobileId[]> {
    const session = await this.#signedIn(source);
    return this.#views(session.holderId);
  }

  /** Checks common to a new credential (issue, migrate); null when it may go on. */
  async #mayIssue(session: KioskSession, action: AuditAction, factorCode: string | undefined, details: Record<string, string> = {}): Promise<Refused | null> {
    if (!this.#available()) return this.#refuse(session, action, 'serviceUnavailable', details);
    if (this.deps.directory.get(session.holderId).state !== 'active') return this.#refuse(session, action, 'holderInactive', details);
    const card = await this.#cardThere(session, action);
    if (card !== null) return card;
    if (!(await this.#factorGiven(session, factorCode))) return this.#refuse(session, action, 'secondFactorWrong', details);
    return null;
  }

  async #issued(session: KioskSession, issued: IssuedMobileId): Promise<KioskMobileIssued> {
    const qr = await (this.deps.qr ?? svgQrDataUrl)(issued.enrollmentUri);
    const all = this.deps.mobile.list(session.holderId);
    const mobileId = this.#view(all.find((m) => m.id === issued.mobileId.id) ?? issued.mobileId, all);
    return { ok: true, mobileId, qr, codeExpiresAt: issued.mobileId.codeExpiresAt ?? '' };
  }

  /** The service refused because the listener has no HTTPS port (INVALID_STATE once the holder and the mobile ID were checked here). */
  async #listenerOff<T>(session: KioskSession, action: AuditAction, work: () => Promise<T>, details: Record<string, string> = {}): Promise<T | Refused> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CardDeskError && error.code === 'INVALID_STATE') return this.#refuse(session, action, 'mobileListenerOff', details);
      throw error;
    }
  }

  /** Get mobile ID: the holder's choice of certificates (none: the desk's defaults); the QR code is shown on the kiosk's screen. */
  async issue(source: string, labels: MobileIdOptionsInput['labels'], factorCode?: string): Promise<KioskMobileIssued> {
    const session = await this.#signedIn(source);
    const refused = await this.#mayIssue(session, 'mobile.issue', factorCode);
    if (refused !== null) return refused;
    const input: MobileIdOptionsInput = { delivery: 'screen', ...(labels === undefined ? {} : { labels }) };
    const issued = await this.#listenerOff(session, 'mobile.issue', () => this.deps.mobile.issue(session.holderId, input, holderAtKiosk(session)));
    if ('ok' in issued) return issued;
    return this.#issued(session, issued);
  }

  /** Withdraws an unfinished mobile ID of the holder: nothing of it is left. */
  async cancel(source: string, id: string): Promise<KioskMobileResult> {
    const session = await this.#signedIn(source);
    const own = await this.#own(session, id, 'mobile.cancel');
    if ('ok' in own) return own;
    if (own.state !== 'pending') return this.#refuse(session, 'mobile.cancel', 'mobileWrongState', { mobileId: id, state: own.state });
    const done = await this.#wrongState(async () => {
      await this.deps.mobile.cancel(id, holderAtKiosk(session));
      return true;
    });
    if (done === null) return { ok: false, reason: 'mobileWrongState', triesLeft: null };
    return { ok: true, mobileIds: this.#views(session.holderId) };
  }

  /** Puts the mobile ID's certificates on hold for `days` (the CRL and OCSP follow at once). */
  async lock(source: string, id: string, days: number, factorCode?: string): Promise<KioskMobileResult> {
    const session = await this.#signedIn(source);
    const own = await this.#own(session, id, 'mobile.lock');
    if ('ok' in own) return own;
    if (own.state !== 'active') return this.#refuse(session, 'mobile.lock', 'mobileWrongState', { mobileId: id, state: own.state });
    if (!this.#available()) return this.#refuse(session, 'mobile.lock', 'serviceUnavailable', { mobileId: id });
    if (!(await this.#factorGiven(session, factorCode))) return this.#refuse(session, 'mobile.lock', 'secondFactorWrong', { mobileId: id });
    const done = await this.#wrongState(() => this.deps.mobile.lock(id, days, holderAtKiosk(session)));
    if (done === null) return { ok: false, reason: 'mobileWrongState', triesLeft: null };
    return { ok: true, mobileIds: this.#views(session.holderId) };
  }

  /** Irreversible: the second factor's code (when the holder has one), the PIN checked by the card, then every certificate revoked. */
  async revoke(source: string, id: string, reason: RevocationReason, pin: string, factorCode?: string): Promise<KioskMobileResult> {
    const session = await this.#signedIn(source);
    const action = 'mobile.revoke';
    const own = await this.#own(session, id, action);
    if ('ok' in own) return own;
    if (own.state === 'revoked' || own.state === 'cancelled') return this.#refuse(session, action, 'mobileWrongState', { mobileId: id, state: own.state });
    if (!this.#available()) return this.#refuse(session, action, 'serviceUnavailable', { mobileId: id });
    if (!(await this.#factorGiven(session, factorCode))) return this.#refuse(session, action, 'secondFactorWrong', { mobileId: id });
    const card = await this.#cardThere(session, action);
    if (card !== null) return card;
    const checked = await this.deps.cards.verifyPin(session.reader, Buffer.from(pin, 'utf8'), holderAtKiosk(session));
    if (!checked.ok) return this.#refuse(session, action, refusalOfCard(checked.reason), { mobileId: id }, checked.triesLeft);
    const done = await this.#wrongState(() => this.deps.mobile.revoke(id, reason, holderAtKiosk(session)));
    if (done === null) return { ok: false, reason: 'mobileWrongState', triesLeft: null };
    return { ok: true, mobileIds: this.#views(session.holderId) };
  }

  /** Move to a new phone: a new mobile ID (its QR code on screen) replaces this one once the new phone has enrolled. */
  async migrate(source: string, id: string, factorCode?: string): Promise<KioskMobileIssued> {
    const session = await this.#signedIn(source);
    const action: AuditAction = 'mobile.migrate';
    const own = await this.#own(session, id, action);
    if ('ok' in own) return own;
    const details = { mobileId: id };
    if (own.state !== 'active' && own.state !== 'locked') return this.#refuse(session, action, 'mobileWrongState', { ...details, state: own.state });
    const refused = await this.#mayIssue(session, action, factorCode, details);
    if (refused !== null) return refused;
    const issued = await this.#listenerOff(session, action, () => this.deps.mobile.migrate(id, { delivery: 'screen' }, holderAtKiosk(session)), details);
    if ('ok' in issued) return issued;
    return this.#issued(session, issued);
  }

  /** Runs a service call that refuses a state with INVALID_STATE (the service recorded it): null then. */
  async #wrongState<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CardDeskError && error.code === 'INVALID_STATE') return null;
      throw error;
    }
  }
}
