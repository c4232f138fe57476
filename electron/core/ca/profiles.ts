/**
 * Certificate profiles: which key usages, extended key usages and subject alternative names
 * each kind of certificate gets (RFC 5280 §4.2.1.3, §4.2.1.12; Microsoft smart card logon).
 */
import type { CertificateProfile, SubjectAltName } from '../../shared/schemas/certificates';
import type { KeyDescription } from './ca-signer';
import { OID } from './oids';

/** KeyUsage bits, RFC 5280 §4.2.1.3. */
export const KU = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KU;

export interface ProfileSpec {
  readonly keyUsage: (key: KeyDescription) => KeyUsageName[];
  readonly extendedKeyUsage: readonly string[];
  /** Which SANs the holder's record fills in when the request names none. */
  readonly defaultSans: readonly SubjectAltName['type'][];
  readonly validityDays: number;
  readonly ocspNoCheck?: boolean;
  /** RFC 3161 §2.3: a TSA certificate's extended key usage is critical. */
  readonly extendedKeyUsageCritical?: boolean;
}

export const profiles: Readonly<Record<CertificateProfile, ProfileSpec>> = {
  authentication: {
    keyUsage: (key) => (key.kind === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
    extendedKeyUsage: [OID.clientAuth, OID.msSmartcardLogon],
    defaultSans: ['upn', 'email'],
    validityDays: 3 * 365,
  },
  signature: {
    keyUsage: () => ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: [OID.emailProtection],
    defaultSans: ['email'],
    validityDays: 3 * 365,
  },
  encryption: {
    keyUsage: (key) => (key.kind === 'rsa' ? ['keyEncipherment', 'dataEncipherment'] : ['keyAgreement']),
    extendedKeyUsage: [OID.emailProtection],
    defaultSans: ['email'],
    validityDays: 3 * 365,
  },
  // The card authentication key (9E, no PIN): proves the card itself, e.g. at the kiosk before the
  // PIN pad. No name of a person in it (anyone near the reader can ask the card to use this key).
  cardAuthentication: {
    keyUsage: () => ['digitalSignature'],
    extendedKeyUsage: [OID.pivCardAuth],
    defaultSans: [],
    validityDays: 3 * 365,
  },
  ocspSigning: {
    keyUsage: () => ['digitalSignature'],
    extendedKeyUsage: [OID.ocspSigning],
    defaultSans: [],
    validityDays: 365,
    ocspNoCheck: true,
  },
  timeStamping: {
    keyUsage: () => ['digitalSignature'],
    extendedKeyUsage: [OID.timeStamping],
    extendedKeyUsageCritical: true,
    defaultSans: [],
    // Long enough that tokens stay checkable; the DSS and document time-stamps carry them further.
    validityDays: 5 * 365,
  },
  operator: {
    keyUsage: () => ['digitalSignature'],
    extendedKeyUsage: [OID.clientAuth],
    defaultSans: ['email'],
    validityDays: 2 * 365,
  },
};
