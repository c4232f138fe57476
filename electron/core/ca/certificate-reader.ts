/** Reads the parts of an X.509 certificate CardDesk needs (RFC 5280 §4.1), with the bounded DER reader. */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { SubjectAltName } from '../../shared/schemas/certificates';
import { children, readOid, readTlv, type DerElement } from './der';
import { describeKeyText } from './ca-signer';
import { decodeName, formatDn } from './distinguished-name';
import { extendedKeyUsageNames, OID } from './oids';
import { KU } from './profiles';

export interface ParsedCertificate {
  readonly der: Buffer;
  readonly serial: string;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKeyInfo: Buffer;
  readonly signatureAlgorithm: string;
  readonly extensions: ReadonlyMap<string, { critical: boolean; value: Buffer }>;
}

export function parseTime(element: DerElement): Date {
  const text = element.content.toString('latin1');
  const match = element.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) throw new CardDeskError('MALFORMED_INPUT', `Unreadable time ${text}.`);
  let year = Number(match[1]);
  if (element.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
}

const algorithmNames: Readonly<Record<string, string>> = {
  [OID.sha256WithRsa]: 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  [OID.ecdsaWithSha256]: 'ecdsa-with-SHA256',
  [OID.ecdsaWithSha384]: 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};

export function parseCertificate(der: Buffer): ParsedCertificate {
  try {
    const [tbs, algorithm] = children(readTlv(der));
    if (tbs === undefined || algorithm === undefined) throw new Error('incomplete');
    const parts = children(tbs);
    const offset = parts[0]?.tag === 0xa0 ? 1 : 0;
    const [serial, , issuer, validity, subject, spki] = parts.slice(offset);
    if (serial === undefined || issuer === undefined || validity === undefined || subject === undefined || spki === undefined) throw new Error('incomplete');
    const [notBefore, notAfter] = children(validity);
    const extensions = new Map<string, { critical: boolean; value: Buffer }>();
    const extensionsBlock = parts.find((part) => part.tag === 0xa3);
    if (extensionsBlock !== undefined) {
      for (const ext of children(children(extensionsBlock)[0] as DerElement)) {
        const fields = children(ext);
        const critical = fields[1]?.tag === 0x01 && fields[1].content[0] !== 0;
        const value = fields[fields.length - 1] as DerElement;
        extensions.set(readOid(fields[0] as DerElement), { critical, value: Buffer.from(value.content) });
      }
    }
    const algorithmOid = readOid(children(algorithm)[0] as DerElement);
    let serialBytes = serial.content;
    while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
    return {
      der,
      serial: serialBytes.toString('hex').toUpperCase(),
      issuerDer: Buffer.from(issuer.raw),
      subjectDer: Buffer.from(subject.raw),
      issuer: formatDn(decodeName(issuer)),
      subject: formatDn(decodeName(subject)),
      notBefore: parseTime(notBefore as DerElement),
      notAfter: parseTime(notAfter as DerElement),
      publicKeyInfo: Buffer.from(spki.raw),
      signatureAlgorithm: algorithmNames[algorithmOid] ?? algorithmOid,
      extensions,
    };
  } catch (error) {
    if (error instanceof CardDeskError) throw error;
    throw new CardDeskError('MALFORMED_INPUT', 'The certificate cannot be read.', { cause: error });
  }
}

export interface DecodedExtensions {
  readonly keyUsage: string[];
  readonly extendedKeyUsage: string[];
  readonly subjectAltNames: SubjectAltName[];
  readonly basicConstraints: string | null;
}

export function decodeExtensions(cert: ParsedCertificate): DecodedExtensions {
  const keyUsage: string[] = [];
  const ku = cert.extensions.get(OID.keyUsage);
  if (ku !== undefined) {
    const bits = readTlv(ku.value).content;
    const first = bits[1] ?? 0;
    const second = bits[2] ?? 0;
    for (const [name, bit] of Object.entries(KU)) if ((first & (0x80 >> bit)) !== 0) keyUsage.push(name);
    if ((second & 0x80) !== 0) keyUsage.push('decipherOnly');
    if ((first & 0x01) !== 0) keyUsage.push('encipherOnly');
  }
  const eku = cert.extensions.get(OID.extKeyUsage);
  const extendedKeyUsage = eku === undefined ? [] : children(readTlv(eku.value)).map((e) => extendedKeyUsageNames[readOid(e)] ?? readOid(e));
  const subjectAltNames: SubjectAltName[] = [];
  const san = cert.extensions.get(OID.subjectAltName);
  if (san !== undefined) {
    for (const name of children(readTlv(san.value))) {
      if (name.tag === 0x81) subjectAltNames.push({ type: 'email', value: name.content.toString('latin1') });
      else if (name.tag === 0x82) subjectAltNames.push({ type: 'dns', value: name.content.toString('latin1') });
      else if (name.tag === 0x86) subjectAltNames.push({ type: 'uri', value: name.content.toString('latin1') });
      else if (name.tag === 0x87) subjectAltNames.push({ type: 'ip', value: formatIp(name.content) });
      else if (name.tag === 0xa0) {
        const [type, value] = children(name);
        if (type !== undefined && readOid(type) === OID.msUpn && value !== undefined) {
          subjectAltNames.push({ type: 'upn', value: (children(value)[0]?.content ?? Buffer.alloc(0)).toString('utf8') });
        }
      }
    }
  }
  const bc = cert.extensions.get(OID.basicConstraints);
  let basicConstraints: string | null = null;
  if (bc !== undefined) {
    const fields = children(readTlv(bc.value));
    const ca = fields[0]?.tag === 0x01 && fields[0].content[0] !== 0;
    const path = fields.find((f) => f.tag === 0x02);
    basicConstraints = ca ? `CA${path === undefined ? '' : `, path length ${path.content.readUIntBE(0, path.content.length)}`}` : 'end entity';
  }
  return { keyUsage, extendedKeyUsage, subjectAltNames, basicConstraints };
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  return (bytes.toString('hex').match(/.{4}/g) ?? []).join(':');
}

export function publicKeyText(cert: ParsedCertificate): string {
  return describeKeyText(createPublicKey({ key: cert.publicKeyInfo, format: 'der', type: 'spki' }));
}

export function sha256Fingerprint(der: Buffer): string {
  return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
}

/** True when `issuer` signed `cert` (checked by OpenSSL through Node). */
export function signedBy(cert: Buffer, issuer: Buffer): boolean {
  try {
    return new X509Certificate(cert).verify(new X509Certificate(issuer).publicKey);
  } catch {
    return false;
  }
}
