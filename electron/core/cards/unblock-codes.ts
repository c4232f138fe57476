/**
 * The codes of the offline unblock, read aloud or typed between the holder's machine and the desk.
 *
 * The holder's CardDesk asks the blocked card for a management-key challenge (external
 * authentication, SP 800-73-4 Part 2 Appendix A.2) and shows it as a challenge code; the desk,
 * which keeps the card's management key, answers with a response code: the challenge encrypted
 * with that key. Both codes are Crockford base32 (case-insensitive, O/0 and I/L/1 read alike) in
 * groups of four, each ending in a check over what it belongs to, so a typo, a code of another
 * card or the response to another challenge is caught before anything reaches the card (a wrong
 * answer would use up the card's challenge).
 */
import { createHash } from 'node:crypto';
import { base32crockford } from '@scure/base';
import { symmetricAlgorithms, type SymmetricAlgorithm } from '../../smartcard/piv';
import { managementKeyCipher } from '../../smartcard/management-key';
import { equalSecrets } from '../../smartcard/constant-time';

const FORMAT_VERSION = 1;
const ALGORITHMS: readonly SymmetricAlgorithm[] = ['tdes', 'aes128', 'aes192', 'aes256'];
const CHECK_LENGTH = 2;

export type CodeProblem = 'malformed' | 'check';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: CodeProblem };

function check(label: string, ...parts: (string | Uint8Array)[]): Uint8Array {
  const hash = createHash('sha256').update(label);
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest().subarray(0, CHECK_LENGTH);
}

function group(bytes: Uint8Array): string {
  return (base32crockford.encode(bytes).match(/.{1,4}/g) ?? []).join('-');
}

function ungroup(code: string): Uint8Array | null {
  const compact = code.replace(/[\s-]/g, '');
  if (compact.length === 0) return null;
  try {
    return base32crockford.decode(compact.toUpperCase());
  } catch {
    return null;
  }
}

export interface UnblockChallenge {
  readonly algorithm: SymmetricAlgorithm;
  readonly challenge: Uint8Array;
}

/** The code the holder's machine shows: format and algorithm, the card's challenge, a check bound to the card's serial. */
export function challengeCode(serial: string, { algorithm, challenge }: UnblockChallenge): string {
  const head = Uint8Array.of((FORMAT_VERSION << 4) | ALGORITHMS.indexOf(algorithm));
  const body = Buffer.concat([head, challenge]);
  return group(Buffer.concat([body, check('carddesk unblock challenge', serial, body)]));
}

/** Reads a challenge code typed at the desk; `check` means a typo or a code that belongs to another card. */
export function parseChallengeCode(serial: string, code: string): Parsed<UnblockChallenge> {
  const bytes = ungroup(code);
  if (bytes === null || bytes.length < 1 + CHECK_LENGTH) return { ok: false, problem: 'malformed' };
  const head = bytes[0] ?? 0;
  // The head byte: format version in the high nibble, the algorithm's index in the low one.
  const algorithm = ALGORITHMS[head & 0x0f];
  if (head >> 4 !== FORMAT_VERSION || algorithm === undefined) return { ok: false, problem: 'malformed' };
  const body = bytes.subarray(0, bytes.length - CHECK_LENGTH);
  if (body.length !== 1 + symmetricAlgorithms[algorithm].blockLength) return { ok: false, problem: 'malformed' };
  if (!equalSecrets(bytes.subarray(body.length), check('carddesk unblock challenge', serial, body))) return { ok: false, problem: 'check' };
  return { ok: true, value: { algorithm, challenge: Uint8Array.from(body.subarray(1)) } };
}

/** The desk's answer: the challenge encrypted with the card's management key, and a check bound to the challenge. */
export function responseCode(key: Uint8Array, { algorithm, challenge }: UnblockChallenge): string {
  const response = managementKeyCipher(algorithm, key, challenge, 'encrypt');
  return group(Buffer.concat([response, check('carddesk unblock response', challenge, response)]));
}

/** Reads the response code the holder types; `check` means a typo or the answer to another challenge. */
export function parseResponseCode({ algorithm, challenge }: UnblockChallenge, code: string): Parsed<Uint8Array> {
  const bytes = ungroup(code);
  const length = symmetricAlgorithms[algorithm].blockLength;
  if (bytes?.length !== length + CHECK_LENGTH) return { ok: false, problem: 'malformed' };
  const response = bytes.subarray(0, length);
  if (!equalSecrets(bytes.subarray(length), check('carddesk unblock response', challenge, response))) return { ok: false, problem: 'check' };
  return { ok: true, value: Uint8Array.from(response) };
}
