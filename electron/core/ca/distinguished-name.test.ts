import { describe, expect, it } from 'vitest';
import { decodeName, encodeDn, formatDn, parseDn } from './distinguished-name';

describe('distinguished names', () => {
  it('round-trips names with escapes and non-ASCII values', () => {
    const text = 'CN=Ëndrit Çelaj, SERIALNUMBER=1234567890, OU=Help\\, desk, O=Komuna e Prishtinës, C=XK';
    expect(formatDn(decodeName(encodeDn(text)))).toBe(text);
  });

  it('accepts long attribute names and email', () => {
    expect(parseDn('commonName=Ada, emailAddress=ada@example.org')).toEqual([
      { type: 'CN', value: 'Ada' },
      { type: 'E', value: 'ada@example.org' },
    ]);
  });

  it.each(['', 'CN', 'XX=1', 'C=Kosovo', 'CN=', 'SERIALNUMBER=ë'])('refuses %j with a clear message', (text) => {
    expect(() => parseDn(text)).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});
