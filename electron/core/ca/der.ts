/**
 * A small DER writer and reader. Certificates, CRLs and OCSP responses are built with it rather
 * than with an ASN.1 object library because the CRL benchmark writes 100,000 entries: building
 * each entry as bytes directly is an order of magnitude faster than building and serialising
 * schema objects, and the encoding rules needed here (X.690 DER for a handful of types) are short.
 * Parsing of untrusted input (CSRs, OCSP requests) uses `readTlv`, which bounds every length.
 */
import { CardDeskError } from '../../shared/errors';

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
/** SET OF, sorted as DER requires. */
export const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat([...parts].sort((a, b) => Buffer.compare(a, b))));
export const explicit = (n: number, ...parts: Buffer[]): Buffer => tlv(0xa0 | n, Buffer.concat(parts));
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
export const octetString = (content: Buffer): Buffer => tlv(0x04, content);
export const bitString = (content: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
export const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'latin1'));
export const ia5 = (text: string): Buffer => tlv(0x16, Buffer.from(text, 'latin1'));
export const enumerated = (value: number): Buffer => tlv(0x0a, Buffer.from([value]));

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function integerBytes(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : Buffer.from(trimmed.length === 0 ? [0] : trimmed));
}

export function integer(value: number): Buffer {
  const hex = value.toString(16);
  return integerBytes(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex'));
}

const oidCache = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached !== undefined) return cached;
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (arcs[0] ?? 0) + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  const encoded = tlv(0x06, Buffer.from(bytes));
  oidCache.set(dotted, encoded);
  return encoded;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function generalizedTime(date: Date): Buffer {
  const text = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return tlv(0x18, Buffer.from(text, 'latin1'));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (year >= 2050) return generalizedTime(date);
  const text = `${pad(year % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'latin1'));
}

// ---- reading ---------------------------------------------------------------------------------

export interface DerElement {
  readonly tag: number;
  /** Offset of the first content byte and one past the last, in the buffer read. */
  readonly start: number;
  readonly end: number;
  /** The whole element, header included. */
  readonly raw: Buffer;
  readonly content: Buffer;
}

function malformed(what: string): CardDeskError {
  return new CardDeskError('MALFORMED_INPUT', `The DER data is malformed: ${what}.`);
}

export function readTlv(buffer: Buffer, offset = 0): DerElement {
  if (offset + 2 > buffer.length) throw malformed('truncated header');
  const tag = buffer[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not used here');
  let length = buffer[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > buffer.length) throw malformed('bad length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (buffer[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > buffer.length) throw malformed('length beyond the data');
  return { tag, start, end, raw: buffer.subarray(offset, end), content: buffer.subarray(start, end) };
}

/** The elements inside a constructed element. */
export function children(element: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < element.content.length) {
    const child = readTlv(element.content, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export function readOid(element: DerElement): string {
  if (element.tag !== 0x06) throw malformed('expected an OBJECT IDENTIFIER');
  const bytes = element.content;
  const first = bytes[0] ?? 0;
  const arcs = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

export function toPem(der: Buffer, label: string): string {
  const base64 = der.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < base64.length; at += 64) lines.push(base64.slice(at, at + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside the first PEM block with one of `labels`. */
export function fromPem(text: string, labels: readonly string[]): { label: string; der: Buffer } | null {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (match === null || !labels.includes(match[1] as string)) return null;
  return { label: match[1] as string, der: Buffer.from((match[2] as string).replace(/\s+/g, ''), 'base64') };
}
