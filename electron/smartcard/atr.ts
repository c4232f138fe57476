/**
 * What a card's Answer To Reset says about how to talk to it (ISO/IEC 7816-3 §8, 7816-4 §12.1.1):
 * the historical bytes and, in their compact-TLV "card capabilities" (tag 7), whether the card
 * takes extended-length APDUs and command chaining. A malformed ATR promises nothing.
 */
export interface AtrCapabilities {
  readonly historical: Uint8Array;
  readonly extendedLength: boolean;
  readonly commandChaining: boolean;
}

/** Compact-TLV historical bytes (ISO/IEC 7816-4 §8.1.1, Table 83 and 86–88). */
const CATEGORY_COMPACT_TLV = 0x80;
const COMPACT_TAG = { ISSUER_DATA: 0x5, CARD_CAPABILITIES: 0x7 } as const;
/** Card capabilities, first byte: selection by full DF name. Second: data coding byte. Third: chaining and extended length. */
const CAPABILITY = { SELECT_BY_FULL_DF_NAME: 0x80, DATA_CODING: 0x21, COMMAND_CHAINING: 0x80, EXTENDED_LENGTH: 0x40 } as const;

/**
 * The interface bytes of a T=1 card (ISO/IEC 7816-3 §8.2): TS direct convention; TA1 Fi/Di 1/3;
 * TB1, TC1 none; TD1 says T=1 follows with TD2; TD2 says TA3 and TB3 for T=1; IFSC 254; BWI 1, CWI 5.
 */
const T1_INTERFACE = { TS: 0x3b, TA1: 0x13, TB1: 0x00, TC1: 0x00, TD1: 0x81, TD2: 0x31, TA3_IFSC: 0xfe, TB3: 0x15 } as const;
/** T0's high nibble when TA1, TB1, TC1 and TD1 all follow. */
const T0_ALL_INTERFACE_BYTES = 0xf0;

/**
 * The ATR of a T=1 card whose historical bytes are compact-TLV: its card capabilities and the
 * card issuer's data (at most 8 bytes), closed by the check byte TCK.
 */
export function encodeAtr(options: { issuerData: Uint8Array; commandChaining: boolean; extendedLength: boolean }): Uint8Array {
  const { issuerData } = options;
  const third = (options.commandChaining ? CAPABILITY.COMMAND_CHAINING : 0) | (options.extendedLength ? CAPABILITY.EXTENDED_LENGTH : 0);
  const historical = Uint8Array.from([
    CATEGORY_COMPACT_TLV,
    (COMPACT_TAG.CARD_CAPABILITIES << 4) | 3,
    CAPABILITY.SELECT_BY_FULL_DF_NAME,
    CAPABILITY.DATA_CODING,
    third,
    (COMPACT_TAG.ISSUER_DATA << 4) | issuerData.length,
    ...issuerData,
  ]);
  const { TS, TA1, TB1, TC1, TD1, TD2, TA3_IFSC, TB3 } = T1_INTERFACE;
  const body = Uint8Array.from([T0_ALL_INTERFACE_BYTES | historical.length, TA1, TB1, TC1, TD1, TD2, TA3_IFSC, TB3, ...historical]);
  const tck = body.reduce((xor, byte) => xor ^ byte, 0);
  return Uint8Array.from([TS, ...body, tck]);
}

const NONE: AtrCapabilities = { historical: new Uint8Array(0), extendedLength: false, commandChaining: false };

/** The historical bytes: after TS, T0 and the interface bytes T0 and each TDi announce. */
function historicalBytes(atr: Uint8Array): Uint8Array | null {
  if (atr.length < 2) return null;
  const t0 = atr[1] ?? 0;
  const count = t0 & 0x0f;
  let indicator = t0;
  let at = 2;
  for (;;) {
    // Bits 5–8 of T0/TDi say which of TAi, TBi, TCi, TDi follow.
    const present = [0x10, 0x20, 0x40, 0x80].filter((bit) => (indicator & bit) !== 0).length;
    const td = (indicator & 0x80) !== 0 ? atr[at + present - 1] : undefined;
    at += present;
    if (td === undefined) break;
    indicator = td;
  }
  return at + count <= atr.length ? atr.subarray(at, at + count) : null;
}

export function atrCapabilities(atr: Uint8Array): AtrCapabilities {
  const historical = historicalBytes(atr);
  if (historical === null || historical[0] !== CATEGORY_COMPACT_TLV) return historical === null ? NONE : { ...NONE, historical };
  // Category 80: compact-TLV objects, each a byte of tag (high nibble) and length (low nibble).
  for (let at = 1; at < historical.length; ) {
    const tag = (historical[at] ?? 0) >> 4;
    const length = (historical[at] ?? 0) & 0x0f;
    const value = historical.subarray(at + 1, at + 1 + length);
    if (tag === COMPACT_TAG.CARD_CAPABILITIES && value.length === 3) {
      const third = value[2] ?? 0;
      return { historical, extendedLength: (third & CAPABILITY.EXTENDED_LENGTH) !== 0, commandChaining: (third & CAPABILITY.COMMAND_CHAINING) !== 0 };
    }
    at += 1 + length;
  }
  return { ...NONE, historical };
}
