import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { managementKeyCipher } from '../../smartcard/management-key';
import type { SymmetricAlgorithm } from '../../smartcard/piv';
import { challengeCode, parseChallengeCode, parseResponseCode, responseCode } from './unblock-codes';

const keyLength: Record<SymmetricAlgorithm, number> = { tdes: 24, aes128: 16, aes192: 24, aes256: 32 };

/** Changes one character of a code to another valid one. */
function typo(code: string, at: number): string {
  const chars = [...code.replace(/-/g, '')];
  chars[at] = chars[at] === 'A' ? 'B' : 'A';
  return chars.join('');
}

describe('offline unblock codes', () => {
  for (const algorithm of ['tdes', 'aes128', 'aes192', 'aes256'] as const) {
    it(`carries a ${algorithm} challenge and its response both ways, in groups of four`, () => {
      const key = randomBytes(keyLength[algorithm]);
      const challenge = randomBytes(algorithm === 'tdes' ? 8 : 16);
      const code = challengeCode('12345678', { algorithm, challenge });
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{1,4}(-[0-9A-HJKMNP-TV-Z]{1,4})+$/);
      const parsed = parseChallengeCode('12345678', code.toLowerCase().replace(/-/g, ' '));
      expect(parsed).toEqual({ ok: true, value: { algorithm, challenge: Uint8Array.from(challenge) } });
      if (!parsed.ok) return;
      const answer = responseCode(key, parsed.value);
      const response = parseResponseCode({ algorithm, challenge }, answer);
      expect(response).toEqual({ ok: true, value: Uint8Array.from(managementKeyCipher(algorithm, key, challenge, 'encrypt')) });
    });
  }

  it('reads O as 0 and I or L as 1', () => {
    const challenge = Buffer.alloc(16);
    const code = challengeCode('7', { algorithm: 'aes128', challenge });
    const sloppy = code.replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseChallengeCode('7', sloppy).ok).toBe(true);
  });

  // Fixed values: a two-byte check misses one typo in 65,536, so random ones would make the test flaky.
  const fixedChallenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

  it('catches a typo anywhere in the challenge, and a challenge of another card', () => {
    const code = challengeCode('12345678', { algorithm: 'aes128', challenge: fixedChallenge });
    const length = code.replace(/-/g, '').length;
    for (let at = 1; at < length - 1; at += 1) expect(parseChallengeCode('12345678', typo(code, at)).ok).toBe(false);
    expect(parseChallengeCode('12345679', code)).toEqual({ ok: false, problem: 'check' });
  });

  it('catches a typo in the response and the response to another challenge', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const challenge = { algorithm: 'aes128' as const, challenge: fixedChallenge };
    const answer = responseCode(key, challenge);
    for (let at = 0; at < answer.replace(/-/g, '').length - 1; at += 1) expect(parseResponseCode(challenge, typo(answer, at)).ok).toBe(false);
    expect(parseResponseCode({ algorithm: 'aes128', challenge: Buffer.alloc(16) }, answer)).toEqual({ ok: false, problem: 'check' });
  });

  it('calls garbage malformed', () => {
    for (const junk of ['', '----', 'UUUU', 'hello world', '0000']) expect(parseChallengeCode('1', junk)).toEqual({ ok: false, problem: 'malformed' });
    expect(parseResponseCode({ algorithm: 'tdes', challenge: randomBytes(8) }, 'ABCD')).toEqual({ ok: false, problem: 'malformed' });
  });
});
