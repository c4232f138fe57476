/**
 * Command and response APDUs (ISO/IEC 7816-3 §12.1, 7816-4 §5.1): short and extended length,
 * the four cases, and the status word.
 */

/** The class byte's command chaining bit: more parts of this command follow (ISO/IEC 7816-4 §5.4.1). */
export const CLA_CHAINING = 0x10;

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** Expected response length; 0 means "none"; 256 (short) or 65536 (extended) means "all". */
  readonly le: number;
}

export class ApduFormatError extends Error {
  override readonly name = 'ApduFormatError';
}

/** Encodes an APDU, using the extended form only when the data or Le do not fit the short one. */
export function encodeCommand(apdu: CommandApdu, options: { extended?: boolean } = {}): Uint8Array {
  const { cla, ins, p1, p2, data, le } = apdu;
  const extended = options.extended === true || data.length > 255 || le > 256;
  const header = [cla, ins, p1, p2];
  if (!extended) {
    const lc = data.length > 0 ? [data.length] : [];
    const leBytes = le > 0 ? [le === 256 ? 0 : le] : [];
    return Uint8Array.from([...header, ...lc, ...data, ...leBytes]);
  }
  if (data.length > 65535) throw new ApduFormatError('command data longer than 65535 bytes');
  const lc = data.length > 0 ? [0, data.length >> 8, data.length & 0xff] : [];
  const leValue = le === 65536 ? 0 : le;
  const leBytes = le > 0 ? (data.length > 0 ? [leValue >> 8, leValue & 0xff] : [0, leValue >> 8, leValue & 0xff]) : [];
  return Uint8Array.from([...header, ...lc, ...data, ...leBytes]);
}

/** Parses a command APDU as a card receives it (all four cases, short or extended). */
export function decodeCommand(bytes: Uint8Array): CommandApdu & { extended: boolean } {
  if (bytes.length < 4) throw new ApduFormatError('APDU shorter than its header');
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  if (body.length === 0) return { cla, ins, p1, p2, data: new Uint8Array(0), le: 0, extended: false };
  if (body.length === 1) return { cla, ins, p1, p2, data: new Uint8Array(0), le: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    // Short: Lc, data, optional Le.
    const lc = body[0]!;
    if (body.length === 1 + lc) return { cla, ins, p1, p2, data: body.subarray(1, 1 + lc), le: 0, extended: false };
    if (body.length === 2 + lc) {
      const le = body[1 + lc]!;
      return { cla, ins, p1, p2, data: body.subarray(1, 1 + lc), le: le === 0 ? 256 : le, extended: false };
    }
    throw new ApduFormatError('short APDU length does not match Lc');
  }
  // Extended: 00 then a two-byte Lc or Le.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { cla, ins, p1, p2, data: new Uint8Array(0), le: le === 0 ? 65536 : le, extended: true };
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new ApduFormatError('extended APDU with Lc 0');
  if (body.length === 3 + lc) return { cla, ins, p1, p2, data: body.subarray(3, 3 + lc), le: 0, extended: true };
  if (body.length === 5 + lc) {
    const le = (body[3 + lc]! << 8) | body[4 + lc]!;
    return { cla, ins, p1, p2, data: body.subarray(3, 3 + lc), le: le === 0 ? 65536 : le, extended: true };
  }
  throw new ApduFormatError('extended APDU length does not match Lc');
}

export interface ResponseApdu {
  readonly data: Uint8Array;
  readonly sw: number;
}

export function decodeResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new ApduFormatError('response shorter than a status word');
  return { data: bytes.subarray(0, bytes.length - 2), sw: (bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]! };
}

export function encodeResponse(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
