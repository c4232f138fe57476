/**
 * Enrollment of a mobile ID's certificates (RFC 7030 simpleenroll / simplereenroll), as values
 * the EST site maps to HTTP statuses. The code is single use per label: the label is claimed in
 * memory before the first await, so two parallel posts of one label enrol exactly once (the
 * second is refused as if the code were spent). The subject and SANs come from the directory;
 * only the request's key is used. Every outcome is an audit event; the code is in none.
 */
import type { CertificateRecord } from '../ca/certificate-records';
import type { CertificateService } from '../ca/certificate-service';
import { parseCertificate } from '../ca/certificate-reader';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { RecordChange } from '../vault/record-store';
import type { EstRefusal, MobileIdRecord } from '../../shared/schemas/mobile-id';
import { checkMobileCsr } from './csr-check';
import type { MobileLabel } from './enrollment-uri';
import { codeMatches, effectiveState, labelProfiles, MOBILE_IDS } from './mobile-id-records';
import type { MobileIdService } from './mobile-id-service';
import { CardDeskError } from '../../shared/errors';

/** The desk cannot sign now (the vault locked, no CA): not the phone's fault, the EST site answers 503. */
export function notReady(error: unknown): boolean {
  return error instanceof CardDeskError && (error.code === 'VAULT_LOCKED' || error.code === 'CA_NOT_INITIALISED');
}

const DAY = 86_400_000;

export type EnrollmentResult = { ok: true; certificate: Buffer; serial: string } | { ok: false; refusal: EstRefusal; message: string };

export interface EnrollmentDeps {
  readonly service: MobileIdService;
  readonly certificates: Pick<CertificateService, 'issue' | 'record' | 'revoke'>;
  readonly audit: AuditTrail;
}

const ESTSYSTEM: OperationContext = { actor: { kind: 'system', id: 'est' }, channel: 'desk' };

function asHolder(record: MobileIdRecord): OperationContext {
  return { actor: { kind: 'holder', id: record.holderId }, channel: 'desk' };
}

export class MobileEnrollment {
  /** `<mobile ID>/<label>` being enrolled or renewed now. */
  readonly #claims = new Set<string>();

  constructor(private readonly deps: EnrollmentDeps) {}

  async #refuse(action: 'mobile.enroll' | 'mobile.reenroll', refusal: EstRefusal, reason: string, message: string, record: MobileIdRecord | undefined, details: Record<string, string>): Promise<EnrollmentResult> {
    await this.deps.audit.record({
      action,
      outcome: 'failure',
      reason,
      ...(record === undefined ? ESTSYSTEM : asHolder(record)),
      ...(record === undefined ? {} : { holderId: record.holderId }),
      details,
    });
    if (record !== undefined && action === 'mobile.enroll') await this.deps.service.notices?.refused(record, reason);
    return { ok: false, refusal, message };
  }

  /** Days from now to the mobile ID's end (its certificates end with it). */
  #days(record: MobileIdRecord): number {
    return Math.max(1, Math.ceil((Date.parse(record.expiresAt) - this.deps.service.now().getTime()) / DAY));
  }

  /** The mobile ID a completing migration replaces, when it is still in force (active, locked or past its end). */
  #replaced(record: MobileIdRecord): MobileIdRecord | null {
    if (record.supersedes === null) return null;
    const old = this.deps.service.record(record.supersedes);
    if (old === undefined || old.state === 'revoked' || old.state === 'cancelled' || old.state === 'pending') return null;
    return old;
  }

  /** simpleenroll: HTTP Basic with the mobile ID and its one-time code. */
  async enroll(label: MobileLabel, mobileId: string, code: string, csrDer: Buffer, source: string): Promise<EnrollmentResult> {
    // A replaced mobile ID whose certificates a stop left valid is finished first (best effort: the
    // vault may be locked; the enrollment then answers for itself).
    await this.deps.service.completeSupersessions(ESTSYSTEM).catch(() => 0);
    const details = { mobileId: mobileId.slice(0, 64), label, source };
    const record = this.deps.service.record(mobileId);
    // Unknown, wrong, spent and expired codes all answer alike (401); the event says which.
    if (record === undefined) return this.#refuse('mobile.enroll', 'unauthorized', 'unknown', 'The mobile ID or its code is not valid.', undefined, details);
    if (!codeMatches(record, code)) return this.#refuse('mobile.enroll', 'unauthorized', record.codeHash === null ? 'spent' : 'wrongCode', 'The mobile ID or its code is not valid.', record, details);
    const state = effectiveState(record, this.deps.service.now());
    if (state === 'expired') return this.#refuse('mobile.enroll', 'unauthorized', 'expired', 'The mobile ID or its code is not valid.', record, details);
    if (state !== 'pending') return this.#refuse('mobile.enroll', 'forbidden', state, `The mobile ID is ${state}.`, record, details);
    if (!record.options.labels.includes(label)) return this.#refuse('mobile.enroll', 'notFound', 'labelNotInMobileId', `This mobile ID has no ${label} certificate.`, record, details);
    const claim = `${record.id}/${label}`;
    if (record.enrolled.includes(label) || this.#claims.has(claim)) return this.#refuse('mobile.enroll', 'unauthorized', 'spent', 'The mobile ID or its code is not valid.', record, details);
    this.#claims.add(claim);
    try {
      const csr = checkMobileCsr(csrDer);
      if (!csr.ok) return await this.#refuse('mobile.enroll', csr.refusal, csr.refusal === 'malformed' ? 'malformedRequest' : 'profile', csr.message, record, details);
      let serial: string;
      try {
        const issued = await this.deps.certificates.issue({ profile: labelProfiles[label], request: csr.pem, holderId: record.holderId, cardSerial: null, subject: '', validityDays: this.#days(record) }, asHolder(record));
        serial = issued.serial;
      } catch (error) {
        if (notReady(error)) throw error;
        return await this.#refuse('mobile.enroll', 'forbidden', 'issueRefused', (error as Error).message, record, details);
      }
      // The record as it is now (a lock or cancel may have come in meanwhile: it then keeps the certificate to revoke).
      const current = this.deps.service.record(record.id);
      if (current === undefined) {
        await this.deps.certificates.revoke(serial, 'cessationOfOperation', asHolder(record));
        return await this.#refuse('mobile.enroll', 'forbidden', 'cancelled', 'The mobile ID was cancelled.', record, details);
      }
      const enrolled = [...current.enrolled, label];
      const complete = current.options.labels.every((l) => enrolled.includes(l));
      const now = this.deps.service.now().toISOString();
      const next: MobileIdRecord = {
        ...current,
        enrolled,
        certificates: { ...current.certificates, [label]: serial },
        ...(complete ? { state: 'active' as const, codeHash: null, codeExpiresAt: null, stateChangedAt: now } : {}),
        // recoverKey: the code stays for the one key fetch, good for a code's life from now (mobile-key-recovery.ts).
        ...(complete && current.options.recoverKey ? { codeHash: current.codeHash, codeExpiresAt: new Date(this.deps.service.now().getTime() + this.deps.service.codeLifeMs()).toISOString() } : {}),
      };
      // A migration's new phone has enrolled its last label: the old mobile ID is revoked
      // (superseded) in the same journal line as the new one turning active; its certificates
      // follow right after (completeSupersessions, which finishes them after a stop too).
      const replaced = complete ? this.#replaced(current) : null;
      const changes: RecordChange[] = [{ collection: MOBILE_IDS, id: record.id, record: next }, ...(complete ? (this.deps.service.notices?.activated(next) ?? []) : [])];
      if (replaced !== null) {
        const superseded: MobileIdRecord = { ...replaced, state: 'revoked', codeHash: null, codeExpiresAt: null, stateChangedAt: now, supersededBy: record.id };
        changes.push({ collection: MOBILE_IDS, id: replaced.id, record: superseded });
      }
      await this.deps.service.recorder.commit(changes, {
        action: 'mobile.enroll',
        outcome: 'success',
        holderId: record.holderId,
        certificateSerial: serial,
        details: { ...details, key: csr.key, ...(complete ? { state: 'active' } : {}), ...(replaced === null ? {} : { replaces: replaced.id }) },
        ...asHolder(record),
      });
      if (replaced !== null) await this.deps.service.completeSupersessions(asHolder(record));
      return { ok: true, certificate: Buffer.from(this.deps.certificates.record(serial).der, 'base64'), serial };
    } finally {
      this.#claims.delete(claim);
    }
  }

  /**
   * simplereenroll: the TLS client certificate must be the current certificate of `label` in an
   * active mobile ID, valid (not on hold, revoked or expired). The old certificate is revoked
   * (superseded) once the new one is durable.
   */
  async reenroll(label: MobileLabel, clientCertDer: Buffer | null, csrDer: Buffer, source: string): Promise<EnrollmentResult> {
    const details: Record<string, string> = { label, source };
    if (clientCertDer === null) return this.#refuse('mobile.reenroll', 'unauthorized', 'noClientCertificate', 'A client certificate is needed.', undefined, details);
    let old: CertificateRecord;
    try {
      old = this.deps.certificates.record(parseCertificate(clientCertDer).serial);
    } catch {
      return this.#refuse('mobile.reenroll', 'unauthorized', 'unknownCertificate', 'The client certificate is not valid.', undefined, details);
    }
    const found = this.deps.service.findByCertificate(old.serial);
    const now = this.deps.service.now();
    if (!Buffer.from(old.der, 'base64').equals(clientCertDer) || found === null || found.label !== label) {
      return this.#refuse('mobile.reenroll', 'unauthorized', 'notThisLabel', 'The client certificate is not valid.', found?.record, { ...details, certificate: old.serial });
    }
    const record = found.record;
    details.mobileId = record.id;
    if (old.status !== 'valid' || Date.parse(old.notAfter) <= now.getTime()) return this.#refuse('mobile.reenroll', 'unauthorized', `certificate${old.status}`, 'The client certificate is not valid.', record, details);
    const state = effectiveState(record, now);
    if (state !== 'active') return this.#refuse('mobile.reenroll', 'forbidden', state, `The mobile ID is ${state}.`, record, details);
    const claim = `${record.id}/${label}`;
    if (this.#claims.has(claim)) return this.#refuse('mobile.reenroll', 'unauthorized', 'inProgress', 'The client certificate is not valid.', record, details);
    this.#claims.add(claim);
    try {
      const csr = checkMobileCsr(csrDer);
      if (!csr.ok) return await this.#refuse('mobile.reenroll', csr.refusal, csr.refusal === 'malformed' ? 'malformedRequest' : 'profile', csr.message, record, details);
      let serial: string;
      try {
        const issued = await this.deps.certificates.issue(
          { profile: labelProfiles[label], request: csr.pem, holderId: record.holderId, cardSerial: null, subject: '', validityDays: this.#days(record) },
          asHolder(record),
          old,
        );
        serial = issued.serial;
      } catch (error) {
        if (notReady(error)) throw error;
        return await this.#refuse('mobile.reenroll', 'forbidden', 'issueRefused', (error as Error).message, record, details);
      }
      const current = this.deps.service.record(record.id) ?? record;
      const next: MobileIdRecord = { ...current, certificates: { ...current.certificates, [label]: serial } };
      await this.deps.service.recorder.commit([{ collection: MOBILE_IDS, id: record.id, record: next }], {
        action: 'mobile.reenroll',
        outcome: 'success',
        holderId: record.holderId,
        certificateSerial: serial,
        details: { ...details, key: csr.key, replaces: old.serial },
        ...asHolder(record),
      });
      // The new certificate is durable: the old one goes.
      await this.deps.certificates.revoke(old.serial, 'superseded', asHolder(record));
      return { ok: true, certificate: Buffer.from(this.deps.certificates.record(serial).der, 'base64'), serial };
    } finally {
      this.#claims.delete(claim);
    }
  }
}
