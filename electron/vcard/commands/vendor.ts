/**
 * The remaining vendor extensions of the most common PIV token: GET VERSION, GET SERIAL,
 * SET PIN RETRIES (which, like the real token, puts PIN and PUK back to their factory values),
 * SET MANAGEMENT KEY, and RESET (allowed only once both PIN and PUK are blocked).
 */
import { FACTORY, MANAGEMENT_KEY_REF, PARAM, symmetricAlgorithmOf, symmetricAlgorithms } from '../../smartcard/piv';
import { equalSecrets } from '../../smartcard/constant-time';
import { SW } from '../../smartcard/status-words';
import { factoryReferences, referenceData } from '../card-state';
import { fail, requireManagementKey, type CommandContext, type Command } from '../command-context';
import { factoryObjects } from '../factory';

export function version(runtime: CommandContext): Uint8Array {
  return Uint8Array.from(runtime.state.version);
}

export function serial(runtime: CommandContext): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(runtime.state.serial);
  return out;
}

export function setPinRetries(runtime: CommandContext, command: Command): Uint8Array {
  requireManagementKey(runtime);
  if (!runtime.session.pinVerified) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
  const [pinTries, pukTries] = [command.p1, command.p2];
  if (pinTries < 1 || pinTries > 15 || pukTries < 1 || pukTries > 15) fail(SW.INCORRECT_P1P2);
  runtime.state.pin = referenceData(Buffer.from(FACTORY.PIN), pinTries, true);
  runtime.state.puk = referenceData(Buffer.from(FACTORY.PUK), pukTries, true);
  runtime.session.pinVerified = false;
  runtime.session.pinFreshForAlways = false;
  runtime.commit();
  return new Uint8Array(0);
}

export function setManagementKey(runtime: CommandContext, command: Command): Uint8Array {
  requireManagementKey(runtime);
  const touch = command.p2 === PARAM.SET_MANAGEMENT_KEY_NO_TOUCH || command.p2 === PARAM.SET_MANAGEMENT_KEY_TOUCH;
  if (command.p1 !== PARAM.SET_MANAGEMENT_KEY || !touch) fail(SW.INCORRECT_P1P2);
  const [algorithmId, keyRef, length] = command.data;
  const algorithm = symmetricAlgorithmOf(algorithmId ?? -1);
  const key = command.data.subarray(3);
  if (algorithm === undefined || keyRef !== MANAGEMENT_KEY_REF || length !== key.length || key.length !== symmetricAlgorithms[algorithm].keyLength) {
    fail(SW.INCORRECT_DATA);
  }
  runtime.state.managementKey = {
    algorithm,
    key: Buffer.from(key).toString('hex'),
    isDefault: algorithm === 'tdes' && equalSecrets(key, FACTORY.MANAGEMENT_KEY),
  };
  runtime.commit();
  return new Uint8Array(0);
}

export function reset(runtime: CommandContext): Uint8Array {
  const { state } = runtime;
  if (state.pin.triesLeft !== 0 || state.puk.triesLeft !== 0) fail(SW.CONDITIONS_NOT_SATISFIED);
  runtime.replaceState({ ...state, ...factoryReferences(), keys: {}, objects: factoryObjects() });
  return new Uint8Array(0);
}
