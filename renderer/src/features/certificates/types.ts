import type { CertificateSummary, RevocationReason as Reason } from '@shared/schemas/certificates';

export type { CertificateDetail, CertificateProfile, CertificateStatus, CertificateSummary } from '@shared/schemas/certificates';
export type RevocationReason = Reason;
export type AfterHold = NonNullable<CertificateSummary['afterHold']>;
