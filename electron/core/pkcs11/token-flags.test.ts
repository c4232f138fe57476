import { describe, expect, it } from 'vitest';
import { ckUlongSize, slotHandleOf, slotIdOf } from './slot-id';
import { decodeSlotFlags, decodeTokenFlags, padded, pinLengthLimit, versionText } from './token-flags';

describe('token info decoding', () => {
  it('decodes the flags SoftHSM2 reports right after a wrong PIN (0x1042d)', () => {
    expect(decodeTokenFlags(0x1042d)).toEqual({
      tokenInitialized: true,
      loginRequired: true,
      userPinInitialized: true,
      userPinCountLow: true,
      userPinFinalTry: false,
      userPinLocked: false,
      userPinToBeChanged: false,
      soPinCountLow: false,
      soPinFinalTry: false,
      soPinLocked: false,
      soPinToBeChanged: false,
      protectedAuthenticationPath: false,
      writeProtected: false,
    });
  });

  it('decodes each PIN state bit on its own (PKCS#11 v2.40 §3.2, table 10)', () => {
    expect(decodeTokenFlags(0x20000)).toMatchObject({ userPinFinalTry: true, userPinLocked: false });
    expect(decodeTokenFlags(0x40000)).toMatchObject({ userPinLocked: true, userPinFinalTry: false });
    expect(decodeTokenFlags(0x80000)).toMatchObject({ userPinToBeChanged: true });
    expect(decodeTokenFlags(0x100000)).toMatchObject({ soPinCountLow: true });
    expect(decodeTokenFlags(0x200000)).toMatchObject({ soPinFinalTry: true });
    expect(decodeTokenFlags(0x400000)).toMatchObject({ soPinLocked: true });
    expect(decodeTokenFlags(0x100)).toMatchObject({ protectedAuthenticationPath: true });
    expect(decodeTokenFlags(0x2)).toMatchObject({ writeProtected: true });
    expect(Object.values(decodeTokenFlags(0)).every((flag) => !flag)).toBe(true);
  });

  it('decodes slot flags', () => {
    expect(decodeSlotFlags(0x7)).toEqual({ tokenPresent: true, removableDevice: true, hardwareSlot: true });
    expect(decodeSlotFlags(0x6)).toEqual({ tokenPresent: false, removableDevice: true, hardwareSlot: true });
  });

  it('trims blank- and NUL-padded fixed-width strings, and prints versions', () => {
    expect(padded('SoftHSM project                 ')).toBe('SoftHSM project');
    expect(padded('PIV_II\0\0\0')).toBe('PIV_II');
    expect(padded('  inner  spaces stay')).toBe('  inner  spaces stay');
    expect(versionText({ major: 2, minor: 40 })).toBe('2.40');
  });

  it('reads CK_UNAVAILABLE_INFORMATION (all bits set, as bigint or number) as "no limit known"', () => {
    expect(pinLengthLimit(8)).toBe(8);
    expect(pinLengthLimit(0xffffffff)).toBe(0);
    expect(pinLengthLimit(18446744073709551615n)).toBe(0);
    expect(pinLengthLimit(255n)).toBe(255);
  });
});

describe('slot ids', () => {
  it('are 4 bytes on Windows and 32-bit systems, 8 on 64-bit Linux and macOS', () => {
    expect(ckUlongSize('win32', 'x64')).toBe(4);
    expect(ckUlongSize('linux', 'ia32')).toBe(4);
    expect(ckUlongSize('linux', 'x64')).toBe(8);
    expect(ckUlongSize('darwin', 'arm64')).toBe(8);
  });

  it('round-trip between numbers and native CK_SLOT_ID buffers', () => {
    expect(slotIdOf(Buffer.from('da7ac81800000000', 'hex'))).toBe(0x18c87ada);
    expect(slotHandleOf(0x18c87ada, 8).toString('hex')).toBe('da7ac81800000000');
    expect(slotIdOf(slotHandleOf(7, 4))).toBe(7);
    expect(() => slotIdOf(Buffer.alloc(2))).toThrow(/2 bytes/);
    expect(() => slotIdOf(Buffer.from('ffffffffffffffff', 'hex'))).toThrow(/too large/);
    expect(() => slotHandleOf(2 ** 33, 4)).toThrow(/does not fit/);
  });
});
