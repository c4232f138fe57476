/**
 * PDF object syntax (ISO 32000-1 §7.3): a bounded parser for the objects the signer and the
 * verifier read, and a serialiser for the objects they write. Every read is bounded by the buffer
 * and by a nesting depth, so a hostile file raises `PdfSyntaxError`, never a hang or a crash.
 */

export class PdfSyntaxError extends Error {}

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex = false,
  ) {}
  text(): string {
    // UTF-16BE with BOM, else PDFDocEncoding (close enough to latin1 for names and dates).
    if (this.bytes[0] === 0xfe && this.bytes[1] === 0xff) return Buffer.from(this.bytes.subarray(2, 2 + ((this.bytes.length - 2) & ~1))).swap16().toString('utf16le');
    return this.bytes.toString('latin1');
  }
}
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  key(): string {
    return `${this.num} ${this.gen}`;
  }
}
export class PdfDict {
  constructor(readonly entries = new Map<string, PdfValue>()) {}
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
  name(key: string): string | null {
    const value = this.entries.get(key);
    return value instanceof PdfName ? value.name : null;
  }
  set(key: string, value: PdfValue): this {
    this.entries.set(key, value);
    return this;
  }
}
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The encoded stream data, as stored. */
    readonly data: Buffer,
  ) {}
}
export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfDict | PdfStream | PdfValue[];

const MAX_DEPTH = 64;

export const isWhite = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
const isDelimiter = (b: number | undefined): boolean => b !== undefined && '()<>[]{}/%'.includes(String.fromCharCode(b));
const isRegular = (b: number | undefined): boolean => b !== undefined && !isWhite(b) && !isDelimiter(b);

export function skipWhite(buf: Buffer, pos: number): number {
  let at = pos;
  for (;;) {
    while (at < buf.length && isWhite(buf[at])) at += 1;
    if (buf[at] !== 0x25) return at; // '%': comment to end of line
    while (at < buf.length && buf[at] !== 0x0a && buf[at] !== 0x0d) at += 1;
  }
}

function regularToken(buf: Buffer, pos: number): { text: string; end: number } {
  let end = pos;
  while (end < buf.length && isRegular(buf[end])) end += 1;
  return { text: buf.toString('latin1', pos, end), end };
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Parses one direct value at `pos` (after white space). Indirect references `n g R` come back as PdfRef. */
export function parseValue(buf: Buffer, pos: number, depth = 0): { value: PdfValue; end: number } {
  if (depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
  const at = skipWhite(buf, pos);
  if (at >= buf.length) throw new PdfSyntaxError('unexpected end of file');
  const byte = buf[at];
  if (byte === 0x3c && buf[at + 1] === 0x3c) return parseDict(buf, at + 2, depth);
  if (byte === 0x3c) {
    const close = buf.indexOf(0x3e, at);
    if (close < 0) throw new PdfSyntaxError('unterminated hex string');
    const hex = buf.toString('latin1', at + 1, close).replace(/[^0-9a-fA-F]/g, '');
    return { value: new PdfString(Buffer.from(hex.length % 2 === 0 ? hex : `${hex}0`, 'hex'), true), end: close + 1 };
  }
  if (byte === 0x28) return parseLiteral(buf, at);
  if (byte === 0x5b) {
    const items: PdfValue[] = [];
    let cursor = at + 1;
    for (;;) {
      cursor = skipWhite(buf, cursor);
      if (cursor >= buf.length) throw new PdfSyntaxError('unterminated array');
      if (buf[cursor] === 0x5d) return { value: items, end: cursor + 1 };
      const item = parseValue(buf, cursor, depth + 1);
      items.push(item.value);
      cursor = item.end;
    }
  }
  if (byte === 0x2f) {
    const token = regularToken(buf, at + 1);
    return { value: new PdfName(token.text.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))), end: token.end };
  }
  const token = regularToken(buf, at);
  if (token.text === '') throw new PdfSyntaxError(`unexpected character at ${at}`);
  if (token.text === 'true' || token.text === 'false') return { value: token.text === 'true', end: token.end };
  if (token.text === 'null') return { value: null, end: token.end };
  if (INTEGER.test(token.text)) {
    // `n g R`?
    const second = skipWhite(buf, token.end);
    const gen = regularToken(buf, second);
    if (INTEGER.test(gen.text)) {
      const third = skipWhite(buf, gen.end);
      if (buf[third] === 0x52 && !isRegular(buf[third + 1])) return { value: new PdfRef(Number(token.text), Number(gen.text)), end: third + 1 };
    }
    return { value: Number(token.text), end: token.end };
  }
  if (NUMBER.test(token.text)) return { value: Number(token.text), end: token.end };
  throw new PdfSyntaxError(`unexpected token "${token.text.slice(0, 20)}" at ${at}`);
}

function parseDict(buf: Buffer, pos: number, depth: number): { value: PdfDict; end: number } {
  const dict = new PdfDict();
  let cursor = pos;
  for (;;) {
    cursor = skipWhite(buf, cursor);
    if (cursor >= buf.length) throw new PdfSyntaxError('unterminated dictionary');
    if (buf[cursor] === 0x3e && buf[cursor + 1] === 0x3e) return { value: dict, end: cursor + 2 };
    const key = parseValue(buf, cursor, depth + 1);
    if (!(key.value instanceof PdfName)) throw new PdfSyntaxError(`dictionary key is not a name at ${cursor}`);
    const value = parseValue(buf, key.end, depth + 1);
    dict.set(key.value.name, value.value);
    cursor = value.end;
  }
}

const ESCAPES: Readonly<Record<number, number>> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };

function parseLiteral(buf: Buffer, pos: number): { value: PdfString; end: number } {
  const out: number[] = [];
  let nesting = 1;
  let at = pos + 1;
  while (at < buf.length) {
    const b = buf[at] as number;
    if (b === 0x5c) {
      const next = buf[at + 1];
      if (next === undefined) break;
      if (next >= 0x30 && next <= 0x37) {
        let digits = '';
        let k = at + 1;
        while (k < buf.length && digits.length < 3 && (buf[k] as number) >= 0x30 && (buf[k] as number) <= 0x37) digits += String.fromCharCode(buf[k++] as number);
        out.push(parseInt(digits, 8) & 0xff);
        at = k;
        continue;
      }
      if (next === 0x0d || next === 0x0a) {
        at += next === 0x0d && buf[at + 2] === 0x0a ? 3 : 2;
        continue;
      }
      out.push(ESCAPES[next] ?? next);
      at += 2;
      continue;
    }
    if (b === 0x28) nesting += 1;
    if (b === 0x29 && --nesting === 0) return { value: new PdfString(Buffer.from(out)), end: at + 1 };
    out.push(b);
    at += 1;
  }
  throw new PdfSyntaxError('unterminated string');
}

/** `n g obj <value> [stream … endstream] endobj` at `pos`; `length` resolves an indirect /Length. */
export function parseIndirect(buf: Buffer, pos: number, length: (value: PdfValue | undefined) => number | null): { num: number; gen: number; value: PdfValue; end: number } {
  const at = skipWhite(buf, pos);
  const header = /^(\d+)\s+(\d+)\s+obj/.exec(buf.toString('latin1', at, Math.min(buf.length, at + 40)));
  if (header === null) throw new PdfSyntaxError(`no object at offset ${pos}`);
  const parsed = parseValue(buf, at + header[0].length);
  let end = skipWhite(buf, parsed.end);
  let value = parsed.value;
  if (value instanceof PdfDict && buf.toString('latin1', end, end + 6) === 'stream') {
    let start = end + 6;
    if (buf[start] === 0x0d) start += 1;
    if (buf[start] === 0x0a) start += 1;
    let dataEnd: number;
    const declared = length(value.get('Length'));
    if (declared !== null && declared >= 0 && start + declared <= buf.length && /^\s*endstream/.test(buf.toString('latin1', start + declared, start + declared + 20))) {
      dataEnd = start + declared;
    } else {
      dataEnd = buf.indexOf('endstream', start, 'latin1');
      if (dataEnd < 0) throw new PdfSyntaxError('unterminated stream');
      if (buf[dataEnd - 1] === 0x0a) dataEnd -= 1;
      if (buf[dataEnd - 1] === 0x0d) dataEnd -= 1;
    }
    value = new PdfStream(value, buf.subarray(start, dataEnd));
    end = skipWhite(buf, buf.indexOf('endstream', dataEnd, 'latin1') + 9);
  }
  if (buf.toString('latin1', end, end + 6) !== 'endobj') throw new PdfSyntaxError(`object ${header[1]} ${header[2]} has no endobj`);
  return { num: Number(header[1]), gen: Number(header[2]), value, end: end + 6 };
}

// ---- writing ----------------------------------------------------------------------------------

function nameText(name: string): string {
  return `/${[...Buffer.from(name, 'latin1')].map((b) => (b > 0x20 && b < 0x7f && !isDelimiter(b) && b !== 0x23 ? String.fromCharCode(b) : `#${b.toString(16).padStart(2, '0')}`)).join('')}`;
}

function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/** Serialises a direct value (streams are written by the incremental writer). */
export function serialize(value: PdfValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numberText(value);
  if (value instanceof PdfName) return nameText(value.name);
  if (value instanceof PdfString) return `<${value.bytes.toString('hex')}>`;
  if (value instanceof PdfRef) return `${value.num} ${value.gen} R`;
  if (value instanceof PdfDict) return `<<${[...value.entries].map(([k, v]) => `${nameText(k)} ${serialize(v)}`).join(' ')}>>`;
  if (value instanceof PdfStream) throw new PdfSyntaxError('a stream cannot be a direct value');
  return `[${value.map(serialize).join(' ')}]`;
}

/** A PDF date string, D:YYYYMMDDHHmmSSZ (ISO 32000-1 §7.9.4). */
export function pdfDate(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `D:${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
}

export function parsePdfDate(text: string): Date | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(text);
  if (m === null) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2] ?? '1') - 1, Number(m[3] ?? '1'), Number(m[4] ?? '0'), Number(m[5] ?? '0'), Number(m[6] ?? '0'));
  const zone = m[7];
  if (zone === undefined || zone === 'Z') return new Date(utc);
  const z = /([+-])(\d{2})'?(\d{2})/.exec(zone);
  if (z === null) return new Date(utc);
  const minutes = (Number(z[2]) * 60 + Number(z[3])) * (z[1] === '-' ? -1 : 1);
  return new Date(utc - minutes * 60_000);
}

/** A text string: PDFDocEncoding-safe ASCII stays literal bytes, anything else UTF-16BE with BOM. */
export function textString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
}
