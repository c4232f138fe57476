/**
 * Distinguished names as people write them (RFC 4514 order, most specific first:
 * "CN=Ada Lovelace, O=Example, C=XK"), encoded as X.501 Names (least specific first).
 * Commas, plus signs and equals signs inside a value are escaped with a backslash.
 */
import { CardDeskError } from '../../shared/errors';
import { children, ia5, oid, printable, readOid, readTlv, seq, set, utf8, type DerElement } from './der';

const attributes: readonly [name: string, oid: string, encode: 'utf8' | 'printable' | 'ia5'][] = [
  ['CN', '2.5.4.3', 'utf8'],
  ['SN', '2.5.4.4', 'utf8'],
  ['SERIALNUMBER', '2.5.4.5', 'printable'],
  ['C', '2.5.4.6', 'printable'],
  ['L', '2.5.4.7', 'utf8'],
  ['ST', '2.5.4.8', 'utf8'],
  ['STREET', '2.5.4.9', 'utf8'],
  ['O', '2.5.4.10', 'utf8'],
  ['OU', '2.5.4.11', 'utf8'],
  ['T', '2.5.4.12', 'utf8'],
  ['GN', '2.5.4.42', 'utf8'],
  ['ORGANIZATIONIDENTIFIER', '2.5.4.97', 'utf8'],
  ['UID', '0.9.2342.19200300.100.1.1', 'utf8'],
  ['DC', '0.9.2342.19200300.100.1.25', 'ia5'],
  ['E', '1.2.840.113549.1.9.1', 'ia5'],
];
const aliases: Readonly<Record<string, string>> = {
  COMMONNAME: 'CN',
  SURNAME: 'SN',
  GIVENNAME: 'GN',
  TITLE: 'T',
  EMAILADDRESS: 'E',
  EMAIL: 'E',
  ORGANIZATIONNAME: 'O',
  ORGANIZATIONALUNITNAME: 'OU',
  COUNTRYNAME: 'C',
};
const byName = new Map(attributes.map((a) => [a[0], a]));
const byOid = new Map(attributes.map((a) => [a[1], a]));

export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      current += char + (text[i + 1] as string);
      i += 1;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const unescape = (value: string): string => value.replace(/\\(.)/g, '$1');
const escape = (value: string): string => value.replace(/([,+="\\<>;#])/g, '\\$1');

/** Parses "CN=…, O=…, C=…"; throws MALFORMED_INPUT naming the bad part. */
export function parseDn(text: string): NameAttribute[] {
  const parts = splitUnescaped(text, ',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new CardDeskError('MALFORMED_INPUT', 'The distinguished name is empty.');
  return parts.map((part) => {
    const at = part.indexOf('=');
    const rawType = part.slice(0, at).trim().toUpperCase();
    const type = aliases[rawType] ?? rawType;
    const value = unescape(part.slice(at + 1).trim());
    const spec = byName.get(type);
    if (at <= 0 || spec === undefined) throw new CardDeskError('MALFORMED_INPUT', `"${part}" is not a name part CardDesk knows (use CN, O, OU, C, L, ST, E, SERIALNUMBER, GN, SN, …).`);
    if (value === '' || value.length > 256) throw new CardDeskError('MALFORMED_INPUT', `The value of ${type} must be 1 to 256 characters.`);
    if (type === 'C' && !/^[A-Z]{2}$/.test(value)) throw new CardDeskError('MALFORMED_INPUT', 'C (country) must be two capital letters, such as XK or IT.');
    if (spec[2] === 'printable' && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) {
      throw new CardDeskError('MALFORMED_INPUT', `${type} may hold only letters, digits, spaces and '()+,-./:=?`);
    }
    if (spec[2] === 'ia5' && !/^[\x20-\x7e]*$/.test(value)) throw new CardDeskError('MALFORMED_INPUT', `${type} may hold only ASCII characters.`);
    return { type, value };
  });
}

export function formatDn(attributes: readonly NameAttribute[]): string {
  return attributes.map((a) => `${a.type}=${escape(a.value)}`).join(', ');
}

/** The X.501 Name: one attribute per RDN, least specific first. */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  return seq(
    ...[...attributes].reverse().map(({ type, value }) => {
      const spec = byName.get(type);
      if (spec === undefined) throw new CardDeskError('MALFORMED_INPUT', `Unknown name attribute ${type}.`);
      const encoded = spec[2] === 'printable' ? printable(value) : spec[2] === 'ia5' ? ia5(value) : utf8(value);
      return set(seq(oid(spec[1]), encoded));
    }),
  );
}

export function encodeDn(text: string): Buffer {
  return encodeName(parseDn(text));
}

/** Reads an X.501 Name (DER) back into attributes, most specific first. */
export function decodeName(name: DerElement | Buffer): NameAttribute[] {
  const element = Buffer.isBuffer(name) ? readTlv(name) : name;
  const out: NameAttribute[] = [];
  for (const rdn of children(element)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (type === undefined || value === undefined) continue;
      const id = readOid(type);
      const text = value.tag === 0x1e ? decodeBmp(value.content) : value.content.toString(value.tag === 0x0c ? 'utf8' : 'latin1');
      out.push({ type: byOid.get(id)?.[0] ?? id, value: text });
    }
  }
  return out.reverse();
}

function decodeBmp(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return text;
}
