/**
 * Mobile IDs (issue 16): issue one for an active holder (a one-time code, kept only as its hash,
 * and the enrollment URI for the QR code), cancel an unfinished one (its enrolled certificates
 * revoked, the record gone), lock (certificates on hold: CRL and OCSP follow at once), unlock,
 * revoke. Enrollment over EST is in mobile-enrollment.ts. Every action is an audit event; the
 * code is in none of them and in no log.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { RevocationReason } from '../../shared/schemas/certificates';
import {
  defaultMobileIdOptions,
  MOBILE_CODE_LIFE_MINUTES,
  MobileIdOptionsSchema,
  type MobileIdOptions,
  type MobileIdOptionsInput,
  type MobileIdRecord,
  type MobileIdSummary,
} from '../../shared/schemas/mobile-id';
import type { AuditTrail } from '../audit/audit-trail';
import type { CaService } from '../ca/ca-service';
import { sha256Fingerprint } from '../ca/certificate-reader';
import type { CertificateService } from '../ca/certificate-service';
import type { HolderDirectory } from '../directory/holder-directory';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import { formatEnrollmentUri, type MobileLabel } from './enrollment-uri';
import { codeHash, effectiveState, MOBILE_IDS, newEnrollmentCode, toSummary } from './mobile-id-records';
import { MobileEnrollment, type EnrollmentResult } from './mobile-enrollment';
import { MobileKeyRecovery, type KeyRecoveryResult } from './mobile-key-recovery';
import type { KeyEscrow } from '../lifecycle/key-escrow';
import { emailDelivery, type MobileIdNotices } from './mobile-delivery';

const DAY = 86_400_000;

export interface MobileIdDeps {
  readonly access: VaultAccess;
  readonly audit: AuditTrail;
  readonly directory: Pick<HolderDirectory, 'get'>;
  readonly ca: Pick<CaService, 'ready' | 'chain' | 'state'>;
  readonly certificates: Pick<CertificateService, 'issue' | 'record' | 'revoke' | 'suspend' | 'resume'>;
  /** The published EST base URL (https://host:port/.well-known/est); throws when the listener has no TLS port. */
  readonly estUrl: () => string;
  /** The desk's defaults (the issuance policy); a request overrides any of them. */
  readonly defaults?: () => MobileIdOptions;
  readonly clock?: () => Date;
  /** How long a code is good (default 15 minutes). */
  readonly codeLifeMinutes?: number;
  /** The escrowed keys, for recoverKey (without it no key is given: 404). */
  readonly escrow?: Pick<KeyEscrow, 'recover'>;
  /** The holder's mails: the QR code by email, the active / refused notices (mobile-delivery.ts). */
  readonly notices?: MobileIdNotices;
}

export interface IssuedMobileId {
  readonly mobileId: MobileIdSummary;
  /** The QR code's content, with the code in it: show it or send it, never log it. */
  readonly enrollmentUri: string;
  /** Delivery `email`: the masked address the QR code went to; null when it is for the screen. */
  readonly sentTo?: string | null;
}

export class MobileIdService {
  readonly #recorder: ChangeRecorder;
  readonly #enrollment: MobileEnrollment;
  readonly #keyRecovery: MobileKeyRecovery | null;

  constructor(private readonly deps: MobileIdDeps) {
    this.#recorder = new ChangeRecorder(deps.access, deps.audit);
    this.#enrollment = new MobileEnrollment({ service: this, certificates: deps.certificates, audit: deps.audit });
    this.#keyRecovery =
      deps.escrow === undefined ? null : new MobileKeyRecovery({ service: this, access: deps.access, audit: deps.audit, escrow: deps.escrow, certificates: deps.certificates, chain: () => deps.ca.chain() });
  }

  /**
   * The escrowed encryption key(s) as an encrypted PKCS#12, for a mobile ID with recoverKey whose
   * labels are all enrolled, with its one-time code (see mobile-key-recovery.ts). Never log the code or passphrase.
   */
  async recoverKey(mobileId: string, code: string, passphrase: Buffer, sourceAddress: string): Promise<KeyRecoveryResult> {
    if (this.#keyRecovery === null) return { ok: false, refusal: 'notFound', message: 'This desk gives no escrowed keys to phones.' };
    return this.#keyRecovery.recover(mobileId, code, passphrase, sourceAddress);
  }

  /** How long a one-time code is good, in milliseconds. */
  codeLifeMs(): number {
    return (this.deps.codeLifeMinutes ?? MOBILE_CODE_LIFE_MINUTES) * 60_000;
  }

  /** EST simpleenroll of one label with the one-time code (see mobile-enrollment.ts). The code is key material: never log it. */
  enroll(label: MobileLabel, mobileId: string, code: string, csrDer: Buffer, sourceAddress: string): Promise<EnrollmentResult> {
    return this.#enrollment.enroll(label, mobileId, code, csrDer, sourceAddress);
  }

  /** EST simplereenroll, authenticated by the label's current certificate (the TLS client certificate). */
  reenroll(label: MobileLabel, clientCertDer: Buffer | null, csrDer: Buffer, sourceAddress: string): Promise<EnrollmentResult> {
    return this.#enrollment.reenroll(label, clientCertDer, csrDer, sourceAddress);
  }

  now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  get notices(): MobileIdNotices | undefined {
    return this.deps.notices;
  }

  get recorder(): ChangeRecorder {
    return this.#recorder;
  }

  record(id: string): MobileIdRecord | undefined {
    return this.deps.access.storage().records.get<MobileIdRecord>(MOBILE_IDS, id);
  }

  #require(id: string): MobileIdRecord {
    const record = this.record(id);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no mobile ID ${id}.`);
    return record;
  }

  show(id: string): MobileIdSummary {
    return toSummary(this.#require(id), this.now());
  }

  /** A holder's mobile IDs, newest first. */
  list(holderId: string): MobileIdSummary[] {
    const now = this.now();
    return [...this.deps.access.storage().records.values<MobileIdRecord>(MOBILE_IDS)]
      .filter((record) => record.holderId === holderId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((record) => toSummary(record, now));
  }

  /** The SHA-256 of the root CA certificate (the chain's last), which the phone pins. */
  caSha256(): string {
    const chain = this.deps.ca.chain();
    return sha256Fingerprint(chain[chain.length - 1]!).replace(/:/g, '').toLowerCase();
  }

  async issue(holderId: string, input: MobileIdOptionsInput, op: OperationContext, supersedes: string | null = null): Promise<IssuedMobileId> {
    return this.#create(holderId, { ...(this.deps.defaults?.() ?? defaultMobileIdOptions), ...stripUndefined(input) }, op, supersedes, 'mobile.issue');
  }

  /**
   * Move to a new phone (issue 16 §4): a new pending mobile ID for the same holder that replaces
   * `oldId` (active or locked), its options the old one's unless overridden. The old phone keeps
   * working until the new one has enrolled every label (mobile-enrollment.ts then revokes the old
   * one, superseded); a migration that expires or is cancelled changes nothing on the old one.
   * One unfinished migration per old mobile ID: starting another cancels the earlier one (its
   * QR code is the one the holder no longer has in hand — a lost screen, a failed new phone — and
   * refusing would only send the operator to find and cancel it first).
   */
  async migrate(oldId: string, input: MobileIdOptionsInput, op: OperationContext): Promise<IssuedMobileId> {
    await this.completeSupersessions(op);
    const old = this.#require(oldId);
    const state = effectiveState(old, this.now());
    if (state !== 'active' && state !== 'locked') await this.#refuse(old, 'mobile.migrate', state, op);
    for (const earlier of this.#pendingMigrationsOf(old.id)) await this.cancel(earlier.id, op);
    return this.#create(old.holderId, { ...old.options, ...stripUndefined(input) }, op, old.id, 'mobile.migrate');
  }

  /** Unfinished (stored pending, expired or not) mobile IDs that would replace `oldId`. */
  #pendingMigrationsOf(oldId: string): MobileIdRecord[] {
    return [...this.deps.access.storage().records.values<MobileIdRecord>(MOBILE_IDS)].filter((record) => record.supersedes === oldId && record.state === 'pending');
  }

  async #create(holderId: string, merged: Partial<MobileIdOptions>, op: OperationContext, supersedes: string | null, action: 'mobile.issue' | 'mobile.migrate'): Promise<IssuedMobileId> {
    const holder = this.deps.directory.get(holderId);
    if (holder.state !== 'active') throw new CardDeskError('INVALID_STATE', `Holder ${holder.userNumber} is ${holder.state}; only active holders get a mobile ID.`);
    if (!this.deps.ca.ready) throw new CardDeskError('CA_NOT_INITIALISED', 'There is no certificate authority yet.');
    const parsed = MobileIdOptionsSchema.safeParse(merged);
    if (!parsed.success) throw new CardDeskError('MALFORMED_INPUT', `The mobile ID options are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const options = parsed.data;
    const estUrl = this.deps.estUrl();
    const now = this.now();
    const code = newEnrollmentCode();
    const id = randomUUID();
    const record: MobileIdRecord = {
      id,
      holderId,
      state: 'pending',
      options,
      codeHash: codeHash(code),
      codeExpiresAt: new Date(now.getTime() + this.codeLifeMs()).toISOString(),
      enrolled: [],
      certificates: {},
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.validityDays * DAY).toISOString(),
      stateChangedAt: now.toISOString(),
      supersedes,
      supersededBy: null,
      keyDeliveredAt: null,
    };
    const enrollmentUri = formatEnrollmentUri({ estUrl, mobileId: id, code, caSha256: this.caSha256(), labels: options.labels, recoverKey: options.recoverKey });
    const mail = options.delivery === 'email' ? emailDelivery(this.deps.notices, { holderId, mobileId: id, enrollmentUri, codeExpiresAt: record.codeExpiresAt ?? '', minutes: this.deps.codeLifeMinutes ?? MOBILE_CODE_LIFE_MINUTES }) : null;
    await this.#recorder.commit([{ collection: MOBILE_IDS, id, record }, ...(mail === null ? [] : [mail.change])], {
      action,
      outcome: 'success',
      holderId,
      details: {
        mobileId: id,
        labels: options.labels.join(','),
        validityDays: options.validityDays,
        delivery: options.delivery,
        recoverKey: options.recoverKey,
        notify: options.notify,
        codeExpiresAt: record.codeExpiresAt ?? '',
        ...(supersedes === null ? {} : { supersedes }),
      },
      ...op,
    });
    if (mail !== null) this.deps.notices?.wake();
    return { mobileId: toSummary(record, now), enrollmentUri, sentTo: mail?.sentTo ?? null };
  }

  /**
   * The replaced mobile ID's certificates still valid after its record was marked revoked
   * (superseded) in the new one's last enrollment: revoked now, reason superseded. Runs right
   * after that enrollment, and again at every enrollment and migration, so a stop between the two
   * writes is finished at the next one (nothing is lost: the old record already names the new one).
   */
  async completeSupersessions(op: OperationContext): Promise<number> {
    let revoked = 0;
    for (const record of this.deps.access.storage().records.values<MobileIdRecord>(MOBILE_IDS)) {
      if (record.state !== 'revoked' || record.supersededBy === null || record.supersededBy === undefined) continue;
      for (const serial of this.#serials(record)) {
        const certificate = this.deps.certificates.record(serial);
        // Revoked already, or past its end (nothing to revoke; asking again would only record refusals).
        if (certificate.status === 'revoked' || Date.parse(certificate.notAfter) <= this.now().getTime()) continue;
        await this.#revokeCertificate(serial, 'superseded', op);
        revoked += 1;
      }
    }
    return revoked;
  }

  async #save(record: MobileIdRecord, action: 'mobile.cancel' | 'mobile.lock' | 'mobile.unlock' | 'mobile.revoke', next: MobileIdRecord | null, op: OperationContext, details: Record<string, string> = {}): Promise<void> {
    await this.#recorder.commit([{ collection: MOBILE_IDS, id: record.id, record: next }], { action, outcome: 'success', holderId: record.holderId, details: { mobileId: record.id, ...details }, ...op });
  }

  async #refuse(record: MobileIdRecord, action: 'mobile.cancel' | 'mobile.lock' | 'mobile.unlock' | 'mobile.revoke' | 'mobile.migrate', state: string, op: OperationContext): Promise<never> {
    await this.deps.audit.record({ action, outcome: 'failure', reason: state, holderId: record.holderId, details: { mobileId: record.id }, ...op });
    throw new CardDeskError('INVALID_STATE', `Mobile ID ${record.id} is ${state}.`);
  }

  #serials(record: MobileIdRecord): string[] {
    return Object.values(record.certificates).filter((serial): serial is string => serial !== undefined);
  }

  /** Withdraws an unfinished mobile ID: the certificates already enrolled are revoked, the record goes. */
  async cancel(id: string, op: OperationContext): Promise<void> {
    const record = this.#require(id);
    const state = effectiveState(record, this.now());
    if (record.state !== 'pending') await this.#refuse(record, 'mobile.cancel', state, op);
    for (const serial of this.#serials(record)) await this.#revokeCertificate(serial, 'cessationOfOperation', op);
    await this.#save(record, 'mobile.cancel', null, op, { enrolled: record.enrolled.join(',') });
  }

  async #revokeCertificate(serial: string, reason: RevocationReason, op: OperationContext): Promise<void> {
    const result = await this.deps.certificates.revoke(serial, reason, op);
    if (!result.ok && result.reason !== 'alreadyRevoked' && result.reason !== 'expired') throw new CardDeskError('INVALID_STATE', `Certificate ${serial} could not be revoked (${result.reason}).`);
  }

  /** Puts the certificates on hold (certificateHold, up to `days`): the CRL and OCSP follow at once. */
  async lock(id: string, days: number, op: OperationContext): Promise<MobileIdSummary> {
    const record = this.#require(id);
    const state = effectiveState(record, this.now());
    if (state !== 'active') await this.#refuse(record, 'mobile.lock', state, op);
    for (const serial of this.#serials(record)) {
      const result = await this.deps.certificates.suspend(serial, days, 'release', op);
      if (!result.ok && result.reason !== 'alreadySuspended') throw new CardDeskError('INVALID_STATE', `Certificate ${serial} could not be put on hold (${result.reason}).`);
    }
    const next: MobileIdRecord = { ...record, state: 'locked', stateChangedAt: this.now().toISOString() };
    await this.#save(record, 'mobile.lock', next, op, { days: String(days) });
    return toSummary(next, this.now());
  }

  async unlock(id: string, op: OperationContext): Promise<MobileIdSummary> {
    const record = this.#require(id);
    const state = effectiveState(record, this.now());
    if (state !== 'locked') await this.#refuse(record, 'mobile.unlock', state, op);
    for (const serial of this.#serials(record)) {
      const result = await this.deps.certificates.resume(serial, op);
      if (!result.ok && result.reason !== 'notSuspended') throw new CardDeskError('INVALID_STATE', `Certificate ${serial} could not be released (${result.reason}).`);
    }
    const next: MobileIdRecord = { ...record, state: 'active', stateChangedAt: this.now().toISOString() };
    await this.#save(record, 'mobile.unlock', next, op);
    return toSummary(next, this.now());
  }

  async revoke(id: string, reason: RevocationReason, op: OperationContext): Promise<MobileIdSummary> {
    const record = this.#require(id);
    if (record.state === 'revoked' || record.state === 'cancelled') await this.#refuse(record, 'mobile.revoke', record.state, op);
    for (const serial of this.#serials(record)) await this.#revokeCertificate(serial, reason, op);
    const next: MobileIdRecord = { ...record, state: 'revoked', codeHash: null, codeExpiresAt: null, stateChangedAt: this.now().toISOString() };
    await this.#save(record, 'mobile.revoke', next, op, { reason });
    return toSummary(next, this.now());
  }

  /** The label a certificate serial is the current certificate of, in an active mobile ID. */
  findByCertificate(serial: string): { record: MobileIdRecord; label: MobileLabel } | null {
    for (const record of this.deps.access.storage().records.values<MobileIdRecord>(MOBILE_IDS)) {
      for (const [label, current] of Object.entries(record.certificates)) if (current === serial) return { record, label: label as MobileLabel };
    }
    return null;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
