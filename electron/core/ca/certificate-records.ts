import type { CertificateProfile, CertificateStatus, CertificateSummary, RevocationReason } from '../../shared/schemas/certificates';
import type { ParsedCertificate } from './certificate-reader';

export const CERTIFICATES = 'certificates';

/** One issued certificate in the vault's records (id = serial, upper-case hex). */
export interface CertificateRecord {
  readonly id: string;
  readonly serial: string;
  /** base64 DER */
  readonly der: string;
  readonly subject: string;
  readonly profile: CertificateProfile;
  readonly holderId: string | null;
  readonly cardSerial: string | null;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: 'valid' | 'suspended' | 'revoked';
  readonly revokedAt: string | null;
  readonly reason: RevocationReason | 'certificateHold' | null;
  readonly holdUntil: string | null;
  readonly afterHold: 'release' | 'revoke' | null;
  /** When the status last changed: delta CRLs list what changed after their base. */
  readonly statusChangedAt: string;
  readonly issuedAt: string;
  readonly renewedFrom: string | null;
  readonly renewedBy: string | null;
}

export function newRecord(
  cert: ParsedCertificate,
  fields: { profile: CertificateProfile; holderId: string | null; cardSerial: string | null; now: Date; renewedFrom?: string | null },
): CertificateRecord {
  const now = fields.now.toISOString();
  return {
    id: cert.serial,
    serial: cert.serial,
    der: cert.der.toString('base64'),
    subject: cert.subject,
    profile: fields.profile,
    holderId: fields.holderId,
    cardSerial: fields.cardSerial,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    status: 'valid',
    revokedAt: null,
    reason: null,
    holdUntil: null,
    afterHold: null,
    statusChangedAt: now,
    issuedAt: now,
    renewedFrom: fields.renewedFrom ?? null,
    renewedBy: null,
  };
}

export function effectiveStatus(record: CertificateRecord, now: Date): CertificateStatus {
  if (record.status === 'valid' && Date.parse(record.notAfter) < now.getTime()) return 'expired';
  return record.status;
}

export function toSummary(record: CertificateRecord, now: Date, holderName: string | null): CertificateSummary {
  return {
    serial: record.serial,
    subject: record.subject,
    profile: record.profile,
    status: effectiveStatus(record, now),
    notBefore: record.notBefore,
    notAfter: record.notAfter,
    holderId: record.holderId,
    holderName,
    cardSerial: record.cardSerial,
    revokedAt: record.revokedAt,
    reason: record.reason,
    holdUntil: record.holdUntil,
    afterHold: record.afterHold,
  };
}
