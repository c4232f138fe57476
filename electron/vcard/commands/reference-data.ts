/**
 * VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER (SP 800-73-4 Part 2 §3.2.1-3.2.3): real
 * retry counters, 63Cx with the tries left, 6983 once blocked; an empty VERIFY reports the state
 * without spending a try.
 */
import { FACTORY, PARAM, PIN_BLOCK, PIN_REF, unpadPin } from '../../smartcard/piv';
import { SW } from '../../smartcard/status-words';
import { matchesReference, setReference, type ReferenceData } from '../card-state';
import { fail, requireManagementKey, type CommandContext, type Command } from '../command-context';

function failedStatus(reference: ReferenceData): number {
  return reference.triesLeft === 0 ? SW.AUTH_METHOD_BLOCKED : SW.VERIFY_FAILED | reference.triesLeft;
}

/** A PIN or PUK block: 8 bytes, 6 to 8 characters, padded with FF (Part 2 §3.2.1). */
function valueOf(block: Uint8Array | undefined): Uint8Array {
  if (block?.length !== PIN_BLOCK.LENGTH) fail(SW.INCORRECT_DATA);
  const value = unpadPin(block);
  if (value.length < PIN_BLOCK.MIN_LENGTH || block.subarray(value.length).some((byte) => byte !== PIN_BLOCK.PAD)) fail(SW.INCORRECT_DATA);
  return value;
}

/** The two blocks of CHANGE REFERENCE DATA and RESET RETRY COUNTER: current (or PUK) and new value; anything else is incorrect data. */
function twoBlocks(data: Uint8Array): [Uint8Array, Uint8Array] {
  if (data.length !== 2 * PIN_BLOCK.LENGTH) fail(SW.INCORRECT_DATA);
  return [valueOf(data.subarray(0, PIN_BLOCK.LENGTH)), valueOf(data.subarray(PIN_BLOCK.LENGTH))];
}

/** Checks `secret` against `which`, spending a try on failure; ends the command unless it matches. */
function check(runtime: CommandContext, which: 'pin' | 'puk', secret: Uint8Array): void {
  const reference = runtime.state[which];
  if (reference.triesLeft === 0) fail(SW.AUTH_METHOD_BLOCKED);
  if (!matchesReference(reference, secret)) {
    runtime.state[which] = { ...reference, triesLeft: reference.triesLeft - 1 };
    if (which === 'pin') {
      runtime.session.pinVerified = false;
      runtime.session.pinFreshForAlways = false;
    }
    runtime.commit();
    fail(SW.VERIFY_FAILED | (reference.triesLeft - 1));
  }
  if (reference.triesLeft !== reference.maxTries) {
    runtime.state[which] = { ...reference, triesLeft: reference.maxTries };
    runtime.commit();
  }
}

export function verify(runtime: CommandContext, command: Command): Uint8Array {
  const { session } = runtime;
  if (command.p1 === PARAM.VERIFY_RESET_STATUS && command.data.length === 0) {
    // Reset the security status of the PIN (Part 2 §3.2.1, P1 = FF).
    session.pinVerified = false;
    session.pinFreshForAlways = false;
    return new Uint8Array(0);
  }
  if (command.p1 !== PARAM.NONE) fail(SW.INCORRECT_P1P2);
  if (command.p2 === PIN_REF.GLOBAL_PIN) fail(SW.REFERENCED_DATA_NOT_FOUND);
  if (command.p2 !== PIN_REF.PIV_PIN) fail(SW.INCORRECT_P1P2);
  if (command.data.length === 0) {
    if (session.pinVerified) return new Uint8Array(0);
    fail(failedStatus(runtime.state.pin));
  }
  check(runtime, 'pin', valueOf(command.data));
  session.pinVerified = true;
  session.pinFreshForAlways = true;
  return new Uint8Array(0);
}

export function changeReferenceData(runtime: CommandContext, command: Command): Uint8Array {
  if (command.p1 !== PARAM.NONE) fail(SW.INCORRECT_P1P2);
  const which = command.p2 === PIN_REF.PIV_PIN ? 'pin' : command.p2 === PIN_REF.PUK ? 'puk' : fail(SW.INCORRECT_P1P2);
  const [current, next] = twoBlocks(command.data);
  check(runtime, which, current);
  runtime.state[which] = setReference(runtime.state[which], next, which === 'pin' ? FACTORY.PIN : FACTORY.PUK);
  runtime.commit();
  return new Uint8Array(0);
}

/**
 * RESET RETRY COUNTER. P1 = 00 is PIV's: the PUK and the new PIN. P1 = 02 is ISO 7816-4's "new
 * reference data only", which this card allows once the card management key has authenticated in
 * the same session (an administrator's unblock, as smart-card minidrivers do it with their admin
 * key); it is what the desk's PIN reset and the offline challenge-response unblock use.
 */
export function resetRetryCounter(runtime: CommandContext, command: Command): Uint8Array {
  if (command.p2 !== PIN_REF.PIV_PIN) fail(SW.INCORRECT_P1P2);
  let newPin: Uint8Array;
  if (command.p1 === PARAM.NONE) {
    const [puk, pin] = twoBlocks(command.data);
    newPin = pin;
    check(runtime, 'puk', puk);
  } else if (command.p1 === PARAM.RESET_NEW_DATA_ONLY) {
    requireManagementKey(runtime);
    newPin = valueOf(command.data);
  } else {
    fail(SW.INCORRECT_P1P2);
  }
  runtime.state.pin = setReference(runtime.state.pin, newPin, FACTORY.PIN);
  runtime.session.pinVerified = false;
  runtime.session.pinFreshForAlways = false;
  runtime.commit();
  return new Uint8Array(0);
}
