import { describe, expect, it } from 'vitest';
import { ATR } from '../vcard/factory';
import { atrCapabilities } from './atr';

const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('ATR capabilities', () => {
  it("reads the virtual card's card-capabilities byte: chaining and extended length", () => {
    expect(atrCapabilities(ATR)).toMatchObject({ extendedLength: true, commandChaining: true });
  });

  it('reads a YubiKey 5 NFC ATR (chaining and extended length) through several interface bytes', () => {
    // 3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40
    const caps = atrCapabilities(hex('3BFD1300008131FE158073C021C057597562694B657940'));
    expect(Buffer.from(caps.historical).toString('latin1')).toContain('YubiKey');
    expect(caps).toMatchObject({ extendedLength: true, commandChaining: true });
  });

  it('promises nothing for a card without capabilities or a malformed ATR', () => {
    expect(atrCapabilities(hex('3B8F8001804F0CA000000306030001000000006A'))).toMatchObject({ extendedLength: false });
    expect(atrCapabilities(hex('3BFF'))).toMatchObject({ extendedLength: false, historical: new Uint8Array(0) });
    expect(atrCapabilities(new Uint8Array(0)).extendedLength).toBe(false);
  });
});
