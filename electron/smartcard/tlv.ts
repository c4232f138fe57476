/**
 * BER-TLV as smart cards use it (ISO/IEC 7816-4 §5.2, SP 800-73-4 Part 2 §3): tags of one to
 * three bytes, definite lengths in short form or long form with up to three length bytes.
 */

export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

export class TlvError extends Error {
  override readonly name = 'TlvError';
}

function readTag(bytes: Uint8Array, at: number): [tag: number, next: number] {
  let offset = at;
  const first = bytes[offset++];
  if (first === undefined) throw new TlvError('TLV ends inside a tag');
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // Subsequent tag bytes carry 7 bits each while bit 8 is set.
    for (let count = 0; ; count += 1) {
      const next = bytes[offset++];
      if (next === undefined) throw new TlvError('TLV ends inside a tag');
      if (count >= 2) throw new TlvError('TLV tag longer than three bytes');
      tag = (tag << 8) | next;
      if ((next & 0x80) === 0) break;
    }
  }
  return [tag, offset];
}

function readLength(bytes: Uint8Array, at: number): [length: number, next: number] {
  let offset = at;
  const first = bytes[offset++];
  if (first === undefined) throw new TlvError('TLV ends inside a length');
  if (first < 0x80) return [first, offset];
  const count = first & 0x7f;
  if (count === 0 || count > 3) throw new TlvError(`unsupported TLV length form 0x${first.toString(16)}`);
  let length = 0;
  for (let i = 0; i < count; i += 1) {
    const next = bytes[offset++];
    if (next === undefined) throw new TlvError('TLV ends inside a length');
    length = length * 256 + next;
  }
  return [length, offset];
}

/** Parses a sequence of TLVs; throws TlvError on anything malformed (never reads past the end). */
export function decodeTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // Padding between objects (ISO 7816-4 allows 00 and FF before a tag).
    if (bytes[offset] === 0x00 || bytes[offset] === 0xff) {
      offset += 1;
      continue;
    }
    const [tag, afterTag] = readTag(bytes, offset);
    const [length, afterLength] = readLength(bytes, afterTag);
    if (afterLength + length > bytes.length) throw new TlvError(`TLV 0x${tag.toString(16)} claims ${length} bytes, ${bytes.length - afterLength} left`);
    out.push({ tag, value: bytes.subarray(afterLength, afterLength + length) });
    offset = afterLength + length;
  }
  return out;
}

/** The value of the first TLV with `tag`, or undefined. */
export function findTlv(bytes: Uint8Array, tag: number): Uint8Array | undefined {
  return decodeTlvs(bytes).find((tlv) => tlv.tag === tag)?.value;
}

/** The value of the first TLV with `tag`; throws TlvError naming the tag when missing. */
export function requireTlv(bytes: Uint8Array, tag: number): Uint8Array {
  const value = findTlv(bytes, tag);
  if (value === undefined) throw new TlvError(`TLV 0x${tag.toString(16).toUpperCase()} is missing`);
  return value;
}

/** The bytes of a tag of one to three bytes, as it is written in a TLV or a GET DATA tag list. */
export function tagBytes(tag: number): number[] {
  if (tag > 0xffff) return [(tag >> 16) & 0xff, (tag >> 8) & 0xff, tag & 0xff];
  if (tag > 0xff) return [(tag >> 8) & 0xff, tag & 0xff];
  return [tag];
}

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  if (length <= 0xff) return [0x81, length];
  if (length <= 0xffff) return [0x82, length >> 8, length & 0xff];
  if (length <= 0xffffff) return [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  throw new TlvError(`TLV value of ${length} bytes is too long`);
}

export function encodeTlv(tag: number, ...values: Uint8Array[]): Uint8Array {
  const length = values.reduce((sum, value) => sum + value.length, 0);
  const head = [...tagBytes(tag), ...lengthBytes(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let offset = head.length;
  for (const value of values) {
    out.set(value, offset);
    offset += value.length;
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
