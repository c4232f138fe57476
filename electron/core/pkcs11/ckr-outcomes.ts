/**
 * Which CK_RV values are outcomes a person can act on (returned as values) and which are
 * failures nobody can plan for (thrown as CardDeskError). The mapping is deliberate and per
 * operation: CKR_PIN_INCORRECT is an outcome of C_Login only; CKR_USER_NOT_LOGGED_IN is an
 * outcome of a key operation but a bug after a successful login elsewhere. Anything not
 * listed here stays an error with its CKR name in the log. Sections: PKCS#11 v2.40 §5.1.
 */
import { CKR } from './ck';
import type { TokenFailureReason } from './schemas/common';

/** What C_Login can tell a person (v2.40 §5.6 C_Login, return values). */
export type LoginRefusal = 'wrongPin' | 'pinLocked' | 'pinLenRange' | 'pinInvalid' | 'pinExpired' | 'pinNotInitialized';

/** What an operation on a key can tell a person. */
export type KeyUseRefusal = 'notLoggedIn' | 'keyUsageNotPermitted' | 'keyTypeMismatch' | 'mechanismNotSupported';

/** What writing an object (a certificate) can tell a person. */
export type ObjectWriteRefusal = 'notLoggedIn' | 'tokenWriteProtected';

/** What generating a key pair can tell a person. */
export type KeyGenerationRefusal = ObjectWriteRefusal | 'mechanismNotSupported' | 'keySizeNotSupported';

/** The token or its session went away, or the person cancelled: the same for every operation. */
export function tokenFailureOf(rv: number): TokenFailureReason | null {
  switch (rv) {
    case CKR.TOKEN_NOT_PRESENT:
      return 'tokenNotPresent';
    case CKR.DEVICE_REMOVED:
      return 'tokenRemoved';
    case CKR.TOKEN_NOT_RECOGNIZED:
      return 'tokenNotRecognized';
    // The reader itself is gone (unplugged): its slot id is no longer valid.
    case CKR.SLOT_ID_INVALID:
      return 'slotNotFound';
    // Only after the one automatic retry with a fresh session (see isSessionLost).
    case CKR.SESSION_HANDLE_INVALID:
    case CKR.SESSION_CLOSED:
      return 'sessionClosed';
    // A PIN pad or a protected authentication path where the person pressed cancel.
    case CKR.FUNCTION_CANCELED:
      return 'cancelled';
    default:
      return null;
  }
}

/**
 * The session handle no longer works: the token was pulled and put back, or another thread
 * called C_CloseAllSessions. Worth exactly one retry with a new session; login state is lost.
 */
export function isSessionLost(rv: number): boolean {
  return rv === CKR.SESSION_HANDLE_INVALID || rv === CKR.SESSION_CLOSED;
}

/** A cached object handle went stale (the object was destroyed, or the session changed): find it again. */
export function isHandleStale(rv: number): boolean {
  return rv === CKR.OBJECT_HANDLE_INVALID || rv === CKR.KEY_HANDLE_INVALID;
}

/**
 * C_Login refused because someone is already logged in on this token in this process
 * (sessions share login state, v2.40 §5.6). CardDesk never counts that as a successful PIN
 * check: it logs out and tries the PIN once more, so the PIN is always really verified.
 */
export function isAlreadyLoggedIn(rv: number): boolean {
  return rv === CKR.USER_ALREADY_LOGGED_IN || rv === CKR.USER_ANOTHER_ALREADY_LOGGED_IN;
}

export function loginRefusalOf(rv: number): LoginRefusal | TokenFailureReason | null {
  switch (rv) {
    case CKR.PIN_INCORRECT:
      return 'wrongPin';
    case CKR.PIN_LOCKED:
      return 'pinLocked';
    case CKR.PIN_LEN_RANGE:
      return 'pinLenRange';
    // Characters the token does not accept in a PIN.
    case CKR.PIN_INVALID:
      return 'pinInvalid';
    case CKR.PIN_EXPIRED:
      return 'pinExpired';
    case CKR.USER_PIN_NOT_INITIALIZED:
      return 'pinNotInitialized';
    default:
      return tokenFailureOf(rv);
  }
}

export function keyUseRefusalOf(rv: number): KeyUseRefusal | TokenFailureReason | null {
  switch (rv) {
    case CKR.USER_NOT_LOGGED_IN:
      return 'notLoggedIn';
    case CKR.KEY_FUNCTION_NOT_PERMITTED:
      return 'keyUsageNotPermitted';
    case CKR.KEY_TYPE_INCONSISTENT:
      return 'keyTypeMismatch';
    case CKR.MECHANISM_INVALID:
      return 'mechanismNotSupported';
    default:
      return tokenFailureOf(rv);
  }
}

/** C_Decrypt's own outcome: the ciphertext was not made for this key (v2.40 §5.9). */
export function decryptRefusalOf(rv: number): KeyUseRefusal | TokenFailureReason | 'encryptedDataInvalid' | null {
  if (rv === CKR.ENCRYPTED_DATA_INVALID || rv === CKR.ENCRYPTED_DATA_LEN_RANGE) return 'encryptedDataInvalid';
  return keyUseRefusalOf(rv);
}

export function objectWriteRefusalOf(rv: number): ObjectWriteRefusal | TokenFailureReason | null {
  switch (rv) {
    case CKR.USER_NOT_LOGGED_IN:
      return 'notLoggedIn';
    case CKR.TOKEN_WRITE_PROTECTED:
    case CKR.SESSION_READ_ONLY:
      return 'tokenWriteProtected';
    default:
      return tokenFailureOf(rv);
  }
}

/** C_GenerateKeyPair's own outcomes: the token cannot make this kind or size of key (v2.40 §5.14). */
export function keyGenerationRefusalOf(rv: number): KeyGenerationRefusal | TokenFailureReason | null {
  switch (rv) {
    case CKR.MECHANISM_INVALID:
      return 'mechanismNotSupported';
    case CKR.KEY_SIZE_RANGE:
    case CKR.CURVE_NOT_SUPPORTED:
      return 'keySizeNotSupported';
    default:
      return objectWriteRefusalOf(rv);
  }
}
