/**
 * Decoding CK_SLOT_INFO and CK_TOKEN_INFO (PKCS#11 v2.40 §3.2) into plain values: flags as
 * booleans, blank-padded fixed-width strings trimmed, versions as "major.minor".
 */
import { CKF } from './ck';
import type { SlotFlags, CkTokenFlags } from './schemas/token';

const has = (flags: number, bit: number): boolean => (flags & bit) !== 0;

export function decodeSlotFlags(flags: number): SlotFlags {
  return {
    tokenPresent: has(flags, CKF.TOKEN_PRESENT),
    removableDevice: has(flags, CKF.REMOVABLE_DEVICE),
    hardwareSlot: has(flags, CKF.HW_SLOT),
  };
}

export function decodeTokenFlags(flags: number): CkTokenFlags {
  return {
    tokenInitialized: has(flags, CKF.TOKEN_INITIALIZED),
    loginRequired: has(flags, CKF.LOGIN_REQUIRED),
    userPinInitialized: has(flags, CKF.USER_PIN_INITIALIZED),
    userPinCountLow: has(flags, CKF.USER_PIN_COUNT_LOW),
    userPinFinalTry: has(flags, CKF.USER_PIN_FINAL_TRY),
    userPinLocked: has(flags, CKF.USER_PIN_LOCKED),
    userPinToBeChanged: has(flags, CKF.USER_PIN_TO_BE_CHANGED),
    soPinCountLow: has(flags, CKF.SO_PIN_COUNT_LOW),
    soPinFinalTry: has(flags, CKF.SO_PIN_FINAL_TRY),
    soPinLocked: has(flags, CKF.SO_PIN_LOCKED),
    soPinToBeChanged: has(flags, CKF.SO_PIN_TO_BE_CHANGED),
    protectedAuthenticationPath: has(flags, CKF.PROTECTED_AUTHENTICATION_PATH),
    writeProtected: has(flags, CKF.WRITE_PROTECTED),
  };
}

/** PKCS#11 strings are fixed width, padded with blanks (§3.2); some modules pad with NULs. */
export function padded(text: string): string {
  return text.replace(/[\s\0]+$/u, '');
}

export function versionText(version: { readonly major: number; readonly minor: number }): string {
  return `${version.major}.${version.minor}`;
}

/**
 * ulMinPinLen / ulMaxPinLen as a safe number. pkcs11js hands over CK_UNAVAILABLE_INFORMATION
 * (all bits set) as a bigint or a huge number; that reads as "no limit known" (0).
 */
export function pinLengthLimit(value: number | bigint): number {
  const n = typeof value === 'bigint' ? (value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value)) : value;
  return Number.isSafeInteger(n) && n >= 0 && n < 0xffffffff ? n : 0;
}
