/**
 * What a key object is, from its attributes (PKCS#11 v2.40 §4.8–4.9, Current Mechanisms
 * §2.1.2–2.1.3 for RSA, §2.3.3–2.3.4 for EC). Reads in two rounds: the attributes every key
 * has, then the ones of its type, so a module never sees a request for an attribute that
 * cannot exist (some answer that with a slow per-attribute fallback).
 */
import type { PKCS11 } from 'pkcs11js';
import { CKA, CKK } from '../ck';
import { bitLength, curveOf, ecPointOf, ecSpki, isKnownCurve, rsaSpki } from '../public-key';
import type { PrivateKeyInfo, PublicKeyInfo } from '../schemas/objects';
import { type Attributes, bool, hex, readAttributes, text, ulong } from './attributes';

const keyCommon = [CKA.LABEL, CKA.ID, CKA.KEY_TYPE, CKA.TOKEN];
const privateFlags = [
  CKA.SIGN,
  CKA.DECRYPT,
  CKA.DERIVE,
  CKA.UNWRAP,
  CKA.SENSITIVE,
  CKA.EXTRACTABLE,
  CKA.ALWAYS_SENSITIVE,
  CKA.NEVER_EXTRACTABLE,
  CKA.ALWAYS_AUTHENTICATE,
];
const publicFlags = [CKA.VERIFY, CKA.ENCRYPT, CKA.WRAP, CKA.DERIVE];

/** Type-specific public parts. A private key has no CKA_EC_POINT; RSA private keys do carry n and e. */
function typeAttributes(keyType: number | null, objectClass: 'private' | 'public'): number[] {
  if (keyType === CKK.RSA) return [CKA.MODULUS, CKA.PUBLIC_EXPONENT];
  if (keyType === CKK.EC) return objectClass === 'public' ? [CKA.EC_PARAMS, CKA.EC_POINT] : [CKA.EC_PARAMS, CKA.PUBLIC_KEY_INFO];
  return [];
}

function readKey(p11: PKCS11, session: Buffer, object: Buffer, objectClass: 'private' | 'public'): Attributes {
  const common = readAttributes(p11, session, object, [...keyCommon, ...(objectClass === 'private' ? privateFlags : publicFlags)]);
  const specific = readAttributes(p11, session, object, typeAttributes(ulong(common, CKA.KEY_TYPE), objectClass));
  return new Map([...common, ...specific]);
}

function shape(attributes: Attributes): Pick<PrivateKeyInfo, 'label' | 'id' | 'keyType' | 'modulusBits' | 'curve' | 'token'> {
  const keyType = ulong(attributes, CKA.KEY_TYPE);
  const modulus = attributes.get(CKA.MODULUS);
  const params = attributes.get(CKA.EC_PARAMS);
  return {
    label: text(attributes, CKA.LABEL),
    id: hex(attributes, CKA.ID),
    keyType: keyType === CKK.RSA ? 'RSA' : keyType === CKK.EC ? 'EC' : 'other',
    modulusBits: keyType === CKK.RSA && modulus !== undefined ? bitLength(modulus) || null : null,
    curve: keyType === CKK.EC && params !== undefined ? curveOf(params) : null,
    token: bool(attributes, CKA.TOKEN),
  };
}

/** SubjectPublicKeyInfo from a key's attributes, when they hold the public parts. */
export function spkiOf(attributes: Attributes): Buffer | null {
  const keyType = ulong(attributes, CKA.KEY_TYPE);
  const info = attributes.get(CKA.PUBLIC_KEY_INFO);
  if (info !== undefined && info.length > 0) return info;
  if (keyType === CKK.RSA) {
    const modulus = attributes.get(CKA.MODULUS);
    const exponent = attributes.get(CKA.PUBLIC_EXPONENT);
    return modulus !== undefined && exponent !== undefined ? rsaSpki(modulus, exponent) : null;
  }
  if (keyType === CKK.EC) {
    const params = attributes.get(CKA.EC_PARAMS);
    const curve = params === undefined ? null : curveOf(params);
    const value = attributes.get(CKA.EC_POINT);
    if (!isKnownCurve(curve) || value === undefined) return null;
    const point = ecPointOf(value, curve);
    return point === null ? null : ecSpki(curve, point);
  }
  return null;
}

export interface ReadKey<T> {
  readonly info: T;
  readonly spki: Buffer | null;
}

export function readPrivateKey(p11: PKCS11, session: Buffer, object: Buffer): ReadKey<PrivateKeyInfo> {
  const attributes = readKey(p11, session, object, 'private');
  const info: PrivateKeyInfo = {
    ...shape(attributes),
    sign: bool(attributes, CKA.SIGN),
    decrypt: bool(attributes, CKA.DECRYPT),
    derive: bool(attributes, CKA.DERIVE),
    unwrap: bool(attributes, CKA.UNWRAP),
    sensitive: bool(attributes, CKA.SENSITIVE),
    extractable: bool(attributes, CKA.EXTRACTABLE),
    alwaysSensitive: bool(attributes, CKA.ALWAYS_SENSITIVE),
    neverExtractable: bool(attributes, CKA.NEVER_EXTRACTABLE),
    alwaysAuthenticate: bool(attributes, CKA.ALWAYS_AUTHENTICATE),
  };
  return { info, spki: spkiOf(attributes) };
}

export function readPublicKey(p11: PKCS11, session: Buffer, object: Buffer): ReadKey<PublicKeyInfo> {
  const attributes = readKey(p11, session, object, 'public');
  const spki = spkiOf(attributes);
  const info: PublicKeyInfo = {
    ...shape(attributes),
    verify: bool(attributes, CKA.VERIFY),
    encrypt: bool(attributes, CKA.ENCRYPT),
    wrap: bool(attributes, CKA.WRAP),
    derive: bool(attributes, CKA.DERIVE),
    spkiBase64: spki?.toString('base64') ?? null,
  };
  return { info, spki };
}
