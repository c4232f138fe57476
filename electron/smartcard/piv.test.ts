import { describe, expect, it } from 'vitest';
import { dataWrapperTag, KEY_ORIGIN, OBJECT, PIN_POLICY, policyOf, SLOTS, slotByName, TOUCH_POLICY } from './piv';
import { tagBytes } from './tlv';

describe('PIV constants', () => {
  it('maps each key slot to its key reference and certificate object (SP 800-73-4 Part 1 Table 4b)', () => {
    const table = SLOTS.map((slot) => `${slot.slot}:${slot.keyRef.toString(16)}:${slot.certificateTag.toString(16)}`);
    expect(table.slice(0, 4)).toEqual(['9A:9a:5fc105', '9C:9c:5fc10a', '9D:9d:5fc10b', '9E:9e:5fc101']);
    expect(table.slice(4)).toHaveLength(20);
    expect(table[4]).toBe('82:82:5fc10d');
    expect(table.at(-1)).toBe('95:95:5fc120');
    expect(slotByName('9c')?.defaultPinPolicy).toBe('always');
    expect(slotByName('9e')?.defaultPinPolicy).toBe('never');
  });

  it('wraps object content in 53 except for the discovery object and the biometric group template', () => {
    expect(dataWrapperTag(OBJECT.CHUID)).toBe(0x53);
    expect(dataWrapperTag(OBJECT.ATTESTATION_CERTIFICATE)).toBe(0x53);
    expect(dataWrapperTag(OBJECT.DISCOVERY)).toBe(0x7e);
    expect(dataWrapperTag(OBJECT.BIOMETRIC_GROUP_TEMPLATE)).toBe(0x7f61);
  });

  it('reads policy and origin bytes the way the vendor writes them; 00 and unknown bytes are no policy', () => {
    expect([1, 2, 3].map((value) => policyOf(PIN_POLICY, value))).toEqual(['never', 'once', 'always']);
    expect([1, 2, 3].map((value) => policyOf(TOUCH_POLICY, value))).toEqual(['never', 'always', 'cached']);
    expect(policyOf(PIN_POLICY, 0)).toBeUndefined();
    expect(policyOf(PIN_POLICY, 9)).toBeUndefined();
    expect(KEY_ORIGIN).toEqual({ generated: 1, imported: 2 });
  });

  it('writes object tags in a GET DATA tag list with one to three bytes', () => {
    expect(tagBytes(OBJECT.CHUID)).toEqual([0x5f, 0xc1, 0x02]);
    expect(tagBytes(OBJECT.BIOMETRIC_GROUP_TEMPLATE)).toEqual([0x7f, 0x61]);
    expect(tagBytes(OBJECT.DISCOVERY)).toEqual([0x7e]);
  });
});
