/** The objects an issuer writes, checked byte for byte against SP 800-73-4 Part 1 (Tables 8, 9, 10, 18, 19). */
import { describe, expect, it } from 'vitest';
import { cardCapabilityContainer, certificateObject, chuid, DISCOVERY_OBJECT, keyHistory } from './piv-objects';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('PIV data objects', () => {
  it('CHUID: FASC-N, GUID, expiration, empty signature and error detection code', () => {
    const guid = Buffer.alloc(16, 0xab);
    expect(hex(chuid(guid, new Date('2036-05-04T00:00:00Z')))).toBe(
      `3019d4e739da739ced39ce739d836858210842108421c84210c3eb3410${'ab'.repeat(16)}350832303336303530343e00fe00`,
    );
  });

  it('CCC: card identifier with the GSC-RID, versions 2.1, data model 10, empty tags to FE', () => {
    expect(hex(cardCapabilityContainer(Buffer.alloc(14, 0x11)))).toBe(
      `f015a000000116ff02${'11'.repeat(14)}f10121f20121f300f40100f50110f600f700fa00fb00fc00fd00fe00`,
    );
  });

  it('certificate object, discovery object and key history', () => {
    expect(hex(certificateObject(Uint8Array.of(0x30, 0x00)))).toBe('700230007101 00fe00'.replace(' ', ''));
    expect(hex(DISCOVERY_OBJECT)).toBe('4f0ba0000003080000100001005f2f024000');
    expect(hex(keyHistory(2, 1))).toBe('c10102c20101fe00');
  });
});
