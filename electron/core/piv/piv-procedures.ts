/**
 * Card procedures built on the PIV session (as ykman's piv.py builds on yubikit's piv.py): the
 * multi-command sequences the desk runs against a card, written once and used by issuance,
 * renewal, retirement, the PIN reset and the card actions. Each takes a PivClient that has
 * selected the PIV application; none records or decides anything about the vault.
 */
import { randomInt } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { FACTORY, PIN_REF, type SymmetricAlgorithm } from '../../smartcard/piv';
import { equalSecrets } from '../../smartcard/constant-time';
import type { PivClient, ReferenceCheck } from './piv-client';

/** A management key the card may have; `key` is zeroed by `authenticateWithCandidates`. */
export interface CandidateKey<Source extends string = string> {
  readonly algorithm: SymmetricAlgorithm;
  readonly key: Buffer;
  readonly source: Source;
}

/**
 * Mutual authentication with the first of `candidates` the card takes, tried in order. Returns
 * the candidate's source, or null when the card took none. Every candidate key is zeroed.
 */
export async function authenticateWithCandidates<Source extends string>(client: PivClient, candidates: readonly CandidateKey<Source>[]): Promise<Source | null> {
  try {
    for (const candidate of candidates) {
      if ((await client.authenticateManagementKey(candidate.algorithm, candidate.key)).ok) return candidate.source;
    }
    return null;
  } finally {
    for (const candidate of candidates) candidate.key.fill(0);
  }
}

/**
 * New PIN and PUK with new retry limits, from any state the card may be in: the PIN is first put
 * back to the factory value with the management key (after an earlier, stopped run set one nobody
 * knows), then SET PIN RETRIES (which also restores the factory PUK), then both are changed.
 * Needs the management key authenticated.
 */
export async function setPinAndPuk(client: PivClient, pin: Uint8Array, puk: Uint8Array, pinTries: number, pukTries: number): Promise<void> {
  const factoryPin = Buffer.from(FACTORY.PIN);
  const factoryPuk = Buffer.from(FACTORY.PUK);
  if ((await client.referenceMetadata(PIN_REF.PIV_PIN))?.isDefault !== true) await client.resetPinWithManagementKey(factoryPin);
  const refused = (): never => {
    throw new CardDeskError('CARD_ERROR', 'The card did not take its new PIN and PUK.');
  };
  if (!(await client.verifyPin(factoryPin)).ok) refused();
  await client.resetRetryLimits(pinTries, pukTries);
  if (!(await client.changePin(factoryPin, pin)).ok) refused();
  if (!(await client.changePuk(factoryPuk, puk)).ok) refused();
}

/**
 * Sets the PIN and PUK retry limits and keeps the PIN and PUK as they are. The vendor command
 * puts both back to their factory values, which other tools leave like that; here both are
 * checked first (so a wrong one changes nothing) and restored afterwards. Needs the management key.
 */
export async function setRetryCounters(
  client: PivClient,
  pinTries: number,
  pukTries: number,
  current: { pin: Uint8Array; puk: Uint8Array },
): Promise<ReferenceCheck & { which?: 'pin' | 'puk' }> {
  const pinCheck = await client.verifyPin(current.pin);
  if (!pinCheck.ok) return { ...pinCheck, which: 'pin' };
  // CHANGE REFERENCE DATA from the PUK to itself proves the PUK without altering it.
  const pukCheck = await client.changePuk(current.puk, current.puk);
  if (!pukCheck.ok) return { ...pukCheck, which: 'puk' };
  await client.resetRetryLimits(pinTries, pukTries);
  const factoryPin = Buffer.from(FACTORY.PIN);
  const factoryPuk = Buffer.from(FACTORY.PUK);
  if (!equalSecrets(factoryPin, current.pin)) {
    const restored = await client.changePin(factoryPin, current.pin);
    if (!restored.ok) throw new CardDeskError('CARD_ERROR', 'The retry limits are set, but the PIN could not be restored; it is the factory PIN now.');
  }
  if (!equalSecrets(factoryPuk, current.puk)) {
    const restored = await client.changePuk(factoryPuk, current.puk);
    if (!restored.ok) throw new CardDeskError('CARD_ERROR', 'The retry limits are set, but the PUK could not be restored; it is the factory PUK now.');
  }
  return { ok: true };
}

/**
 * Puts the PIV application back to its factory state: keys, certificates and data objects gone,
 * PIN, PUK and management key at their factory values. The vendor RESET is allowed only with PIN
 * and PUK blocked, so both are blocked first with random guesses.
 */
export async function factoryReset(client: PivClient): Promise<void> {
  await exhaust('blocking the PIN', (guess) => client.verifyPin(guess));
  await exhaust('blocking the PUK', (guess) => client.unblockPin(guess, guess));
  await client.reset();
}

/** Spends every try of the PIN (or PUK) with random eight-digit guesses until the card reports it blocked. */
async function exhaust(what: string, attempt: (guess: Uint8Array) => Promise<ReferenceCheck>): Promise<void> {
  for (let guard = 0; guard < 64; guard += 1) {
    const guess = Buffer.from(randomInt(0, 100_000_000).toString().padStart(8, '0'));
    const outcome = await attempt(guess);
    if (!outcome.ok && outcome.reason === 'blocked') return;
  }
  throw new CardDeskError('CARD_ERROR', `The card did not block while ${what}.`);
}
