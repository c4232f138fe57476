/**
 * The network listener's TLS server certificate: issued by the desk's issuing CA for the public
 * host name (or IP) the administrator set, EC P-256, serverAuth, kept in the vault's records with
 * its key sealed; issued again when missing, for another host or CA, or within 30 days of its
 * end. Needs the vault unlocked (to seal or open the key, and to sign).
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import type { AuditTrail } from '../audit/audit-trail';
import { keyIdentifier } from '../ca/ca-signer';
import type { CaService } from '../ca/ca-service';
import { randomSerial, signCertificate } from '../ca/certificate-builder';
import { parseCertificate, sha256Fingerprint } from '../ca/certificate-reader';
import { toPem } from '../ca/der';
import { encodeName } from '../ca/distinguished-name';
import { authorityKeyIdentifier, basicConstraints, extendedKeyUsage, keyUsage, subjectAltName, subjectKeyIdentifier } from '../ca/extensions';
import { leafValidity } from '../ca/issuance';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultKeyring } from '../vault/keyring';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';

export const LISTENER_CERTIFICATES = 'listenerCertificates';
const RECORD_ID = 'tls';
const SEAL_PURPOSE = 'listener-tls-key';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const VALIDITY_DAYS = 397;
const RENEW_BEFORE_MS = 30 * 86_400_000;

interface ListenerCertificateRecord {
  readonly id: string;
  readonly host: string;
  readonly serial: string;
  /** base64 DER */
  readonly der: string;
  readonly notAfter: string;
  /** SHA-256 of the issuing CA certificate it was issued under. */
  readonly issuing: string;
  readonly key: Sealed;
}

export interface TlsCredentials {
  /** PKCS#8 PEM: key material, never log it. */
  readonly key: string;
  /** The server certificate, then the issuing CA and the root (PEM). */
  readonly cert: string;
  readonly serial: string;
  readonly notAfter: string;
}

export interface ListenerCertificateDeps {
  readonly access: VaultAccess;
  readonly keyring: VaultKeyring;
  readonly ca: CaService;
  readonly audit: AuditTrail;
  readonly clock?: () => Date;
}

export class ListenerCertificates {
  constructor(private readonly deps: ListenerCertificateDeps) {}

  #now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  #stored(): ListenerCertificateRecord | undefined {
    return this.deps.access.storage().records.get<ListenerCertificateRecord>(LISTENER_CERTIFICATES, RECORD_ID);
  }

  /** The credentials for `host`, issuing a new certificate first when needed. */
  async credentials(host: string, op: OperationContext): Promise<TlsCredentials> {
    const issuingDer = this.deps.ca.certificate('issuing').der;
    const issuing = sha256Fingerprint(issuingDer);
    let stored = this.#stored();
    const fresh = stored !== undefined && stored.host === host && stored.issuing === issuing && Date.parse(stored.notAfter) - this.#now().getTime() > RENEW_BEFORE_MS;
    if (!fresh || stored === undefined) stored = await this.#issue(host, issuing, op);
    const pkcs8 = this.deps.keyring.open(stored.key, SEAL_PURPOSE);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    } finally {
      pkcs8.fill(0);
    }
    const chain = [Buffer.from(stored.der, 'base64'), ...this.deps.ca.chain()];
    return { key: key.export({ type: 'pkcs8', format: 'pem' }) as string, cert: chain.map((der) => toPem(der, 'CERTIFICATE')).join(''), serial: stored.serial, notAfter: stored.notAfter };
  }

  async #issue(host: string, issuing: string, op: OperationContext): Promise<ListenerCertificateRecord> {
    const issuer = this.deps.ca.issuer();
    const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
    const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    const der = await signCertificate(
      {
        serial: randomSerial(),
        issuer: issuer.certificate.subjectDer,
        subject: encodeName([{ type: 'CN', value: host }]),
        ...leafValidity(this.#now(), VALIDITY_DAYS, issuer.certificate),
        publicKeyInfo: spki,
        extensions: [
          basicConstraints(false),
          keyUsage(['digitalSignature']),
          extendedKeyUsage([SERVER_AUTH]),
          subjectKeyIdentifier(keyIdentifier(spki)),
          authorityKeyIdentifier(keyIdentifier(issuer.certificate.publicKeyInfo)),
          subjectAltName([{ type: isIP(host) === 0 ? 'dns' : 'ip', value: host }]),
        ],
      },
      issuer.signer,
    );
    const cert = parseCertificate(der);
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    let sealed: Sealed;
    try {
      sealed = this.deps.keyring.seal(pkcs8, SEAL_PURPOSE);
    } finally {
      pkcs8.fill(0);
    }
    const record: ListenerCertificateRecord = { id: RECORD_ID, host, serial: cert.serial, der: der.toString('base64'), notAfter: cert.notAfter.toISOString(), issuing, key: sealed };
    await new ChangeRecorder(this.deps.access, this.deps.audit).commit([{ collection: LISTENER_CERTIFICATES, id: RECORD_ID, record }], {
      action: 'ca.certificateIssue',
      outcome: 'success',
      certificateSerial: cert.serial,
      details: { profile: 'tlsServer', host },
      ...op,
    });
    return record;
  }
}
