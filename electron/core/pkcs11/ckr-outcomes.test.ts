import { describe, expect, it } from 'vitest';
import { CKR } from './ck';
import {
  decryptRefusalOf,
  isAlreadyLoggedIn,
  isHandleStale,
  isSessionLost,
  keyGenerationRefusalOf,
  keyUseRefusalOf,
  loginRefusalOf,
  objectWriteRefusalOf,
  tokenFailureOf,
} from './ckr-outcomes';

describe('CK_RV values a person can act on', () => {
  it('token and session failures are the same for every operation', () => {
    const expected = [
      [CKR.TOKEN_NOT_PRESENT, 'tokenNotPresent'],
      [CKR.DEVICE_REMOVED, 'tokenRemoved'],
      [CKR.TOKEN_NOT_RECOGNIZED, 'tokenNotRecognized'],
      [CKR.SLOT_ID_INVALID, 'slotNotFound'],
      [CKR.SESSION_HANDLE_INVALID, 'sessionClosed'],
      [CKR.SESSION_CLOSED, 'sessionClosed'],
      [CKR.FUNCTION_CANCELED, 'cancelled'],
    ] as const;
    for (const map of [tokenFailureOf, loginRefusalOf, keyUseRefusalOf, decryptRefusalOf, objectWriteRefusalOf, keyGenerationRefusalOf]) {
      for (const [rv, reason] of expected) expect(map(rv), `${map.name}(${rv})`).toBe(reason);
    }
  });

  it('C_Login: PIN outcomes', () => {
    expect(loginRefusalOf(CKR.PIN_INCORRECT)).toBe('wrongPin');
    expect(loginRefusalOf(CKR.PIN_LOCKED)).toBe('pinLocked');
    expect(loginRefusalOf(CKR.PIN_LEN_RANGE)).toBe('pinLenRange');
    expect(loginRefusalOf(CKR.PIN_INVALID)).toBe('pinInvalid');
    expect(loginRefusalOf(CKR.PIN_EXPIRED)).toBe('pinExpired');
    expect(loginRefusalOf(CKR.USER_PIN_NOT_INITIALIZED)).toBe('pinNotInitialized');
  });

  it('"already logged in" is never a successful PIN check: the worker logs out and tries again', () => {
    expect(isAlreadyLoggedIn(CKR.USER_ALREADY_LOGGED_IN)).toBe(true);
    expect(isAlreadyLoggedIn(CKR.USER_ANOTHER_ALREADY_LOGGED_IN)).toBe(true);
    expect(loginRefusalOf(CKR.USER_ALREADY_LOGGED_IN)).toBeNull();
  });

  it('key use: login, usage, key type, mechanism; decryption adds foreign ciphertext', () => {
    expect(keyUseRefusalOf(CKR.USER_NOT_LOGGED_IN)).toBe('notLoggedIn');
    expect(keyUseRefusalOf(CKR.KEY_FUNCTION_NOT_PERMITTED)).toBe('keyUsageNotPermitted');
    expect(keyUseRefusalOf(CKR.KEY_TYPE_INCONSISTENT)).toBe('keyTypeMismatch');
    expect(keyUseRefusalOf(CKR.MECHANISM_INVALID)).toBe('mechanismNotSupported');
    expect(keyUseRefusalOf(CKR.ENCRYPTED_DATA_INVALID)).toBeNull();
    expect(decryptRefusalOf(CKR.ENCRYPTED_DATA_INVALID)).toBe('encryptedDataInvalid');
    expect(decryptRefusalOf(CKR.ENCRYPTED_DATA_LEN_RANGE)).toBe('encryptedDataInvalid');
  });

  it('writing objects and generating keys', () => {
    expect(objectWriteRefusalOf(CKR.USER_NOT_LOGGED_IN)).toBe('notLoggedIn');
    expect(objectWriteRefusalOf(CKR.TOKEN_WRITE_PROTECTED)).toBe('tokenWriteProtected');
    expect(objectWriteRefusalOf(CKR.SESSION_READ_ONLY)).toBe('tokenWriteProtected');
    expect(objectWriteRefusalOf(CKR.MECHANISM_INVALID)).toBeNull();
    expect(keyGenerationRefusalOf(CKR.MECHANISM_INVALID)).toBe('mechanismNotSupported');
    expect(keyGenerationRefusalOf(CKR.KEY_SIZE_RANGE)).toBe('keySizeNotSupported');
    expect(keyGenerationRefusalOf(CKR.CURVE_NOT_SUPPORTED)).toBe('keySizeNotSupported');
  });

  it('leaves everything else an error (it is a bug or a broken token, not a choice for a person)', () => {
    for (const rv of [CKR.GENERAL_ERROR, CKR.DEVICE_ERROR, CKR.ARGUMENTS_BAD, CKR.CRYPTOKI_NOT_INITIALIZED, CKR.DATA_LEN_RANGE, CKR.PIN_INCORRECT]) {
      expect(keyUseRefusalOf(rv)).toBeNull();
      expect(objectWriteRefusalOf(rv)).toBeNull();
    }
    expect(loginRefusalOf(CKR.GENERAL_ERROR)).toBeNull();
    expect(loginRefusalOf(CKR.USER_NOT_LOGGED_IN)).toBeNull();
  });

  it('knows which failures are worth one retry', () => {
    expect(isSessionLost(CKR.SESSION_HANDLE_INVALID)).toBe(true);
    expect(isSessionLost(CKR.SESSION_CLOSED)).toBe(true);
    expect(isSessionLost(CKR.DEVICE_REMOVED)).toBe(false);
    expect(isHandleStale(CKR.OBJECT_HANDLE_INVALID)).toBe(true);
    expect(isHandleStale(CKR.KEY_HANDLE_INVALID)).toBe(true);
    expect(isHandleStale(CKR.SESSION_HANDLE_INVALID)).toBe(false);
  });
});
