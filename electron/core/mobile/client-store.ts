/**
 * What the reference client keeps in its folder, as a phone would keep it in its key store:
 *
 * - `<label>.p12`: the label's private key, certificate and the CA chain, as a PKCS#12 file
 *   (RFC 7292) protected by a passphrase: keys and certificates encrypted with PBES2 (PBKDF2 with
 *   HMAC-SHA-256, AES-256-CBC; RFC 8018), integrity by HMAC-SHA-256 — what OpenSSL 3 writes by
 *   default, so `openssl pkcs12` reads it without `-legacy`.
 * - `ca-chain.pem`: the issuing and root CA certificates (the root is the one the QR code pinned).
 * - `mobile-id.json`: where to renew and what was enrolled — never the one-time code, never a key.
 *
 * The PKCS#12 is written with the repository's DER writer rather than node-forge because forge
 * cannot hold ECC keys (the default here), and the format needs only a handful of structures.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { CardDeskError } from '../../shared/errors';
import { children, explicit, implicitPrimitive, integer, nullValue, octetString, oid, readOid, readTlv, seq, set, tlv, toPem, type DerElement } from '../ca/der';
import { PRIVATE_FILE_MODE, writeUserFile } from '../files/safe-file';
import { MOBILE_LABELS } from './enrollment-uri';

const pbkdf2Async = promisify(pbkdf2);

const P12 = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** PBKDF2 and MAC iterations: far above OpenSSL's 2048, still well under a second per file. */
export const P12_ITERATIONS = 100_000;

export interface Pkcs12Input {
  readonly privateKey: KeyObject;
  /** The end-entity certificate (DER). */
  readonly certificate: Buffer;
  /** CA certificates (DER), issuing first. */
  readonly chain: readonly Buffer[];
  readonly friendlyName: string;
  /** UTF-8 passphrase; the caller zeroes it. Never logged. */
  readonly passphrase: Buffer;
  readonly iterations?: number;
  /** Further keys with their certificates in the same file (the escrowed encryption keys of a holder). */
  readonly more?: readonly { readonly privateKey: KeyObject; readonly certificate: Buffer; readonly friendlyName: string }[];
}

/** PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC: the AlgorithmIdentifier and the ciphertext. */
async function pbes2Encrypt(plain: Buffer, passphrase: Buffer, iterations: number): Promise<{ algorithm: Buffer; encrypted: Buffer }> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = await pbkdf2Async(passphrase, salt, iterations, 32, 'sha256');
  try {
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    const kdf = seq(oid(P12.pbkdf2), seq(octetString(salt), integer(iterations), seq(oid(P12.hmacWithSha256), nullValue())));
    const algorithm = seq(oid(P12.pbes2), seq(kdf, seq(oid(P12.aes256Cbc), octetString(iv))));
    return { algorithm, encrypted };
  } finally {
    key.fill(0);
  }
}

/** The passphrase as PKCS#12 wants it for its own key derivation: BMPString, two zero bytes at the end (RFC 7292 App. B.1). */
function bmpPassword(passphrase: Buffer): Buffer {
  const text = passphrase.toString('utf8');
  const out = Buffer.alloc((text.length + 1) * 2);
  for (let i = 0; i < text.length; i += 1) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/**
 * RFC 7292 Appendix B.2's key derivation, for the MAC key (ID 3) with SHA-256 (u = 32, v = 64).
 * One output block suffices for a 32-byte key, so the I-update step of B.2 never runs. The loop
 * yields now and then so a large iteration count does not hold the event loop.
 */
async function pkcs12MacKey(passphrase: Buffer, salt: Buffer, iterations: number): Promise<Buffer> {
  const v = 64;
  const fill = (source: Buffer): Buffer => {
    if (source.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i += 1) out[i] = source[i % source.length] as number;
    return out;
  };
  const password = bmpPassword(passphrase);
  const input = Buffer.concat([Buffer.alloc(v, 3), fill(salt), fill(password)]);
  password.fill(0);
  let block = createHash('sha256').update(input).digest();
  input.fill(0);
  for (let round = 1; round < iterations; round += 1) {
    block = createHash('sha256').update(block).digest();
    if (round % 20_000 === 0) await new Promise((resume) => setImmediate(resume));
  }
  return block;
}

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), set(value));
const bmpString = (text: string): Buffer => tlv(0x1e, Buffer.from(text, 'utf16le').swap16());

/** An encrypted PKCS#12 file with one key, its certificate and the chain (and `more` keys with theirs). */
export async function buildPkcs12(input: Pkcs12Input): Promise<Buffer> {
  const iterations = input.iterations ?? P12_ITERATIONS;
  const entries = [{ privateKey: input.privateKey, certificate: input.certificate, friendlyName: input.friendlyName }, ...(input.more ?? [])];
  const keyBags: Buffer[] = [];
  const leafBags: Buffer[] = [];
  const certBag = (der: Buffer, attributes?: Buffer): Buffer =>
    seq(oid(P12.certBag), explicit(0, seq(oid(P12.x509Certificate), explicit(0, octetString(der)))), ...(attributes === undefined ? [] : [attributes]));
  for (const entry of entries) {
    // localKeyId ties the key to its certificate: the certificate's SHA-1, as OpenSSL does.
    const localKeyId = createHash('sha1').update(entry.certificate).digest();
    const keyAttributes = set(attribute(P12.friendlyName, bmpString(entry.friendlyName)), attribute(P12.localKeyId, octetString(localKeyId)));
    const pkcs8 = entry.privateKey.export({ type: 'pkcs8', format: 'der' });
    let shrouded: { algorithm: Buffer; encrypted: Buffer };
    try {
      shrouded = await pbes2Encrypt(pkcs8, input.passphrase, iterations);
    } finally {
      pkcs8.fill(0); // never kept: key material
    }
    keyBags.push(seq(oid(P12.pkcs8ShroudedKeyBag), explicit(0, seq(shrouded.algorithm, octetString(shrouded.encrypted))), keyAttributes));
    leafBags.push(certBag(entry.certificate, keyAttributes));
  }
  const keyContents = seq(...keyBags);
  const certContents = seq(...leafBags, ...input.chain.map((der) => certBag(der)));
  const certs = await pbes2Encrypt(certContents, input.passphrase, iterations);
  // EncryptedData (RFC 5652 §8): version 0, EncryptedContentInfo with [0] IMPLICIT encryptedContent.
  const encryptedData = seq(integer(0), seq(oid(P12.data), certs.algorithm, implicitPrimitive(0, certs.encrypted)));

  const authenticatedSafe = seq(
    seq(oid(P12.encryptedData), explicit(0, encryptedData)),
    seq(oid(P12.data), explicit(0, octetString(keyContents))),
  );
  const macSalt = randomBytes(16);
  const macKey = await pkcs12MacKey(input.passphrase, macSalt, iterations);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  macKey.fill(0);
  const macData = seq(seq(seq(oid(P12.sha256), nullValue()), octetString(mac)), octetString(macSalt), integer(iterations));
  return seq(integer(3), seq(oid(P12.data), explicit(0, octetString(authenticatedSafe))), macData);
}

// ---- reading our own PKCS#12 back ----------------------------------------------------------------

function p12Unreadable(why: string): CardDeskError {
  return new CardDeskError('MALFORMED_INPUT', `The PKCS#12 file is not one this client wrote (${why}).`);
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, the only scheme this client writes. */
async function pbes2Decrypt(algorithm: DerElement, encrypted: Buffer, passphrase: Buffer): Promise<Buffer> {
  const [schemeOid, params] = children(algorithm);
  if (schemeOid === undefined || params === undefined || readOid(schemeOid) !== P12.pbes2) throw p12Unreadable('not PBES2');
  const [kdf, cipher] = children(params);
  const [kdfOid, kdfParams] = kdf === undefined ? [] : children(kdf);
  const [cipherOid, ivElement] = cipher === undefined ? [] : children(cipher);
  if (kdfOid === undefined || kdfParams === undefined || readOid(kdfOid) !== P12.pbkdf2 || cipherOid === undefined || ivElement === undefined || readOid(cipherOid) !== P12.aes256Cbc) throw p12Unreadable('not PBKDF2 with AES-256-CBC');
  const [salt, count, prf] = children(kdfParams);
  const prfOid = prf === undefined ? undefined : children(prf)[0];
  if (salt === undefined || count === undefined || prfOid === undefined || readOid(prfOid) !== P12.hmacWithSha256) throw p12Unreadable('not HMAC-SHA256');
  const key = await pbkdf2Async(passphrase, salt.content, count.content.readUIntBE(0, Math.min(6, count.content.length)), 32, 'sha256');
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, ivElement.content);
    return Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    throw new CardDeskError('WRONG_PASSPHRASE', 'The PKCS#12 passphrase is wrong.');
  } finally {
    key.fill(0);
  }
}

/**
 * The certificates of a PKCS#12 this client wrote (its own format only: the MAC is checked, the
 * certificate bag decrypted), end entity first. The key is not read: TLS takes the file as it is.
 */
export async function readPkcs12Certificates(p12: Buffer, passphrase: Buffer): Promise<Buffer[]> {
  try {
    const [version, authSafe, macData] = children(readTlv(p12));
    if (version === undefined || authSafe === undefined || macData === undefined) throw p12Unreadable('incomplete');
    const content = children(children(authSafe)[1] as DerElement)[0] as DerElement;
    const [mac, macSalt, macIterations] = children(macData);
    const digest = mac === undefined ? undefined : children(mac)[1];
    if (digest === undefined || macSalt === undefined || macIterations === undefined) throw p12Unreadable('no MAC');
    const macKey = await pkcs12MacKey(passphrase, macSalt.content, macIterations.content.readUIntBE(0, Math.min(6, macIterations.content.length)));
    const expected = createHmac('sha256', macKey).update(content.content).digest();
    macKey.fill(0);
    if (expected.length !== digest.content.length || !timingSafeEqual(expected, digest.content)) throw new CardDeskError('WRONG_PASSPHRASE', 'The PKCS#12 passphrase is wrong.');
    const certificates: Buffer[] = [];
    for (const info of children(readTlv(content.content))) {
      const [type, body] = children(info);
      if (type === undefined || body === undefined || readOid(type) !== P12.encryptedData) continue;
      const encryptedContentInfo = children(children(body)[0] as DerElement)[1] as DerElement;
      const [, algorithm, encrypted] = children(encryptedContentInfo);
      if (algorithm === undefined || encrypted === undefined) throw p12Unreadable('empty encrypted data');
      const safeContents = await pbes2Decrypt(algorithm, encrypted.content, passphrase);
      for (const bag of children(readTlv(safeContents))) {
        const [bagId, value] = children(bag);
        if (bagId === undefined || value === undefined || readOid(bagId) !== P12.certBag) continue;
        const certValue = children(children(value)[0] as DerElement)[1] as DerElement;
        certificates.push(Buffer.from((children(certValue)[0] as DerElement).content));
      }
    }
    if (certificates.length === 0) throw p12Unreadable('no certificate');
    return certificates;
  } catch (failure) {
    if (failure instanceof CardDeskError) throw failure;
    throw p12Unreadable('unreadable DER');
  }
}

// ---- mobile-id.json --------------------------------------------------------------------------

export const KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const EnrolledLabelSchema = z.object({
  serial: z.string().regex(/^[0-9A-Fa-f]+$/),
  notAfter: z.string(),
  file: z.string().regex(/^[a-z]+\.p12$/),
});

export const MobileIdFileSchema = z.object({
  format: z.literal(1),
  estUrl: z.string().url(),
  mobileId: z.string(),
  /** The pinned root's SHA-256 (lowercase hex), kept so renewal checks the CA the QR code named. */
  caSha256: z.string().regex(/^[0-9a-f]{64}$/),
  keyType: z.enum(KEY_TYPES),
  labels: z.partialRecord(z.enum(MOBILE_LABELS), EnrolledLabelSchema),
});
export type MobileIdFile = z.infer<typeof MobileIdFileSchema>;
export type EnrolledLabel = z.infer<typeof EnrolledLabelSchema>;

export const MOBILE_ID_FILE = 'mobile-id.json';
export const CA_CHAIN_FILE = 'ca-chain.pem';
export const p12FileName = (label: string): string => `${label}.p12`;

export async function readMobileIdFile(dir: string): Promise<MobileIdFile> {
  let text: string;
  try {
    text = await readFile(join(dir, MOBILE_ID_FILE), 'utf8');
  } catch (error) {
    throw new CardDeskError('NOT_FOUND', `${dir} holds no ${MOBILE_ID_FILE}: enrol first (carddesk mobile enroll --out ${dir}).`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CardDeskError('MALFORMED_INPUT', `${join(dir, MOBILE_ID_FILE)} is not JSON.`, { cause: error });
  }
  const result = MobileIdFileSchema.safeParse(parsed);
  if (!result.success) throw new CardDeskError('MALFORMED_INPUT', `${join(dir, MOBILE_ID_FILE)} is not a mobile ID file this client wrote.`);
  return result.data;
}

export function chainPem(chain: readonly Buffer[]): string {
  return chain.map((der) => toPem(der, 'CERTIFICATE')).join('');
}

/** Makes the output folder (0700) if it is missing. */
export async function prepareOutputDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes one file of the folder: a temporary file beside it, synced, then renamed over the name,
 * so a reader (or a crash) never sees half a file. `replace` allows an existing file to be replaced.
 */
export async function writeStoreFile(dir: string, name: string, data: string | Buffer, replace: boolean): Promise<void> {
  await writeUserFile(join(dir, name), data, { mode: PRIVATE_FILE_MODE, force: replace });
}

export function mobileIdJson(file: MobileIdFile): string {
  return `${JSON.stringify(MobileIdFileSchema.parse(file), null, 2)}\n`;
}
