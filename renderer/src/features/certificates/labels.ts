import type { AfterHold, CertificateProfile, CertificateStatus, RevocationReason } from './types';

// The contract's enumerations as the screens offer them (the renderer imports only types).
export const profiles: readonly CertificateProfile[] = ['authentication', 'signature', 'encryption', 'ocspSigning', 'operator'];
export const statuses: readonly CertificateStatus[] = ['valid', 'suspended', 'revoked', 'expired'];
export const reasons: readonly RevocationReason[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
  'aACompromise',
];
export const afterHoldChoices: readonly AfterHold[] = ['release', 'revoke'];

export function statusColor(status: CertificateStatus): 'success' | 'warning' | 'error' | 'default' {
  return status === 'valid' ? 'success' : status === 'suspended' ? 'warning' : status === 'revoked' ? 'error' : 'default';
}
