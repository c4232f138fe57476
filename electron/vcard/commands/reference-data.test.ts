/**
 * The virtual card checks a PIN or PUK in constant time: through the shared equalSecrets helper,
 * on the salted hashes (never the values themselves), whether the guess is right or wrong.
 */
import { describe, expect, it, vi } from 'vitest';
import * as constantTime from '../../smartcard/constant-time';
import { freshCard } from '../../../test/support/memory-card';

vi.mock('../../smartcard/constant-time', async (importOriginal) => {
  const original = await importOriginal<typeof constantTime>();
  return { ...original, equalSecrets: vi.fn(original.equalSecrets) };
});

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');
const swOf = (response: Uint8Array): string => Buffer.from(response.subarray(-2)).toString('hex');

describe('virtual card PIN check', () => {
  it('compares the PIN through equalSecrets, right or wrong', async () => {
    const { card } = await freshCard();
    card.powerOn();
    expect(swOf(await card.transmit(hex('00 a4 04 00 05 a0 00 00 03 08')))).toBe('9000');
    const spy = vi.mocked(constantTime.equalSecrets);
    spy.mockClear();

    // VERIFY PIV PIN with 654321 (wrong), then 123456 (the factory PIN), padded with FF.
    expect(swOf(await card.transmit(hex('00 20 00 80 08 36 35 34 33 32 31 ff ff')))).toBe('63c2');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(swOf(await card.transmit(hex('00 20 00 80 08 31 32 33 34 35 36 ff ff')))).toBe('9000');
    expect(spy).toHaveBeenCalledTimes(2);
    // What is compared is the salted SHA-256 of the PIN, not the PIN.
    for (const [a, b] of spy.mock.calls) {
      expect([a.length, b.length]).toEqual([32, 32]);
      expect(Buffer.from(a as Uint8Array).includes(Buffer.from('123456'))).toBe(false);
    }
    expect(spy.mock.results.map((result) => result.value as boolean)).toEqual([false, true]);
  });

  it('compares the PUK the same way when it unblocks the PIN', async () => {
    const { card } = await freshCard();
    card.powerOn();
    await card.transmit(hex('00 a4 04 00 05 a0 00 00 03 08'));
    const spy = vi.mocked(constantTime.equalSecrets);
    spy.mockClear();
    // RESET RETRY COUNTER: PUK 12345678, new PIN 111111.
    expect(swOf(await card.transmit(hex('00 2c 00 80 10 31 32 33 34 35 36 37 38 31 31 31 31 31 31 ff ff')))).toBe('9000');
    expect(spy.mock.results[0]?.value).toBe(true);
  });
});
