/**
 * Comparing secrets and MACs: PINs, PUKs, management-key witnesses and challenge responses,
 * unblock code checks, access tokens. `===` and Buffer.equals stop at the first differing byte,
 * so the time they take tells an attacker how much of a guess was right; this comparison takes
 * the same time for every value of a given length. It lives in the lowest layer so the card,
 * the virtual card, the services, the host and the CLI all use the same one.
 */
import { timingSafeEqual } from 'node:crypto';

/**
 * True when `a` and `b` hold the same bytes. A length mismatch is false without looking at the
 * contents (the length of a secret is not what these comparisons protect).
 */
export function equalSecrets(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
