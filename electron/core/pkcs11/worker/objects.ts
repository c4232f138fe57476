/**
 * Objects on a token: listing certificates and keys, finding one key, its public key, and
 * writing a certificate. Every function runs inside SlotSessions.run, so a CK_RV thrown here
 * becomes an outcome value or a PKCS11_ERROR there.
 */
import { X509Certificate } from 'node:crypto';
import type { PKCS11 } from 'pkcs11js';
import { CardDeskError } from '../../../shared/errors';
import { certificateDetails, certificateFields } from '../certificate-info';
import { CKA, CKC, CKO } from '../ck';
import type { Failure } from '../schemas/common';
import type { CertificateInfo, KeyClass, KeySelector } from '../schemas/objects';
import type { WorkerResultOf } from '../protocol';
import { findObjects, hex, readAttributes, selectorKey, selectorTemplate, text } from './attributes';
import { readPrivateKey, readPublicKey } from './key-info';
import type { SlotSession } from './sessions';

const classOf: Readonly<Record<KeyClass, number>> = { private: CKO.PRIVATE_KEY, public: CKO.PUBLIC_KEY };

type Lookup = { readonly ok: true; readonly handle: Buffer } | Failure<'keyNotFound' | 'keyAmbiguous'>;

/**
 * The one key matching `selector`, from the session's cache when it was found before. Two
 * matches is an outcome, not a guess: signing with the wrong one of two "CA key"s must not happen.
 */
export function lookupKey(p11: PKCS11, session: SlotSession, keyClass: KeyClass, selector: KeySelector): Lookup {
  const cacheKey = selectorKey(keyClass, selector);
  const cached = session.objects.get(cacheKey);
  if (cached !== undefined) return { ok: true, handle: cached };
  const found = findObjects(p11, session.handle, [{ type: CKA.CLASS, value: classOf[keyClass] }, selectorTemplate(selector)], 2);
  const [handle] = found;
  if (handle === undefined) return { ok: false, reason: 'keyNotFound' };
  if (found.length > 1) return { ok: false, reason: 'keyAmbiguous' };
  session.objects.set(cacheKey, handle);
  return { ok: true, handle };
}

function readCertificate(p11: PKCS11, session: Buffer, object: Buffer): CertificateInfo {
  const attributes = readAttributes(p11, session, object, [CKA.LABEL, CKA.ID, CKA.VALUE]);
  const der = attributes.get(CKA.VALUE) ?? Buffer.alloc(0);
  return { label: text(attributes, CKA.LABEL), id: hex(attributes, CKA.ID), derBase64: der.toString('base64'), details: certificateDetails(der) };
}

export function listObjects(p11: PKCS11, session: SlotSession): WorkerResultOf<'listObjects'> {
  const s = session.handle;
  const certificates = findObjects(p11, s, [
    { type: CKA.CLASS, value: CKO.CERTIFICATE },
    { type: CKA.CERTIFICATE_TYPE, value: CKC.X_509 },
  ]).map((object) => readCertificate(p11, s, object));
  const privateKeys = findObjects(p11, s, [{ type: CKA.CLASS, value: CKO.PRIVATE_KEY }]).map((object) => readPrivateKey(p11, s, object).info);
  const publicKeys = findObjects(p11, s, [{ type: CKA.CLASS, value: CKO.PUBLIC_KEY }]).map((object) => readPublicKey(p11, s, object).info);
  return { ok: true, loggedIn: session.loggedIn !== null, certificates, privateKeys, publicKeys };
}

export function findKey(p11: PKCS11, session: SlotSession, keyClass: KeyClass, selector: KeySelector): WorkerResultOf<'findKey'> {
  const found = lookupKey(p11, session, keyClass, selector);
  if (!found.ok) return found;
  const key =
    keyClass === 'private'
      ? { ...readPrivateKey(p11, session.handle, found.handle).info, keyClass }
      : { ...readPublicKey(p11, session.handle, found.handle).info, keyClass };
  return { ok: true, key };
}

/**
 * The SubjectPublicKeyInfo of a key pair: from its public key object; else from the private
 * key's own attributes (RSA n and e, CKA_PUBLIC_KEY_INFO); else from the certificate with the
 * same CKA_ID (PIV cards through OpenSC often expose only that).
 */
export function getPublicKey(p11: PKCS11, session: SlotSession, selector: KeySelector): WorkerResultOf<'getPublicKey'> {
  const publicKey = lookupKey(p11, session, 'public', selector);
  if (!publicKey.ok && publicKey.reason === 'keyAmbiguous') return publicKey;
  if (publicKey.ok) {
    const { spki } = readPublicKey(p11, session.handle, publicKey.handle);
    if (spki !== null) return { ok: true, spki };
  }
  const privateKey = lookupKey(p11, session, 'private', selector);
  if (!privateKey.ok && privateKey.reason === 'keyAmbiguous') return privateKey;
  let id: Buffer | undefined = 'id' in selector ? Buffer.from(selector.id, 'hex') : undefined;
  if (privateKey.ok) {
    const { spki, info } = readPrivateKey(p11, session.handle, privateKey.handle);
    if (spki !== null) return { ok: true, spki };
    id ??= Buffer.from(info.id, 'hex');
  }
  if (id !== undefined && id.length > 0) {
    const [certificate] = findObjects(p11, session.handle, [{ type: CKA.CLASS, value: CKO.CERTIFICATE }, { type: CKA.ID, value: id }], 1);
    const der = certificate === undefined ? undefined : readAttributes(p11, session.handle, certificate, [CKA.VALUE]).get(CKA.VALUE);
    if (der !== undefined && certificateDetails(der) !== null) {
      return { ok: true, spki: new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }) };
    }
  }
  return { ok: false, reason: 'keyNotFound' };
}

/** C_CreateObject for an X.509 certificate with the attributes table 24 (v2.40 §4.6.3) asks for. */
export function writeCertificate(p11: PKCS11, session: SlotSession, certificate: { label: string; id: string; der: Buffer }): WorkerResultOf<'writeCertificate'> {
  let fields: ReturnType<typeof certificateFields>;
  try {
    fields = certificateFields(certificate.der);
    new X509Certificate(certificate.der);
  } catch (error) {
    throw new CardDeskError('INVALID_ARGUMENTS', 'The certificate to write is not a DER X.509 certificate.', { cause: error });
  }
  const id = Buffer.from(certificate.id, 'hex');
  const existing = findObjects(p11, session.handle, [{ type: CKA.CLASS, value: CKO.CERTIFICATE }, { type: CKA.ID, value: id }], 1);
  if (existing.length > 0) return { ok: false, reason: 'idInUse' };
  p11.C_CreateObject(session.handle, [
    { type: CKA.CLASS, value: CKO.CERTIFICATE },
    { type: CKA.CERTIFICATE_TYPE, value: CKC.X_509 },
    { type: CKA.TOKEN, value: true },
    { type: CKA.PRIVATE, value: false },
    { type: CKA.LABEL, value: certificate.label },
    { type: CKA.ID, value: id },
    { type: CKA.SUBJECT, value: fields.subject },
    { type: CKA.ISSUER, value: fields.issuer },
    { type: CKA.SERIAL_NUMBER, value: fields.serialNumber },
    { type: CKA.VALUE, value: certificate.der },
  ]);
  return { ok: true };
}
