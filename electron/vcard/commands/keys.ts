/**
 * Key management: GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 §3.3.2) and the vendor
 * extensions IMPORT KEY, ATTEST and GET METADATA of the most common PIV token, so its tools
 * (and CardDesk's client) can manage this card too.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  ALG,
  asymmetricAlgorithmOf,
  asymmetricAlgorithms,
  ATTESTATION_EXTENSION,
  FORM_FACTOR_UNSPECIFIED,
  IMPORT_KEY,
  KEY_CONTROL,
  KEY_ORIGIN,
  MANAGEMENT_KEY_REF,
  METADATA,
  METADATA_FLAG,
  PARAM,
  PIN_POLICY,
  PIN_REF,
  POLICY_DEFAULT,
  policyOf,
  PUBLIC_KEY,
  slotByKeyRef,
  symmetricAlgorithms,
  TOUCH_POLICY,
  type AsymmetricAlgorithm,
  type PinPolicy,
} from '../../smartcard/piv';
import { SW } from '../../smartcard/status-words';
import { concatBytes, decodeTlvs, encodeTlv, TlvError } from '../../smartcard/tlv';
import { ecKeyFromScalar, generateCardKey, privateKeyFromPkcs8, privateKeyToPkcs8, publicKeyTemplate, rsaKeyFromCrt } from '../card-crypto';
import type { SlotKey } from '../card-state';
import { fail, requireManagementKey, type CommandContext, type Command } from '../command-context';
import { buildCertificate, derIntegerWithSignByte } from '../certificate-builder';

function policyName<T extends Record<string, number>>(table: T, value: number | undefined, fallback: keyof T): keyof T {
  if (value === undefined || value === POLICY_DEFAULT) return fallback;
  return policyOf(table, value) ?? fail(SW.INCORRECT_DATA);
}

function keySlot(keyRef: number): ReturnType<typeof slotByKeyRef> & object {
  const slot = slotByKeyRef(keyRef);
  return slot ?? fail(SW.INCORRECT_P1P2);
}

function tlvs(data: Uint8Array): Map<number, Uint8Array> {
  try {
    return new Map(decodeTlvs(data).map((tlv) => [tlv.tag, tlv.value]));
  } catch (error) {
    if (error instanceof TlvError) fail(SW.INCORRECT_DATA);
    throw error;
  }
}

function policies(slotDefault: PinPolicy, parts: Map<number, Uint8Array>): Pick<SlotKey, 'pinPolicy' | 'touchPolicy'> {
  return {
    pinPolicy: policyName(PIN_POLICY, parts.get(KEY_CONTROL.PIN_POLICY)?.[0], slotDefault),
    touchPolicy: policyName(TOUCH_POLICY, parts.get(KEY_CONTROL.TOUCH_POLICY)?.[0], 'never'),
  };
}

export async function generateKeyPair(runtime: CommandContext, command: Command): Promise<Uint8Array> {
  requireManagementKey(runtime);
  if (command.p1 !== PARAM.NONE) fail(SW.INCORRECT_P1P2);
  const slot = keySlot(command.p2);
  const control = tlvs(command.data).get(KEY_CONTROL.TEMPLATE);
  if (control === undefined) fail(SW.INCORRECT_DATA);
  const parts = tlvs(control);
  const algorithm = asymmetricAlgorithmOf(parts.get(KEY_CONTROL.ALGORITHM)?.[0] ?? -1);
  if (algorithm === undefined) fail(SW.INCORRECT_DATA);
  const privateKey = await generateCardKey(algorithm);
  runtime.state.keys[slot.slot] = { algorithm, origin: 'generated', ...policies(slot.defaultPinPolicy, parts), privateKey: privateKeyToPkcs8(privateKey) };
  runtime.commit();
  return encodeTlv(PUBLIC_KEY.TEMPLATE, publicKeyTemplate(privateKey));
}

export function importKey(runtime: CommandContext, command: Command): Uint8Array {
  requireManagementKey(runtime);
  const slot = keySlot(command.p2);
  const algorithm: AsymmetricAlgorithm = asymmetricAlgorithmOf(command.p1) ?? fail(SW.INCORRECT_P1P2);
  const parts = tlvs(command.data);
  let privateKey;
  try {
    if (asymmetricAlgorithms[algorithm].kind === 'rsa') {
      const [p, q, dp, dq, qinv] = [IMPORT_KEY.P, IMPORT_KEY.Q, IMPORT_KEY.DP, IMPORT_KEY.DQ, IMPORT_KEY.QINV].map((tag) => parts.get(tag));
      if (p === undefined || q === undefined || dp === undefined || dq === undefined || qinv === undefined) fail(SW.INCORRECT_DATA);
      privateKey = rsaKeyFromCrt({ p, q, dp, dq, qinv });
      if (privateKey.asymmetricKeyDetails?.modulusLength !== asymmetricAlgorithms[algorithm].bits) fail(SW.INCORRECT_DATA);
    } else {
      const scalar = parts.get(IMPORT_KEY.EC_PRIVATE) ?? fail(SW.INCORRECT_DATA);
      privateKey = ecKeyFromScalar(algorithm as 'eccp256' | 'eccp384', scalar);
    }
  } catch (error) {
    if (error instanceof RangeError) fail(SW.INCORRECT_DATA);
    throw error;
  }
  runtime.state.keys[slot.slot] = { algorithm, origin: 'imported', ...policies(slot.defaultPinPolicy, parts), privateKey: privateKeyToPkcs8(privateKey) };
  runtime.commit();
  return new Uint8Array(0);
}

/** A certificate for the slot's public key, signed by the card's attestation key (slot F9). */
export function attest(runtime: CommandContext, command: Command): Uint8Array {
  const slot = keySlot(command.p1);
  const stored = runtime.state.keys[slot.slot] ?? fail(SW.REFERENCED_DATA_NOT_FOUND);
  // Only keys born on the card can be vouched for.
  if (stored.origin !== 'generated') fail(SW.INCORRECT_DATA);
  const { state } = runtime;
  const signer = privateKeyFromPkcs8(state.attestation.privateKey);
  const issuer = new X509Certificate(Buffer.from(state.attestation.certificate, 'base64'));
  const issuerCommonName = /CN=([^\n]+)/.exec(issuer.subject)?.[1] ?? 'CardDesk virtual PIV attestation';
  const notBefore = new Date();
  const serial = Buffer.alloc(4);
  serial.writeUInt32BE(state.serial);
  return buildCertificate({
    subjectCommonName: `CardDesk PIV Attestation ${slot.slot}`,
    issuerCommonName,
    subjectPublicKeyDer: createPublicKey(privateKeyFromPkcs8(stored.privateKey)).export({ format: 'der', type: 'spki' }),
    signer,
    notBefore,
    notAfter: new Date(issuer.validTo),
    // The vendor's attestation extensions: firmware version, serial, PIN/touch policy, form factor.
    extensions: [
      { oid: ATTESTATION_EXTENSION.FIRMWARE_VERSION, value: Uint8Array.from(state.version) },
      { oid: ATTESTATION_EXTENSION.SERIAL, value: derIntegerWithSignByte(serial) },
      { oid: ATTESTATION_EXTENSION.POLICY, value: Uint8Array.of(PIN_POLICY[stored.pinPolicy], TOUCH_POLICY[stored.touchPolicy]) },
      { oid: ATTESTATION_EXTENSION.FORM_FACTOR, value: Uint8Array.of(FORM_FACTOR_UNSPECIFIED) },
    ],
  });
}

function flag(value: boolean): number {
  return value ? METADATA_FLAG.YES : METADATA_FLAG.NO;
}

/** GET METADATA: algorithm, policies, origin, public key, default-value flag and retries, without spending a try. */
export function metadata(runtime: CommandContext, command: Command): Uint8Array {
  const { state } = runtime;
  if (command.p2 === MANAGEMENT_KEY_REF) {
    return concatBytes(
      encodeTlv(METADATA.ALGORITHM, Uint8Array.of(symmetricAlgorithms[state.managementKey.algorithm].id)),
      encodeTlv(METADATA.POLICY, Uint8Array.of(POLICY_DEFAULT, TOUCH_POLICY.never)),
      encodeTlv(METADATA.IS_DEFAULT, Uint8Array.of(flag(state.managementKey.isDefault))),
    );
  }
  if (command.p2 === PIN_REF.PIV_PIN || command.p2 === PIN_REF.PUK) {
    const reference = command.p2 === PIN_REF.PIV_PIN ? state.pin : state.puk;
    return concatBytes(
      encodeTlv(METADATA.ALGORITHM, Uint8Array.of(ALG.PIN)),
      encodeTlv(METADATA.IS_DEFAULT, Uint8Array.of(flag(reference.isDefault))),
      encodeTlv(METADATA.RETRIES, Uint8Array.of(reference.maxTries, reference.triesLeft)),
    );
  }
  const slot = keySlot(command.p2);
  const stored = state.keys[slot.slot] ?? fail(SW.REFERENCED_DATA_NOT_FOUND);
  return concatBytes(
    encodeTlv(METADATA.ALGORITHM, Uint8Array.of(asymmetricAlgorithms[stored.algorithm].id)),
    encodeTlv(METADATA.POLICY, Uint8Array.of(PIN_POLICY[stored.pinPolicy], TOUCH_POLICY[stored.touchPolicy])),
    encodeTlv(METADATA.ORIGIN, Uint8Array.of(KEY_ORIGIN[stored.origin])),
    encodeTlv(METADATA.PUBLIC_KEY, publicKeyTemplate(privateKeyFromPkcs8(stored.privateKey))),
  );
}
