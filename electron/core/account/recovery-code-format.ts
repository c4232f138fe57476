/**
 * The Emergency Recovery Code as the holder reads and types it: 23 random Crockford base32
 * characters (115 bits) and one check character, in six groups of four, e.g.
 * `7K3M-Q9TX-2HBD-R4WN-8FJC-PZ6V`. Only digits and capital letters (no I, L, O, U), no symbols.
 *
 * The check character is a weighted sum over GF(32) (the field of 32 elements, built on the
 * primitive polynomial x⁵ + x² + 1): character i (from 0, its value as an element) is multiplied by
 * α^(i+1), and the sum is the check. Because every weight is a distinct non-zero element, any
 * single wrong character changes the sum; swapping two different characters at positions i and j
 * changes it by (a + b)(α^i + α^j), never zero while i ≠ j mod 31, so every transposition
 * (adjacent or not, the check character included) is caught too. The check is tested before
 * anything is looked up.
 */
import { randomInt } from 'node:crypto';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_DATA_CHARS = 23;
export const RECOVERY_CODE_CHARS = RECOVERY_DATA_CHARS + 1;
/** Bits of entropy in a recovery code. */
export const RECOVERY_CODE_BITS = RECOVERY_DATA_CHARS * 5;

/** x⁵ + x² + 1. */
const POLY = 0b100101;

function gfMul(a: number, b: number): number {
  let product = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if ((y & 1) === 1) product ^= x;
    y >>= 1;
    x <<= 1;
    if ((x & 0b100000) !== 0) x ^= POLY;
  }
  return product;
}

/** α^1 … α^RECOVERY_DATA_CHARS, α = x (2). */
const WEIGHTS: readonly number[] = (() => {
  const weights: number[] = [];
  let power = 1;
  for (let i = 0; i < RECOVERY_DATA_CHARS; i += 1) {
    power = gfMul(power, 2);
    weights.push(power);
  }
  return weights;
})();

function checkValue(values: readonly number[]): number {
  let sum = 0;
  for (const [i, value] of values.entries()) sum ^= gfMul(value, WEIGHTS[i]!);
  return sum;
}

/** The check character of 23 data characters (Crockford, upper case). */
export function checkCharacter(data: string): string {
  if (data.length !== RECOVERY_DATA_CHARS) throw new Error('a recovery code has 23 data characters');
  return CROCKFORD[checkValue([...data].map((c) => CROCKFORD.indexOf(c)))]!;
}

/** Groups of four with dashes, as printed. */
export function formatRecoveryCode(compact: string): string {
  return compact.replace(/(.{4})(?=.)/g, '$1-');
}

/** A new random code (crypto.randomInt), compact: 24 characters. */
export function newRecoveryCode(): string {
  let data = '';
  for (let i = 0; i < RECOVERY_DATA_CHARS; i += 1) data += CROCKFORD[randomInt(0, 32)];
  return data + checkCharacter(data);
}

export type ParsedRecoveryCode = { ok: true; code: string } | { ok: false; problem: 'malformed' | 'check' };

/**
 * What the holder typed, normalised as Crockford reads it (any case; spaces and dashes ignored;
 * I and L read as 1, O as 0) and checked: `malformed` when a character is not in the alphabet or
 * the length is wrong, `check` when the check character does not match (a mistyped character).
 */
export function parseRecoveryCode(typed: string): ParsedRecoveryCode {
  const compact = typed
    .toUpperCase()
    .replace(/[\s\-‐‑–—]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (compact.length !== RECOVERY_CODE_CHARS || [...compact].some((c) => !CROCKFORD.includes(c))) return { ok: false, problem: 'malformed' };
  if (checkCharacter(compact.slice(0, RECOVERY_DATA_CHARS)) !== compact.slice(RECOVERY_DATA_CHARS)) return { ok: false, problem: 'check' };
  return { ok: true, code: compact };
}
