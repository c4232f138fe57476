import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const { equalSecrets } = await import('./constant-time');

describe('equalSecrets', () => {
  afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

  it('is true for the same bytes and false for any differing byte, first or last', () => {
    const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(equalSecrets(secret, Uint8Array.from(secret))).toBe(true);
    for (const at of [0, 7, 15]) {
      const other = Buffer.from(secret);
      other[at] = (other[at] ?? 0) ^ 1;
      expect(equalSecrets(secret, other)).toBe(false);
    }
  });

  it('compares through crypto.timingSafeEqual, so the time does not depend on where the values differ', () => {
    expect(equalSecrets(Buffer.from('123456'), Buffer.from('123457'))).toBe(false);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('answers false for different lengths without comparing contents (timingSafeEqual would throw)', () => {
    expect(equalSecrets(Buffer.from('123456'), Buffer.from('1234567'))).toBe(false);
    expect(equalSecrets(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
    expect(crypto.timingSafeEqual).not.toHaveBeenCalled();
  });

  it('compares strings by their UTF-8 bytes (tokens, typed codes)', () => {
    expect(equalSecrets('tøken', 'tøken')).toBe(true);
    expect(equalSecrets('tøken', 'token')).toBe(false);
    expect(equalSecrets('12345678', Buffer.from('12345678'))).toBe(true);
    expect(equalSecrets('', '')).toBe(true);
  });
});
