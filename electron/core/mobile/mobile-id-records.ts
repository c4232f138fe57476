/**
 * The vault's `mobileIds` collection and what is derived from a record: the one-time code's hash
 * (SHA-256 of the code's text: the code carries 192 random bits, so no salt or slow hash is
 * needed, RFC 4086 §8), its comparison in constant time, and the summary screens see.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CertificateProfile } from '../../shared/schemas/certificates';
import type { MobileIdRecord, MobileIdState, MobileIdSummary } from '../../shared/schemas/mobile-id';
import type { MobileLabel } from './enrollment-uri';

export const MOBILE_IDS = 'mobileIds';

/** Which CA profile each label's certificate gets (electron/core/ca/profiles.ts). */
export const labelProfiles: Readonly<Record<MobileLabel, CertificateProfile>> = { auth: 'authentication', sign: 'signature', enc: 'encryption' };

/** 24 random bytes, base64url (32 characters). Key material: never log it. */
export function newEnrollmentCode(): string {
  return randomBytes(24).toString('base64url');
}

export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

export function codeMatches(record: MobileIdRecord, code: string): boolean {
  if (record.codeHash === null) return false;
  const expected = Buffer.from(record.codeHash, 'hex');
  const given = Buffer.from(codeHash(code), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A pending mobile ID whose code ran out is expired, whatever was stored. */
export function effectiveState(record: MobileIdRecord, now: Date): MobileIdState {
  if (record.state === 'pending' && record.codeExpiresAt !== null && Date.parse(record.codeExpiresAt) <= now.getTime()) return 'expired';
  if ((record.state === 'active' || record.state === 'locked') && Date.parse(record.expiresAt) <= now.getTime()) return 'expired';
  return record.state;
}

export function toSummary(record: MobileIdRecord, now: Date): MobileIdSummary {
  const { codeHash: hash, ...rest } = record;
  return { ...rest, state: effectiveState(record, now), codePending: hash !== null && effectiveState(record, now) === 'pending' };
}
