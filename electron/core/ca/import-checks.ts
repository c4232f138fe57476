/**
 * What a CA must be before CardDesk takes it over from a PKCS#12 file: its key belongs to its
 * certificate; it and every certificate above it is valid now, is a CA and has a key the policy
 * accepts (RSA of at least 2048 bits, or ECC on P-256, P-384 or P-521); and each next certificate
 * in the file is the issuer of the one before it (named as its issuer, and its signature checks).
 * Each refusal says which rule failed and for which certificate.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { signedBy, type ParsedCertificate } from './certificate-reader';

export const MIN_RSA_BITS = 2048;
const ALLOWED_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function refuse(reason: string): never {
  throw new CardDeskError('CA_IMPORT_REFUSED', `The CA was not imported: ${reason}`);
}

const isCa = (certificate: ParsedCertificate): boolean => {
  const basic = certificate.extensions.get('2.5.29.19');
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, ... }: 30 len 01 01 FF
  return basic !== undefined && basic.value.length >= 5 && basic.value[2] === 0x01 && basic.value[4] !== 0x00;
};

/** RSA of at least 2048 bits, or ECC on P-256, P-384 or P-521. */
export function checkKeyStrength(key: KeyObject, whose: string): void {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) refuse(`the key of "${whose}" is RSA with ${bits} bits; the policy asks for at least ${MIN_RSA_BITS}.`);
    return;
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    if (ALLOWED_CURVES[curve] === undefined) refuse(`the key of "${whose}" is on the curve ${curve}; the policy allows P-256, P-384 and P-521.`);
    return;
  }
  refuse(`the key of "${whose}" is of type ${key.asymmetricKeyType ?? 'unknown'}; the policy allows RSA (2048 bits or more) and ECC on P-256, P-384 or P-521.`);
}

function checkValidity(certificate: ParsedCertificate, now: Date): void {
  if (certificate.notAfter.getTime() <= now.getTime()) refuse(`"${certificate.subject}" expired on ${certificate.notAfter.toISOString()}.`);
  if (certificate.notBefore.getTime() > now.getTime()) refuse(`"${certificate.subject}" is not valid before ${certificate.notBefore.toISOString()}.`);
}

/**
 * Checks the CA to import and returns its chain (its issuers, nearest first). `key` is the
 * private key in the file; `certificates` every certificate in it.
 */
export function checkImportedCa(key: KeyObject, certificates: readonly ParsedCertificate[], now: Date): { certificate: ParsedCertificate; chain: ParsedCertificate[] } {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const certificate = certificates.find((c) => c.publicKeyInfo.equals(spki));
  if (certificate === undefined) {
    const names = certificates.map((c) => `"${c.subject}"`).join(', ');
    refuse(certificates.length === 0 ? 'the file holds no certificate for its private key.' : `the private key does not belong to the certificate in the file (${names}): the key does not match.`);
  }
  if (!isCa(certificate)) refuse(`"${certificate.subject}" is not a CA certificate (basicConstraints cA is not set).`);
  checkValidity(certificate, now);
  checkKeyStrength(createPublicKey(key), certificate.subject);

  // Each next certificate must be the issuer of the one before it, up to a self-signed root.
  const others = certificates.filter((c) => c !== certificate);
  const chain: ParsedCertificate[] = [];
  let current = certificate;
  while (current.issuer !== current.subject) {
    const named = others.filter((c) => c.subject === current.issuer && !chain.includes(c));
    const parent = named.find((c) => signedBy(current.der, c.der));
    if (parent === undefined) {
      if (named.length > 0) refuse(`"${current.issuer}" is in the file but did not sign "${current.subject}": the next certificate in the chain is not its issuer.`);
      const unused = others.filter((c) => !chain.includes(c));
      if (unused.length > 0) refuse(`the next certificate in the chain ("${unused[0]?.subject ?? ''}") is not the issuer of "${current.subject}" (issued by "${current.issuer}").`);
      break; // imported without the rest of its chain: allowed
    }
    if (!isCa(parent)) refuse(`"${parent.subject}" issued "${current.subject}" but is not a CA certificate.`);
    checkValidity(parent, now);
    checkKeyStrength(createPublicKey({ key: parent.publicKeyInfo, format: 'der', type: 'spki' }), parent.subject);
    chain.push(parent);
    current = parent;
  }
  if (current.issuer === current.subject && !signedBy(current.der, current.der)) refuse(`the root "${current.subject}" is not signed by its own key.`);
  const stray = others.filter((c) => !chain.includes(c));
  if (stray.length > 0) refuse(`"${stray[0]?.subject ?? ''}" is in the file but is not part of the chain of "${certificate.subject}".`);
  return { certificate, chain };
}
