import type { CertificateStatus } from './types';

// The contract's enumerations, as values from the zod-free module the schemas build on.
export { afterHoldChoices, certificateProfiles as profiles, certificateStatuses as statuses, revocationReasons as reasons } from '@shared/enums';

export function statusColor(status: CertificateStatus): 'success' | 'warning' | 'error' | 'default' {
  return status === 'valid' ? 'success' : status === 'suspended' ? 'warning' : status === 'revoked' ? 'error' : 'default';
}
