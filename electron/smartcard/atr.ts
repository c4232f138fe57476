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
  if (historical === null || historical[0] !== 0x80) return historical === null ? NONE : { ...NONE, historical };
  // Category 80: compact-TLV objects, each a byte of tag (high nibble) and length (low nibble).
  for (let at = 1; at < historical.length; ) {
    const tag = (historical[at] ?? 0) >> 4;
    const length = (historical[at] ?? 0) & 0x0f;
    const value = historical.subarray(at + 1, at + 1 + length);
    if (tag === 0x7 && value.length === 3) {
      const third = value[2] ?? 0;
      return { historical, extendedLength: (third & 0x40) !== 0, commandChaining: (third & 0x80) !== 0 };
    }
    at += 1 + length;
  }
  return { ...NONE, historical };
}
