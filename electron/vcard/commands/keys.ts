/**
 * Key management: GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 §3.3.2) and the vendor
 * extensions IMPORT KEY, ATTEST and GET METADATA of the most common PIV token, so its tools
 * (and CardDesk's client) can manage this card too.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  asymmetricAlgorithmOf,
  asymmetricAlgorithms,
  MANAGEMENT_KEY_REF,
  PIN_REF,
  slotByKeyRef,
  symmetricAlgorithms,
  type AsymmetricAlgorithm,
} from '../../smartcard/piv';
import { SW } from '../../smartcard/status-words';
import { concatBytes, decodeTlvs, encodeTlv, TlvError } from '../../smartcard/tlv';
import { ecKeyFromScalar, generateCardKey, privateKeyFromPkcs8, privateKeyToPkcs8, publicKeyTemplate, rsaKeyFromCrt } from '../card-crypto';
import type { SlotKey } from '../card-state';
import { fail, requireManagementKey, type CardRuntime, type Command } from '../card-runtime';
import { buildCertificate } from '../certificate-builder';

const PIN_POLICY = { never: 0x01, once: 0x02, always: 0x03 } as const;
const TOUCH_POLICY = { never: 0x01, always: 0x02, cached: 0x03 } as const;

function policyName<T extends Record<string, number>>(table: T, value: number | undefined, fallback: keyof T): keyof T {
  if (value === undefined || value === 0) return fallback;
  const found = (Object.keys(table) as (keyof T)[]).find((name) => table[name] === value);
  return found ?? fail(SW.INCORRECT_DATA);
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

function policies(slotDefault: 'never' | 'once' | 'always', parts: Map<number, Uint8Array>): Pick<SlotKey, 'pinPolicy' | 'touchPolicy'> {
  return {
    pinPolicy: policyName(PIN_POLICY, parts.get(0xaa)?.[0], slotDefault),
    touchPolicy: policyName(TOUCH_POLICY, parts.get(0xab)?.[0], 'never'),
  };
}

export async function generateKeyPair(runtime: CardRuntime, command: Command): Promise<Uint8Array> {
  requireManagementKey(runtime);
  if (command.p1 !== 0x00) fail(SW.INCORRECT_P1P2);
  const slot = keySlot(command.p2);
  const control = tlvs(command.data).get(0xac);
  if (control === undefined) fail(SW.INCORRECT_DATA);
  const parts = tlvs(control);
  const algorithm = asymmetricAlgorithmOf(parts.get(0x80)?.[0] ?? -1);
  if (algorithm === undefined) fail(SW.INCORRECT_DATA);
  const privateKey = await generateCardKey(algorithm);
  runtime.state.keys[slot.slot] = { algorithm, origin: 'generated', ...policies(slot.defaultPinPolicy, parts), privateKey: privateKeyToPkcs8(privateKey) };
  runtime.commit();
  return encodeTlv(0x7f49, publicKeyTemplate(privateKey));
}

export function importKey(runtime: CardRuntime, command: Command): Uint8Array {
  requireManagementKey(runtime);
  const slot = keySlot(command.p2);
  const algorithm: AsymmetricAlgorithm = asymmetricAlgorithmOf(command.p1) ?? fail(SW.INCORRECT_P1P2);
  const parts = tlvs(command.data);
  let privateKey;
  try {
    if (asymmetricAlgorithms[algorithm].kind === 'rsa') {
      const [p, q, dp, dq, qinv] = [0x01, 0x02, 0x03, 0x04, 0x05].map((tag) => parts.get(tag));
      if (p === undefined || q === undefined || dp === undefined || dq === undefined || qinv === undefined) fail(SW.INCORRECT_DATA);
      privateKey = rsaKeyFromCrt({ p, q, dp, dq, qinv });
      if (privateKey.asymmetricKeyDetails?.modulusLength !== asymmetricAlgorithms[algorithm].bits) fail(SW.INCORRECT_DATA);
    } else {
      const scalar = parts.get(0x06) ?? fail(SW.INCORRECT_DATA);
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
export function attest(runtime: CardRuntime, command: Command): Uint8Array {
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
      { oid: '1.3.6.1.4.1.41482.3.3', value: Uint8Array.from(state.version) },
      { oid: '1.3.6.1.4.1.41482.3.7', value: concatBytes(Uint8Array.of(0x02, 0x05, 0x00), serial) },
      { oid: '1.3.6.1.4.1.41482.3.8', value: Uint8Array.of(PIN_POLICY[stored.pinPolicy], TOUCH_POLICY[stored.touchPolicy]) },
      { oid: '1.3.6.1.4.1.41482.3.9', value: Uint8Array.of(0x00) },
    ],
  });
}

/** GET METADATA: algorithm, policies, origin, public key, default-value flag and retries, without spending a try. */
export function metadata(runtime: CardRuntime, command: Command): Uint8Array {
  const { state } = runtime;
  if (command.p2 === MANAGEMENT_KEY_REF) {
    return concatBytes(
      encodeTlv(0x01, Uint8Array.of(symmetricAlgorithms[state.managementKey.algorithm].id)),
      encodeTlv(0x02, Uint8Array.of(0x00, TOUCH_POLICY.never)),
      encodeTlv(0x05, Uint8Array.of(state.managementKey.isDefault ? 1 : 0)),
    );
  }
  if (command.p2 === PIN_REF.PIV_PIN || command.p2 === PIN_REF.PUK) {
    const reference = command.p2 === PIN_REF.PIV_PIN ? state.pin : state.puk;
    return concatBytes(
      encodeTlv(0x01, Uint8Array.of(0xff)),
      encodeTlv(0x05, Uint8Array.of(reference.isDefault ? 1 : 0)),
      encodeTlv(0x06, Uint8Array.of(reference.maxTries, reference.triesLeft)),
    );
  }
  const slot = keySlot(command.p2);
  const stored = state.keys[slot.slot] ?? fail(SW.REFERENCED_DATA_NOT_FOUND);
  return concatBytes(
    encodeTlv(0x01, Uint8Array.of(asymmetricAlgorithms[stored.algorithm].id)),
    encodeTlv(0x02, Uint8Array.of(PIN_POLICY[stored.pinPolicy], TOUCH_POLICY[stored.touchPolicy])),
    encodeTlv(0x03, Uint8Array.of(stored.origin === 'generated' ? 0x01 : 0x02)),
    encodeTlv(0x04, publicKeyTemplate(privateKeyFromPkcs8(stored.privateKey))),
  );
}
