/**
 * Reading hardware OATH tokens' seeds from a PSKC file (RFC 6030) as vendors ship them: each
 * KeyPackage names the device (DeviceInfo/SerialNo) and holds one Key with its algorithm, its
 * response length, its time step and its secret — in plain (PlainValue, base64) or encrypted
 * under a pre-shared key (EncryptedValue: AES-CBC, the IV in front of the ciphertext, PKCS#7
 * padding) with a ValueMAC: HMAC over IV‖ciphertext under the MAC key, which travels itself
 * encrypted under the pre-shared key (MACMethod/MACKey; without one, the pre-shared key is the
 * MAC key, as older files do).
 *
 * The XML goes through @xmldom/xmldom (a maintained parser already in node_modules). A file with a
 * DOCTYPE or an entity declaration is refused before parsing: PSKC needs neither, and refusing
 * them rules out entity expansion.
 *
 * Only TOTP keys are taken (the kiosk asks for time-based codes); a HOTP key, a key in a
 * non-decimal encoding, a secret that fails its MAC or cannot be decrypted is reported per key
 * with its reason. Secrets leave this module as Buffers the caller seals and zeroes.
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';

export const PSKC_NS = 'urn:ietf:params:xml:ns:keyprov:pskc';
const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
const TOTP_URIS = new Set(['urn:ietf:params:xml:ns:keyprov:pskc:totp', 'urn:ietf:params:xml:ns:keyprov:pskc#totp']);
const HOTP_URIS = new Set(['urn:ietf:params:xml:ns:keyprov:pskc:hotp', 'urn:ietf:params:xml:ns:keyprov:pskc#hotp']);
/** A file larger than this is not a token shipment. */
export const PSKC_MAX_BYTES = 8 * 1024 * 1024;

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** Why one key of the file cannot be imported. */
export type PskcKeyProblem =
  | 'noSerial'
  | 'hotpNotSupported'
  | 'unsupportedAlgorithm'
  | 'unsupportedEncoding'
  | 'badDigits'
  | 'badTimeStep'
  | 'noSecret'
  | 'keyRequired'
  | 'macMismatch'
  | 'decryptFailed'
  | 'unsupportedEncryption'
  | 'badSecret'
  | 'duplicateInFile';

export interface PskcKey {
  readonly serial: string;
  readonly manufacturer: string | null;
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  /** Seconds per step. */
  readonly period: number;
  /** T0: the Unix time (seconds) counting starts from. */
  readonly t0: number;
  /** The seed; the caller seals and zeroes it. */
  readonly secret: Buffer;
}

export type PskcEntry = { readonly serial: string; readonly ok: true; readonly key: PskcKey } | { readonly serial: string; readonly ok: false; readonly problem: PskcKeyProblem };

/** A problem with the whole file (nothing in it can be imported). */
export class PskcFileError extends Error {
  constructor(
    readonly problem: 'notXml' | 'doctypeRefused' | 'notPskc' | 'tooLarge' | 'noKeys' | 'keyRequired' | 'wrongKey' | 'unsupportedEncryption' | 'unsupportedMac',
    message: string,
  ) {
    super(message);
    this.name = 'PskcFileError';
  }
}

function children(parent: Element, ns: string, name: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const element = node as Element;
      if (element.namespaceURI === ns && element.localName === name) found.push(element);
    }
  }
  return found;
}

function child(parent: Element | null, ns: string, name: string): Element | null {
  if (parent === null) return null;
  return children(parent, ns, name)[0] ?? null;
}

function text(element: Element | null): string | null {
  if (element === null) return null;
  const value = (element.textContent ?? '').trim();
  return value === '' ? null : value;
}

function base64(value: string | null): Buffer | null {
  if (value === null) return null;
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return null;
  return Buffer.from(compact, 'base64');
}

const cipherByUri: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  [`${XENC_NS}aes128-cbc`]: { name: 'aes-128-cbc', keyBytes: 16 },
  [`${XENC_NS}aes192-cbc`]: { name: 'aes-192-cbc', keyBytes: 24 },
  [`${XENC_NS}aes256-cbc`]: { name: 'aes-256-cbc', keyBytes: 32 },
};

const macByUri: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha224': 'sha224',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512': 'sha512',
};

/** An xenc EncryptedValue-like element (EncryptionMethod + CipherData/CipherValue). */
interface Encrypted {
  readonly cipher: { name: string; keyBytes: number } | null;
  /** IV followed by the ciphertext. */
  readonly data: Buffer | null;
}

function encryptedOf(element: Element): Encrypted {
  const method = child(element, XENC_NS, 'EncryptionMethod')?.getAttribute('Algorithm') ?? '';
  return { cipher: cipherByUri[method] ?? null, data: base64(text(child(child(element, XENC_NS, 'CipherData'), XENC_NS, 'CipherValue'))) };
}

/** Decrypts IV‖ciphertext; null when the padding or length is wrong (a wrong key, most often). */
function decrypt(encrypted: Encrypted, key: Buffer): Buffer | null {
  const { cipher, data } = encrypted;
  if (cipher === null || data === null || data.length < 32 || data.length % 16 !== 0 || key.length !== cipher.keyBytes) return null;
  try {
    const decipher = createDecipheriv(cipher.name, key, data.subarray(0, 16));
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  } catch {
    return null;
  }
}

function algorithmOf(suite: string | null): OtpAlgorithm | null {
  if (suite === null) return 'SHA1';
  const compact = suite.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.endsWith('SHA1')) return 'SHA1';
  if (compact.endsWith('SHA256')) return 'SHA256';
  if (compact.endsWith('SHA512')) return 'SHA512';
  return null;
}

function integerOf(value: string | null, fallback: number): number | null {
  if (value === null) return fallback;
  return /^\d{1,12}$/.test(value) ? Number(value) : null;
}

/**
 * Reads every key of a PSKC document. `preSharedKey` decrypts encrypted secrets (and the MAC
 * key); throws PskcFileError for a problem with the whole file (a wrong pre-shared key is one:
 * the MAC key does not decrypt, or no secret's MAC matches).
 */
export function readPskc(xml: string, preSharedKey: Buffer | null): PskcEntry[] {
  if (Buffer.byteLength(xml, 'utf8') > PSKC_MAX_BYTES) throw new PskcFileError('tooLarge', 'The PSKC file is larger than 8 MB.');
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new PskcFileError('doctypeRefused', 'The PSKC file carries a DOCTYPE or entity declaration, which PSKC does not use; it is refused.');
  const problems: string[] = [];
  let root: Element | null = null;
  try {
    const document = new DOMParser({
      errorHandler: (level: string, message: unknown) => {
        if (level !== 'warning') problems.push(String(message));
      },
    }).parseFromString(xml, 'text/xml');
    root = document.documentElement;
  } catch {
    problems.push('fatal');
  }
  if (problems.length > 0 || root === null || root === undefined) throw new PskcFileError('notXml', 'The file is not well-formed XML.');
  if (root.namespaceURI !== PSKC_NS || root.localName !== 'KeyContainer') throw new PskcFileError('notPskc', 'The file is not a PSKC key container (RFC 6030).');

  const encrypted = children(root, PSKC_NS, 'KeyPackage').some((item) => child(child(child(item, PSKC_NS, 'Key'), PSKC_NS, 'Data'), PSKC_NS, 'Secret') !== null && child(child(child(child(item, PSKC_NS, 'Key'), PSKC_NS, 'Data'), PSKC_NS, 'Secret'), PSKC_NS, 'EncryptedValue') !== null);
  const encryptionKey = child(root, PSKC_NS, 'EncryptionKey');
  if (encryptionKey !== null && children(encryptionKey, PSKC_NS, 'DerivedKey').length > 0) {
    throw new PskcFileError('unsupportedEncryption', 'The PSKC file is protected with a password-derived key (PBKDF2), which CardDesk does not take; ask the vendor for the pre-shared-key form.');
  }
  let macKey: Buffer | null = null;
  let macAlgorithm = 'sha1';
  if (encrypted) {
    if (preSharedKey === null) throw new PskcFileError('keyRequired', "The PSKC file's secrets are encrypted: give the vendor's pre-shared key (hex).");
    const method = child(root, PSKC_NS, 'MACMethod');
    if (method !== null) {
      const uri = method.getAttribute('Algorithm') ?? '';
      const name = macByUri[uri];
      if (name === undefined) throw new PskcFileError('unsupportedMac', `The PSKC file's MAC algorithm (${uri || 'none'}) is not supported.`);
      macAlgorithm = name;
      const wrapped = child(method, PSKC_NS, 'MACKey');
      if (wrapped !== null) {
        const unwrapped = encryptedOf(wrapped);
        if (unwrapped.cipher === null) throw new PskcFileError('unsupportedEncryption', "The PSKC file's MAC key is encrypted with an algorithm CardDesk does not take (AES-CBC only).");
        macKey = decrypt(unwrapped, preSharedKey);
        if (macKey === null) throw new PskcFileError('wrongKey', "The pre-shared key does not open the PSKC file's MAC key: it is the wrong key.");
      }
    }
    macKey ??= Buffer.from(preSharedKey);
  }

  const entries: PskcEntry[] = [];
  const seen = new Set<string>();
  let macChecked = 0;
  let macFailed = 0;
  try {
    for (const item of children(root, PSKC_NS, 'KeyPackage')) {
      const device = child(item, PSKC_NS, 'DeviceInfo');
      const key = child(item, PSKC_NS, 'Key');
      const serial = text(child(device, PSKC_NS, 'SerialNo')) ?? '';
      const refuse = (problem: PskcKeyProblem): void => {
        entries.push({ serial, ok: false, problem });
      };
      if (serial === '' || serial.length > 64 || !/^[\x21-\x7e]+$/.test(serial)) {
        refuse('noSerial');
        continue;
      }
      if (seen.has(serial)) {
        refuse('duplicateInFile');
        continue;
      }
      seen.add(serial);
      if (key === null) {
        refuse('noSecret');
        continue;
      }
      const uri = key.getAttribute('Algorithm') ?? '';
      if (HOTP_URIS.has(uri)) {
        refuse('hotpNotSupported');
        continue;
      }
      if (!TOTP_URIS.has(uri)) {
        refuse('unsupportedAlgorithm');
        continue;
      }
      const parameters = child(key, PSKC_NS, 'AlgorithmParameters');
      const algorithm = algorithmOf(text(child(parameters, PSKC_NS, 'Suite')));
      if (algorithm === null) {
        refuse('unsupportedAlgorithm');
        continue;
      }
      const format = child(parameters, PSKC_NS, 'ResponseFormat');
      const encoding = format?.getAttribute('Encoding') ?? '';
      if (encoding !== '' && encoding.toUpperCase() !== 'DECIMAL') {
        refuse('unsupportedEncoding');
        continue;
      }
      const digits = integerOf(format?.getAttribute('Length') || null, 6);
      if (digits === null || digits < 6 || digits > 8) {
        refuse('badDigits');
        continue;
      }
      const data = child(key, PSKC_NS, 'Data');
      const plainOf = (name: string): string | null => text(child(child(data, PSKC_NS, name), PSKC_NS, 'PlainValue'));
      const period = integerOf(plainOf('TimeInterval'), 30);
      if (period === null || period < 1 || period > 600) {
        refuse('badTimeStep');
        continue;
      }
      const t0 = integerOf(plainOf('Time'), 0);
      if (t0 === null) {
        refuse('badTimeStep');
        continue;
      }
      const secretElement = child(data, PSKC_NS, 'Secret');
      if (secretElement === null) {
        refuse('noSecret');
        continue;
      }
      let secret: Buffer | null;
      const plain = child(secretElement, PSKC_NS, 'PlainValue');
      const sealed = child(secretElement, PSKC_NS, 'EncryptedValue');
      if (sealed !== null) {
        if (preSharedKey === null || macKey === null) {
          refuse('keyRequired');
          continue;
        }
        const value = encryptedOf(sealed);
        if (value.cipher === null) {
          refuse('unsupportedEncryption');
          continue;
        }
        const mac = base64(text(child(secretElement, PSKC_NS, 'ValueMAC')));
        if (mac === null || value.data === null) {
          refuse('macMismatch');
          macChecked += 1;
          macFailed += 1;
          continue;
        }
        const expected = createHmac(macAlgorithm, macKey).update(value.data).digest();
        macChecked += 1;
        if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
          macFailed += 1;
          refuse('macMismatch');
          continue;
        }
        secret = decrypt(value, preSharedKey);
        if (secret === null) {
          refuse('decryptFailed');
          continue;
        }
      } else {
        secret = base64(text(plain));
        if (secret === null) {
          refuse('noSecret');
          continue;
        }
      }
      if (secret.length < 10 || secret.length > 128) {
        secret.fill(0);
        refuse('badSecret');
        continue;
      }
      const manufacturer = text(child(device, PSKC_NS, 'Manufacturer'));
      entries.push({ serial, ok: true, key: { serial, manufacturer: manufacturer === null ? null : manufacturer.slice(0, 100), algorithm, digits, period, t0, secret } });
    }
  } finally {
    if (macKey !== null && macKey !== preSharedKey) macKey.fill(0);
  }
  // No MAC matched at all: the pre-shared key is not this file's (a legacy file without a MAC key).
  if (macChecked > 0 && macFailed === macChecked) {
    for (const entry of entries) if (entry.ok) entry.key.secret.fill(0);
    throw new PskcFileError('wrongKey', "No secret's MAC matches under the pre-shared key: it is the wrong key, or the file was altered.");
  }
  if (entries.length === 0) throw new PskcFileError('noKeys', 'The PSKC file holds no key packages.');
  return entries;
}
