import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { CKA, CKC, CKF, CKG, CKK, CKM, CKO, CKR, ckrName, CKU, PKCS11JS_PARAMS_RSA_PSS } from './ck';

/** Values CardDesk takes from PKCS#11 v2.40 that pkcs11js 2.1.7's table does not have. */
const notInPkcs11js = new Set(['CKR_CURVE_NOT_SUPPORTED', 'CKA_PUBLIC_KEY_INFO']);

const table = pkcs11js as unknown as Record<string, unknown>;

describe('the PKCS#11 constants', () => {
  it.each([
    ['CKR', CKR],
    ['CKA', CKA],
    ['CKM', CKM],
    ['CKO', CKO],
    ['CKK', CKK],
    ['CKC', CKC],
    ['CKU', CKU],
    ['CKG', CKG],
  ] as const)('%s matches pkcs11js value for value', (prefix, constants) => {
    for (const [name, value] of Object.entries(constants)) {
      const full = `${prefix}_${name}`;
      if (notInPkcs11js.has(full)) continue;
      expect(table[full], full).toBe(value);
    }
  });

  it('CKF matches pkcs11js (slot, token, session and C_Initialize flags share the prefix)', () => {
    for (const [name, value] of Object.entries(CKF)) expect(table[`CKF_${name}`], `CKF_${name}`).toBe(value);
  });

  it('keeps the two values pkcs11js lacks at their v2.40 values', () => {
    expect(CKR.CURVE_NOT_SUPPORTED).toBe(0x140);
    expect(CKA.PUBLIC_KEY_INFO).toBe(0x129);
  });

  it("uses pkcs11js's own tag for RSA-PSS parameters", () => {
    expect(PKCS11JS_PARAMS_RSA_PSS).toBe(table['CK_PARAMS_RSA_PSS']);
  });

  it('names return values, known or not', () => {
    expect(ckrName(0xa0)).toBe('CKR_PIN_INCORRECT');
    expect(ckrName(0x80000001)).toBe('CKR_0x80000001');
  });
});
