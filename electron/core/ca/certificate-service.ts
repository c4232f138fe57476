/**
 * Issued certificates: issue (from a CSR or a public key), renew, revoke, suspend (certificateHold,
 * at most 30 days, then released or revoked as chosen), resume; listing and decoding. Every
 * revocation-status change publishes fresh CRLs at once, so the CRL never lags the directory.
 */
import { CardDeskError } from '../../shared/errors';
import type {
  CertificateActionResult,
  CertificateDetail,
  CertificateListQuery,
  CertificateProfile,
  CertificateSummary,
  RevocationReason,
  SubjectAltName,
} from '../../shared/schemas/certificates';
import type { Holder } from '../../shared/schemas/holders';
import type { AuditTrail } from '../audit/audit-trail';
import type { HolderDirectory } from '../directory/holder-directory';
import { fold } from '../directory/holder-index';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultAccess } from '../vault/vault-access';
import type { CaService } from './ca-service';
import { CERTIFICATES, effectiveStatus, newRecord, toSummary, type CertificateRecord } from './certificate-records';
import { readRequest } from './certification-request';
import { decodeExtensions, parseCertificate, publicKeyText, sha256Fingerprint } from './certificate-reader';
import type { CrlPublisher } from './crl-publisher';
import { encodeDn, formatDn } from './distinguished-name';
import { issueLeaf } from './issuance';
import { toPem } from './der';
import { exportCertificate } from './export';
import { profiles } from './profiles';

export const MAX_HOLD_DAYS = 30;

/** Serials as stored: upper-case hex of the INTEGER's bytes, without leading zero bytes ("0x", colons and spaces allowed). */
export function normaliseSerial(text: string): string {
  let hex = text.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}
const DAY = 86_400_000;

export interface IssueRequest {
  readonly profile: CertificateProfile;
  readonly request: string;
  readonly holderId: string | null;
  readonly cardSerial: string | null;
  readonly subject: string;
  readonly subjectAltNames?: readonly SubjectAltName[] | undefined;
  readonly validityDays?: number | undefined;
}

/** Subject and SANs a holder's certificate gets when the operator does not edit them. */
function holderSubject(holder: Holder): string {
  return formatDn([
    { type: 'CN', value: `${holder.firstName} ${holder.lastName}` },
    { type: 'SERIALNUMBER', value: holder.personalNumber },
    ...(holder.organisation === '' ? [] : [{ type: 'O', value: holder.organisation }]),
  ]);
}

function holderSans(holder: Holder, profile: CertificateProfile): SubjectAltName[] {
  return profiles[profile].defaultSans.flatMap((type): SubjectAltName[] => {
    if (holder.email === '') return [];
    return [{ type, value: holder.email }];
  });
}

export class CertificateService {
  constructor(
    private readonly access: VaultAccess,
    private readonly ca: CaService,
    private readonly crl: CrlPublisher,
    private readonly directory: HolderDirectory,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #records() {
    return this.access.storage().records;
  }

  record(serial: string): CertificateRecord {
    const record = this.#records().get<CertificateRecord>(CERTIFICATES, normaliseSerial(serial));
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no certificate with serial ${serial}.`);
    return record;
  }

  /**
   * The desk's own word on a certificate it may have issued (DER in): revoked, on hold, good, or
   * unknown when it is not this CA's (same serial but other bytes count as unknown).
   */
  revocationStatus(der: Buffer): { state: 'good' | 'revoked' | 'onHold' | 'unknown'; revokedAt: string | null; reason: string | null } {
    const serial = parseCertificate(der).serial;
    const record = this.#records().get<CertificateRecord>(CERTIFICATES, normaliseSerial(serial));
    if (record === undefined || !Buffer.from(record.der, 'base64').equals(der)) return { state: 'unknown', revokedAt: null, reason: null };
    if (record.status === 'revoked') return { state: 'revoked', revokedAt: record.revokedAt, reason: record.reason };
    if (record.status === 'suspended') return { state: 'onHold', revokedAt: record.revokedAt, reason: 'certificateHold' };
    return { state: 'good', revokedAt: null, reason: null };
  }

  #holderName(holderId: string | null): string | null {
    if (holderId === null) return null;
    const holder = this.directory.index().get(holderId);
    return holder === undefined ? null : `${holder.firstName} ${holder.lastName}`;
  }

  summary(record: CertificateRecord): CertificateSummary {
    return toSummary(record, this.clock(), this.#holderName(record.holderId));
  }

  list(query: CertificateListQuery): { total: number; items: CertificateSummary[] } {
    const now = this.clock();
    const tokens = fold(query.query).split(/\s+/).filter((t) => t !== '');
    const horizon = query.expiringWithinDays === undefined ? null : now.getTime() + query.expiringWithinDays * DAY;
    const matches: CertificateRecord[] = [];
    for (const record of this.#records().values<CertificateRecord>(CERTIFICATES)) {
      if (query.profile !== undefined && record.profile !== query.profile) continue;
      if (query.holderId !== undefined && record.holderId !== query.holderId) continue;
      if (query.status !== undefined && effectiveStatus(record, now) !== query.status) continue;
      if (horizon !== null && !(Date.parse(record.notAfter) >= now.getTime() && Date.parse(record.notAfter) <= horizon)) continue;
      if (tokens.length > 0) {
        const haystack = fold(`${record.serial} ${record.subject} ${record.profile} ${record.cardSerial ?? ''} ${this.#holderName(record.holderId) ?? ''}`);
        if (!tokens.every((t) => haystack.includes(t))) continue;
      }
      matches.push(record);
    }
    // Soonest expiry first: what an operator has to act on.
    matches.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.serial.localeCompare(b.serial));
    return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit).map((r) => toSummary(r, now, this.#holderName(r.holderId))) };
  }

  /** Every certificate issued for a card, oldest first. */
  forCard(cardSerial: string): CertificateSummary[] {
    const now = this.clock();
    return [...this.#records().values<CertificateRecord>(CERTIFICATES)]
      .filter((record) => record.cardSerial === cardSerial)
      .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt))
      .map((record) => toSummary(record, now, this.#holderName(record.holderId)));
  }

  detail(serial: string): CertificateDetail {
    const record = this.record(serial);
    const cert = parseCertificate(Buffer.from(record.der, 'base64'));
    const decoded = decodeExtensions(cert);
    const chain = this.ca.chain().map((der) => parseCertificate(der));
    return {
      ...this.summary(record),
      issuer: cert.issuer,
      subjectAltNames: decoded.subjectAltNames,
      keyUsage: decoded.keyUsage,
      extendedKeyUsage: decoded.extendedKeyUsage,
      basicConstraints: decoded.basicConstraints,
      publicKey: publicKeyText(cert),
      signatureAlgorithm: cert.signatureAlgorithm,
      sha256Fingerprint: sha256Fingerprint(cert.der),
      chain: chain.map((c) => ({ subject: c.subject, serial: c.serial, notAfter: c.notAfter.toISOString() })),
      renewedFrom: record.renewedFrom,
      renewedBy: record.renewedBy,
      pem: toPem(cert.der, 'CERTIFICATE'),
    };
  }

  async issue(request: IssueRequest, op: OperationContext, renewedFrom: CertificateRecord | null = null): Promise<CertificateSummary> {
    const now = this.clock();
    const issuer = this.ca.issuer();
    const parsed = readRequest(request.request);
    const holder = request.holderId === null ? null : this.directory.get(request.holderId);
    if (holder !== null && holder.state !== 'active') throw new CardDeskError('INVALID_STATE', `Holder ${holder.userNumber} is ${holder.state}; only active holders get certificates.`);
    if (request.cardSerial !== null) {
      const card = this.directory.card(request.cardSerial);
      if (holder !== null && card.holderId !== null && card.holderId !== holder.id) throw new CardDeskError('CONFLICT', `Card ${card.serial} belongs to another holder.`);
    }
    // The operator's subject, else the holder's, else the request's own (exactly as signed).
    const subject = request.subject.trim() !== '' ? encodeDn(request.subject) : holder !== null ? encodeDn(holderSubject(holder)) : parsed.subjectDer;
    if (subject === null) throw new CardDeskError('MALFORMED_INPUT', 'Give a subject name: the request has none and no holder was chosen.');
    const sans = request.subjectAltNames ?? (holder === null ? [] : holderSans(holder, request.profile));
    const der = await issueLeaf(
      { profile: request.profile, subject, publicKeyInfo: parsed.publicKeyInfo, subjectAltNames: sans, validityDays: request.validityDays ?? profiles[request.profile].validityDays, now },
      issuer,
    );
    const cert = parseCertificate(der);
    if (this.#records().get(CERTIFICATES, cert.serial) !== undefined) throw new CardDeskError('CONFLICT', 'A serial number repeated; issue again.');
    const record = newRecord(cert, { profile: request.profile, holderId: holder?.id ?? null, cardSerial: request.cardSerial, now, renewedFrom: renewedFrom?.serial ?? null });
    const changes = [{ collection: CERTIFICATES, id: record.id, record }];
    if (renewedFrom !== null) changes.push({ collection: CERTIFICATES, id: renewedFrom.id, record: { ...renewedFrom, renewedBy: record.serial } });
    // The change and its event as one unit (see vault/change-events.ts).
    await new ChangeRecorder(this.access, this.audit).commit(changes, {
      action: renewedFrom === null ? 'ca.certificateIssue' : 'ca.certificateRenew',
      outcome: 'success',
      certificateSerial: record.serial,
      ...(holder === null ? {} : { holderId: holder.id }),
      ...(request.cardSerial === null ? {} : { cardSerial: request.cardSerial }),
      details: { profile: request.profile, ...(renewedFrom === null ? {} : { renewedFrom: renewedFrom.serial }) },
      ...op,
    });
    return this.summary(record);
  }

  /** A new certificate for the same holder, profile, subject and SANs; from a new request or the same key. */
  async renew(serial: string, request: string | null, validityDays: number | undefined, op: OperationContext): Promise<CertificateSummary> {
    const old = this.record(serial);
    if (old.status === 'revoked') throw new CardDeskError('INVALID_STATE', `Certificate ${old.serial} is revoked; issue a new one instead of renewing it.`);
    if (old.renewedBy !== null) throw new CardDeskError('INVALID_STATE', `Certificate ${old.serial} was already renewed (by ${old.renewedBy}).`);
    const cert = parseCertificate(Buffer.from(old.der, 'base64'));
    return this.issue(
      {
        profile: old.profile,
        request: request ?? toPem(cert.publicKeyInfo, 'PUBLIC KEY'),
        holderId: old.holderId,
        cardSerial: old.cardSerial,
        subject: cert.subject,
        subjectAltNames: decodeExtensions(cert).subjectAltNames,
        validityDays,
      },
      op,
      old,
    );
  }

  async #change(
    record: CertificateRecord,
    next: Partial<CertificateRecord>,
    action: 'ca.certificateRevoke' | 'ca.certificateSuspend' | 'ca.certificateResume',
    details: Record<string, string | number>,
    op: OperationContext,
  ): Promise<CertificateActionResult> {
    // An operator's change publishes a CRL at once, which needs the issuing key: check before
    // anything changes. Only the hold-expiry sweep may change a status while the vault is locked
    // (OCSP answers from the records at once; the CRL follows at the next publication).
    const publish = op.actor.kind !== 'system' || this.ca.canSign;
    if (publish) this.ca.signer('issuing');
    const updated: CertificateRecord = { ...record, ...next, statusChangedAt: this.clock().toISOString() };
    await new ChangeRecorder(this.access, this.audit).commit([{ collection: CERTIFICATES, id: record.id, record: updated }], { action, outcome: 'success', certificateSerial: record.serial, ...(record.holderId === null ? {} : { holderId: record.holderId }), details, ...op });
    if (publish) await this.crl.publish(op);
    return { ok: true, certificate: this.summary(updated) };
  }

  /** A refusal (an expected outcome, recorded as a failed attempt), or null when the action may go ahead. */
  async #refusal(record: CertificateRecord, action: 'revoke' | 'suspend' | 'resume', op: OperationContext): Promise<CertificateActionResult | null> {
    let reason: Extract<CertificateActionResult, { ok: false }>['reason'] | null = null;
    if (record.status === 'revoked') reason = 'alreadyRevoked';
    else if (effectiveStatus(record, this.clock()) === 'expired') reason = 'expired';
    else if (action === 'suspend' && record.status === 'suspended') reason = 'alreadySuspended';
    else if (action === 'resume' && record.status !== 'suspended') reason = 'notSuspended';
    if (reason === null) return null;
    const audited = action === 'revoke' ? 'ca.certificateRevoke' : action === 'suspend' ? 'ca.certificateSuspend' : 'ca.certificateResume';
    await this.audit.record({ action: audited, outcome: 'failure', reason, certificateSerial: record.serial, ...op });
    return { ok: false, reason };
  }

  async revoke(serial: string, reason: RevocationReason, op: OperationContext): Promise<CertificateActionResult> {
    const record = this.record(serial);
    const refusal = await this.#refusal(record, 'revoke', op);
    if (refusal !== null) return refusal;
    // A held certificate keeps its hold date as revocation date (RFC 5280 §5.3.1, certificateHold).
    const revokedAt = record.status === 'suspended' && record.revokedAt !== null ? record.revokedAt : this.clock().toISOString();
    return this.#change(record, { status: 'revoked', reason, revokedAt, holdUntil: null, afterHold: null }, 'ca.certificateRevoke', { reason }, op);
  }

  async suspend(serial: string, days: number, afterHold: 'release' | 'revoke', op: OperationContext): Promise<CertificateActionResult> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_HOLD_DAYS) throw new CardDeskError('MALFORMED_INPUT', `A suspension lasts 1 to ${MAX_HOLD_DAYS} days.`);
    const record = this.record(serial);
    const refusal = await this.#refusal(record, 'suspend', op);
    if (refusal !== null) return refusal;
    const now = this.clock();
    const holdUntil = new Date(now.getTime() + days * DAY).toISOString();
    return this.#change(record, { status: 'suspended', reason: 'certificateHold', revokedAt: now.toISOString(), holdUntil, afterHold }, 'ca.certificateSuspend', { days, afterHold, holdUntil }, op);
  }

  /**
   * Puts a new card's certificate on hold until the holder activates the card by signing the
   * contract (certificateHold with no end date; `resume` releases it).
   */
  async holdUntilActivation(serial: string, op: OperationContext): Promise<CertificateActionResult> {
    const record = this.record(serial);
    const refusal = await this.#refusal(record, 'suspend', op);
    if (refusal !== null) return refusal;
    return this.#change(record, { status: 'suspended', reason: 'certificateHold', revokedAt: this.clock().toISOString(), holdUntil: null, afterHold: null }, 'ca.certificateSuspend', { until: 'activation' }, op);
  }

  async resume(serial: string, op: OperationContext): Promise<CertificateActionResult> {
    const record = this.record(serial);
    const refusal = await this.#refusal(record, 'resume', op);
    if (refusal !== null) return refusal;
    return this.#change(record, { status: 'valid', reason: null, revokedAt: null, holdUntil: null, afterHold: null }, 'ca.certificateResume', {}, op);
  }

  /** Ends holds whose time is up: released or revoked as chosen when suspending. Returns how many. */
  async applyExpiredHolds(op: OperationContext): Promise<number> {
    const now = this.clock();
    const due = [...this.#records().values<CertificateRecord>(CERTIFICATES)].filter((r) => r.status === 'suspended' && r.holdUntil !== null && Date.parse(r.holdUntil) <= now.getTime());
    for (const record of due) {
      const system: OperationContext = { actor: { kind: 'system', id: 'hold-expiry' }, channel: op.channel };
      if (record.afterHold === 'revoke') await this.revoke(record.serial, 'cessationOfOperation', system);
      else await this.resume(record.serial, system);
    }
    return due.length;
  }

  /** The certificate as PEM, DER or a PKCS#7 bundle with its chain. */
  async download(serial: string, format: 'pem' | 'der' | 'p7b', op: OperationContext): Promise<{ fileName: string; mediaType: string; data: Buffer }> {
    const record = this.record(serial);
    const der = Buffer.from(record.der, 'base64');
    const result = exportCertificate(der, this.ca.chain(), format, record.serial);
    await this.audit.record({ action: 'ca.certificateDownload', outcome: 'success', certificateSerial: record.serial, details: { format }, ...op });
    return result;
  }
}
