/**
 * GENERAL AUTHENTICATE (SP 800-73-4 Part 2 §3.2.4): the card management key's challenge-response
 * (mutual and external authentication, 3DES and AES), and the private-key operations of the
 * asymmetric slots (RSA signature/decryption, ECDSA, ECDH) under each slot's PIN policy.
 */
import { randomBytes } from 'node:crypto';
import { ALG, asymmetricAlgorithmOf, asymmetricAlgorithms, AUTH, MANAGEMENT_KEY_REF, slotByKeyRef, symmetricAlgorithmOf, symmetricAlgorithms } from '../../smartcard/piv';
import { equalSecrets } from '../../smartcard/constant-time';
import { SW } from '../../smartcard/status-words';
import { decodeTlvs, encodeTlv, TlvError, type Tlv } from '../../smartcard/tlv';
import { managementKeyCipher as blockCipher } from '../../smartcard/management-key';
import { ecdh, ecdsaSignDigest, modulusLength, privateKeyFromPkcs8, rsaRaw } from '../card-crypto';
import { fail, type CommandContext, type Command } from '../command-context';

function template(data: Uint8Array): Map<number, Uint8Array> {
  let outer: Tlv[];
  let inner: Tlv[];
  try {
    outer = decodeTlvs(data);
    if (outer.length !== 1 || outer[0]?.tag !== AUTH.TEMPLATE) fail(SW.INCORRECT_DATA);
    inner = decodeTlvs(outer[0].value);
  } catch (error) {
    if (error instanceof TlvError) fail(SW.INCORRECT_DATA);
    throw error;
  }
  return new Map(inner.map((tlv) => [tlv.tag, tlv.value]));
}

function managementKey(runtime: CommandContext, command: Command, parts: Map<number, Uint8Array>): Uint8Array {
  const { session, state } = runtime;
  // P1 = 00 is the SP 800-73-1 era identifier for 3DES; hosts still use it to ask for a random
  // challenge (OpenSC's GET CHALLENGE), so it stands for "the management key's own algorithm".
  const algorithm = command.p1 === ALG.TDES_LEGACY ? state.managementKey.algorithm : symmetricAlgorithmOf(command.p1);
  if (algorithm === undefined || algorithm !== state.managementKey.algorithm) fail(SW.INCORRECT_P1P2);
  const key = Buffer.from(state.managementKey.key, 'hex');
  const block = symmetricAlgorithms[algorithm].blockLength;
  const witness = parts.get(AUTH.WITNESS);
  const challenge = parts.get(AUTH.CHALLENGE);
  const response = parts.get(AUTH.RESPONSE);
  session.managementKeyAuthenticated = false;

  if (witness?.length === 0 && challenge === undefined) {
    // Mutual authentication, step 1: give the host an encrypted witness.
    const plain = randomBytes(block);
    session.pendingWitness = plain;
    return encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.WITNESS, blockCipher(algorithm, key, plain, 'encrypt')));
  }
  if (witness !== undefined && challenge !== undefined && challenge.length === block) {
    // Mutual authentication, step 2: the host proves it decrypted the witness; the card answers its challenge.
    const expected = session.pendingWitness;
    session.pendingWitness = null;
    if (expected === null || !equalSecrets(expected, witness)) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
    session.managementKeyAuthenticated = true;
    return encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.RESPONSE, blockCipher(algorithm, key, challenge, 'encrypt')));
  }
  if (challenge?.length === 0 && response === undefined) {
    // External authentication, step 1: give the host a challenge.
    const plain = randomBytes(block);
    session.pendingChallenge = plain;
    return encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.CHALLENGE, plain));
  }
  if (response !== undefined && response.length === block && challenge === undefined) {
    // External authentication, step 2: the host encrypted the challenge with the key.
    const expected = session.pendingChallenge;
    session.pendingChallenge = null;
    if (expected === null || !equalSecrets(blockCipher(algorithm, key, expected, 'encrypt'), response)) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
    session.managementKeyAuthenticated = true;
    return new Uint8Array(0);
  }
  fail(SW.INCORRECT_DATA);
}

function privateKeyOperation(runtime: CommandContext, command: Command, parts: Map<number, Uint8Array>): Uint8Array {
  const { session, state } = runtime;
  const slot = slotByKeyRef(command.p2);
  if (slot === undefined) fail(SW.INCORRECT_P1P2);
  const stored = state.keys[slot.slot];
  if (stored === undefined) fail(SW.REFERENCED_DATA_NOT_FOUND);
  if (asymmetricAlgorithmOf(command.p1) !== stored.algorithm) fail(SW.INCORRECT_P1P2);
  if (parts.get(AUTH.RESPONSE)?.length !== 0) fail(SW.INCORRECT_DATA);

  // The slot's PIN policy (Part 1 Table 4b): "always" consumes the verification it used.
  if (stored.pinPolicy === 'always' && !session.pinFreshForAlways) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (stored.pinPolicy === 'once' && !session.pinVerified) fail(SW.SECURITY_STATUS_NOT_SATISFIED);

  const key = privateKeyFromPkcs8(stored.privateKey);
  const input = parts.get(AUTH.CHALLENGE);
  const peer = parts.get(AUTH.EXPONENTIATION);
  let result: Uint8Array;
  if (asymmetricAlgorithms[stored.algorithm].kind === 'rsa') {
    if (input === undefined || input.length !== modulusLength(key)) fail(SW.INCORRECT_DATA);
    result = rsaRaw(key, input);
  } else if (input !== undefined) {
    // A digest longer than the curve order is truncated by the host (FIPS 186-4 §6.4).
    if (input.length === 0 || input.length > modulusLength(key)) fail(SW.INCORRECT_DATA);
    result = ecdsaSignDigest(key, input);
  } else if (peer !== undefined) {
    try {
      result = ecdh(key, peer);
    } catch {
      fail(SW.INCORRECT_DATA);
    }
  } else {
    fail(SW.INCORRECT_DATA);
  }
  if (stored.pinPolicy === 'always') session.pinFreshForAlways = false;
  return encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.RESPONSE, result));
}

export function generalAuthenticate(runtime: CommandContext, command: Command): Uint8Array {
  const parts = template(command.data);
  return command.p2 === MANAGEMENT_KEY_REF ? managementKey(runtime, command, parts) : privateKeyOperation(runtime, command, parts);
}
