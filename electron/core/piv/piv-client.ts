/**
 * CardDesk's PIV client: the SP 800-73-4 card commands (and the common vendor extensions) as typed
 * operations. Expected outcomes (a wrong PIN, a blocked PUK, a wrong management key) are values;
 * anything else the card refuses is a PivStatusError carrying the status word.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import {
  APPLICATION_PROPERTY,
  asymmetricAlgorithms,
  AUTH,
  CLA,
  DATA,
  dataWrapperTag,
  IMPORT_KEY,
  INS,
  KEY_CONTROL,
  KEY_ORIGIN,
  MANAGEMENT_KEY_REF,
  METADATA,
  METADATA_FLAG,
  OBJECT,
  padPin,
  PARAM,
  PIN_POLICY,
  PIN_REF,
  PIV_AID,
  policyOf,
  PUBLIC_KEY,
  slotByName,
  symmetricAlgorithmOf,
  symmetricAlgorithms,
  type AsymmetricAlgorithm,
  type PinPolicy,
  type PinReference,
  type SlotInfo,
  type SymmetricAlgorithm,
} from '../../smartcard/piv';
import { describeSw, SW, triesLeftOf } from '../../smartcard/status-words';
import { concatBytes, decodeTlvs, encodeTlv, findTlv, requireTlv, tagBytes } from '../../smartcard/tlv';
import { type ApduTransport } from './apdu-transport';
import { managementKeyCipher } from '../../smartcard/management-key';
import { cardCapabilityContainer, certificateObject, chuid, keyHistory } from '../../smartcard/piv-objects';
import { equalSecrets } from '../../smartcard/constant-time';
import { parseCertificateObject } from './piv-objects';

export class PivStatusError extends CardDeskError {
  constructor(
    readonly sw: number,
    what: string,
  ) {
    super('CARD_ERROR', `The card refused ${what}: ${describeSw(sw)}.`);
  }
}

export type ReferenceCheck = { ok: true } | { ok: false; reason: 'wrong'; triesLeft: number } | { ok: false; reason: 'blocked' };

export interface PivApplication {
  readonly label: string | null;
  readonly algorithms: readonly number[];
}

export interface ReferenceMetadata {
  readonly isDefault: boolean;
  readonly maxTries: number;
  readonly triesLeft: number;
}

export interface KeyMetadata {
  readonly algorithmId: number;
  readonly pinPolicy: PinPolicy | 'default';
  readonly origin: 'generated' | 'imported';
  readonly publicKeyDer: Uint8Array;
}

function referenceOutcome(sw: number, what: string): ReferenceCheck {
  if (sw === SW.OK) return { ok: true };
  if (sw === SW.AUTH_METHOD_BLOCKED) return { ok: false, reason: 'blocked' };
  const tries = triesLeftOf(sw);
  if (tries !== null) return tries === 0 ? { ok: false, reason: 'blocked' } : { ok: false, reason: 'wrong', triesLeft: tries };
  throw new PivStatusError(sw, what);
}

/** The PIV algorithm of a Node key (RSA 2048/3072/4096, P-256, P-384). */
export function algorithmOfKey(key: KeyObject): AsymmetricAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    const name = `rsa${details?.modulusLength ?? 0}`;
    if (name === 'rsa2048' || name === 'rsa3072' || name === 'rsa4096') return name;
  } else if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') return 'eccp256';
    if (details?.namedCurve === 'secp384r1') return 'eccp384';
  }
  throw new CardDeskError('INVALID_ARGUMENTS', 'A PIV card takes RSA 2048, 3072 or 4096 and EC P-256 or P-384 keys.');
}

function leftPad(bytes: Buffer, length: number): Buffer {
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

/** The public key of GENERATE ASYMMETRIC KEY PAIR / GET METADATA (81/82 or 86) as SPKI DER. */
export function publicKeyFromTemplate(template: Uint8Array): Uint8Array {
  const modulus = findTlv(template, PUBLIC_KEY.MODULUS);
  if (modulus !== undefined) {
    const exponent = requireTlv(template, PUBLIC_KEY.EXPONENT);
    return createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: Buffer.from(exponent).toString('base64url') },
      format: 'jwk',
    }).export({ format: 'der', type: 'spki' });
  }
  const point = requireTlv(template, PUBLIC_KEY.POINT);
  const size = (point.length - 1) / 2;
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: size === 48 ? 'P-384' : 'P-256',
      x: Buffer.from(point.subarray(1, 1 + size)).toString('base64url'),
      y: Buffer.from(point.subarray(1 + size)).toString('base64url'),
    },
    format: 'jwk',
  }).export({ format: 'der', type: 'spki' });
}

function slotOf(slot: string): SlotInfo {
  const info = slotByName(slot);
  if (info === undefined) throw new CardDeskError('INVALID_ARGUMENTS', `There is no PIV key slot ${slot}.`);
  return info;
}

export class PivClient {
  readonly transport: ApduTransport;

  constructor(transport: ApduTransport) {
    this.transport = transport;
  }

  async #command(ins: number, p1: number, p2: number, data: Uint8Array = new Uint8Array(0), what = 'the command'): Promise<Uint8Array> {
    const response = await this.transport.send({ cla: CLA, ins, p1, p2, data });
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, what);
    return response.data;
  }

  /** SELECT the PIV application; null when the card has none. */
  async select(): Promise<PivApplication | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.SELECT, p1: PARAM.SELECT_BY_AID, p2: PARAM.NONE, data: PIV_AID });
    if (response.sw === SW.FILE_NOT_FOUND || response.sw === SW.INS_NOT_SUPPORTED) return null;
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'selecting the PIV application');
    const template = findTlv(response.data, APPLICATION_PROPERTY.TEMPLATE) ?? response.data;
    const label = findTlv(template, APPLICATION_PROPERTY.LABEL);
    const algorithms = decodeTlvs(findTlv(template, APPLICATION_PROPERTY.ALGORITHMS) ?? new Uint8Array(0))
      .filter((tlv) => tlv.tag === APPLICATION_PROPERTY.ALGORITHM)
      .map((tlv) => tlv.value[0] ?? 0);
    return { label: label === undefined ? null : Buffer.from(label).toString('utf8'), algorithms };
  }

  /** Vendor GET VERSION; null when the card does not know it. */
  async version(): Promise<string | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_VERSION, p1: PARAM.NONE, p2: PARAM.NONE });
    return response.sw === SW.OK && response.data.length === 3 ? Array.from(response.data).join('.') : null;
  }

  /** Vendor GET SERIAL; null when the card does not know it. */
  async serial(): Promise<number | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_SERIAL, p1: PARAM.NONE, p2: PARAM.NONE });
    return response.sw === SW.OK && response.data.length === 4 ? Buffer.from(response.data).readUInt32BE(0) : null;
  }

  /** GET DATA; null when the object is not on the card. */
  async readObject(tag: number): Promise<Uint8Array | null> {
    const tagList = encodeTlv(DATA.TAG_LIST, Uint8Array.from(tagBytes(tag)));
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_DATA, p1: PARAM.DATA_P1, p2: PARAM.DATA_P2, data: tagList });
    if (response.sw === SW.FILE_NOT_FOUND) return null;
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'reading a data object');
    const [outer] = decodeTlvs(response.data);
    return outer?.value ?? new Uint8Array(0);
  }

  /** PUT DATA (needs the management key); an empty value deletes the object. */
  async writeObject(tag: number, content: Uint8Array): Promise<void> {
    const data = concatBytes(encodeTlv(DATA.TAG_LIST, Uint8Array.from(tagBytes(tag))), encodeTlv(dataWrapperTag(tag), content));
    await this.#command(INS.PUT_DATA, PARAM.DATA_P1, PARAM.DATA_P2, data, 'writing a data object');
  }

  async readCertificate(slot: string): Promise<Uint8Array | null> {
    const content = await this.readObject(slotOf(slot).certificateTag);
    return content === null || content.length === 0 ? null : await parseCertificateObject(content);
  }

  async writeCertificate(slot: string, certificateDer: Uint8Array): Promise<void> {
    await this.writeObject(slotOf(slot).certificateTag, certificateObject(certificateDer));
  }

  /** Writes a new CHUID (needs the management key): the card's GUID and expiry date. */
  writeChuid(guid: Uint8Array, expires: Date): Promise<void> {
    if (guid.length !== 16) throw new CardDeskError('INVALID_ARGUMENTS', 'A CHUID GUID has 16 bytes.');
    return this.writeObject(OBJECT.CHUID, chuid(guid, expires));
  }

  /** Writes a new Card Capability Container with the given 14-byte card identifier (needs the management key). */
  writeCcc(cardId: Uint8Array): Promise<void> {
    if (cardId.length !== 14) throw new CardDeskError('INVALID_ARGUMENTS', 'A CCC card identifier has 14 bytes.');
    return this.writeObject(OBJECT.CARD_CAPABILITY_CONTAINER, cardCapabilityContainer(cardId));
  }

  /** Writes the Key History object: the number of retired key-management keys with their certificates on the card. */
  writeKeyHistory(retiredOnCard: number): Promise<void> {
    return this.writeObject(OBJECT.KEY_HISTORY, keyHistory(retiredOnCard));
  }

  /** The PIN's state without spending a try (empty VERIFY, SP 800-73-4 Part 2 §3.2.1). */
  async pinStatus(): Promise<{ verified: boolean; triesLeft: number }> {
    const response = await this.transport.send({ cla: CLA, ins: INS.VERIFY, p1: PARAM.NONE, p2: PIN_REF.PIV_PIN });
    if (response.sw === SW.OK) return { verified: true, triesLeft: -1 };
    if (response.sw === SW.AUTH_METHOD_BLOCKED) return { verified: false, triesLeft: 0 };
    const tries = triesLeftOf(response.sw);
    if (tries === null) throw new PivStatusError(response.sw, 'reporting the PIN status');
    return { verified: false, triesLeft: tries };
  }

  /** Vendor GET METADATA for the PIN (80), PUK (81) or management key (9B); null when unsupported. */
  async referenceMetadata(reference: PinReference): Promise<ReferenceMetadata | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_METADATA, p1: PARAM.NONE, p2: reference });
    if (response.sw !== SW.OK) return null;
    const retries = findTlv(response.data, METADATA.RETRIES);
    return { isDefault: findTlv(response.data, METADATA.IS_DEFAULT)?.[0] === METADATA_FLAG.YES, maxTries: retries?.[0] ?? 0, triesLeft: retries?.[1] ?? 0 };
  }

  async managementKeyMetadata(): Promise<{ algorithm: SymmetricAlgorithm | null; isDefault: boolean } | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_METADATA, p1: PARAM.NONE, p2: MANAGEMENT_KEY_REF });
    if (response.sw !== SW.OK) return null;
    const id = findTlv(response.data, METADATA.ALGORITHM)?.[0];
    const algorithm = id === undefined ? null : (symmetricAlgorithmOf(id) ?? null);
    return { algorithm, isDefault: findTlv(response.data, METADATA.IS_DEFAULT)?.[0] === METADATA_FLAG.YES };
  }

  /** GET METADATA for a key slot; null when the slot is empty or the card does not support it. */
  async keyMetadata(slot: string): Promise<KeyMetadata | null> {
    const response = await this.transport.send({ cla: CLA, ins: INS.GET_METADATA, p1: PARAM.NONE, p2: slotOf(slot).keyRef });
    if (response.sw !== SW.OK) return null;
    return {
      algorithmId: findTlv(response.data, METADATA.ALGORITHM)?.[0] ?? 0,
      pinPolicy: policyOf(PIN_POLICY, findTlv(response.data, METADATA.POLICY)?.[0]) ?? 'default',
      origin: findTlv(response.data, METADATA.ORIGIN)?.[0] === KEY_ORIGIN.imported ? 'imported' : 'generated',
      publicKeyDer: publicKeyFromTemplate(requireTlv(response.data, METADATA.PUBLIC_KEY)),
    };
  }

  async verifyPin(pin: Uint8Array): Promise<ReferenceCheck> {
    const block = padPin(pin);
    try {
      const response = await this.transport.send({ cla: CLA, ins: INS.VERIFY, p1: PARAM.NONE, p2: PIN_REF.PIV_PIN, data: block });
      return referenceOutcome(response.sw, 'the PIN');
    } finally {
      block.fill(0);
    }
  }

  async #changeReference(reference: PinReference, current: Uint8Array, next: Uint8Array): Promise<ReferenceCheck> {
    const data = concatBytes(padPin(current), padPin(next));
    try {
      const response = await this.transport.send({ cla: CLA, ins: INS.CHANGE_REFERENCE_DATA, p1: PARAM.NONE, p2: reference, data });
      return referenceOutcome(response.sw, reference === PIN_REF.PIV_PIN ? 'the PIN change' : 'the PUK change');
    } finally {
      data.fill(0);
    }
  }

  changePin(current: Uint8Array, next: Uint8Array): Promise<ReferenceCheck> {
    return this.#changeReference(PIN_REF.PIV_PIN, current, next);
  }

  changePuk(current: Uint8Array, next: Uint8Array): Promise<ReferenceCheck> {
    return this.#changeReference(PIN_REF.PUK, current, next);
  }

  /** RESET RETRY COUNTER: the PUK sets a new PIN and unblocks it. */
  async unblockPin(puk: Uint8Array, newPin: Uint8Array): Promise<ReferenceCheck> {
    const data = concatBytes(padPin(puk), padPin(newPin));
    try {
      const response = await this.transport.send({ cla: CLA, ins: INS.RESET_RETRY_COUNTER, p1: PARAM.NONE, p2: PIN_REF.PIV_PIN, data });
      return referenceOutcome(response.sw, 'the PIN unblock');
    } finally {
      data.fill(0);
    }
  }

  /** Mutual authentication with the card management key (SP 800-73-4 Part 2 Appendix A.1). */
  async authenticateManagementKey(algorithm: SymmetricAlgorithm, key: Uint8Array): Promise<{ ok: true } | { ok: false; reason: 'wrongKey' }> {
    const { id, blockLength, keyLength } = symmetricAlgorithms[algorithm];
    if (key.length !== keyLength) throw new CardDeskError('INVALID_ARGUMENTS', `A ${algorithm} management key has ${keyLength} bytes.`);
    const step1 = await this.transport.send({ cla: CLA, ins: INS.GENERAL_AUTHENTICATE, p1: id, p2: MANAGEMENT_KEY_REF, data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.WITNESS, new Uint8Array(0))) });
    // A card whose key uses another algorithm refuses the algorithm itself.
    if (step1.sw === SW.INCORRECT_P1P2 || step1.sw === SW.INCORRECT_DATA) return { ok: false, reason: 'wrongKey' };
    if (step1.sw !== SW.OK) throw new PivStatusError(step1.sw, 'management key authentication');
    const witness = managementKeyCipher(algorithm, key, requireTlv(requireTlv(step1.data, AUTH.TEMPLATE), AUTH.WITNESS), 'decrypt');
    const challenge = randomBytes(blockLength);
    const step2 = await this.transport.send({
      cla: CLA,
      ins: INS.GENERAL_AUTHENTICATE,
      p1: id,
      p2: MANAGEMENT_KEY_REF,
      data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.WITNESS, witness), encodeTlv(AUTH.CHALLENGE, challenge)),
    });
    if (step2.sw === SW.SECURITY_STATUS_NOT_SATISFIED) return { ok: false, reason: 'wrongKey' };
    if (step2.sw !== SW.OK) throw new PivStatusError(step2.sw, 'management key authentication');
    const answer = requireTlv(requireTlv(step2.data, AUTH.TEMPLATE), AUTH.RESPONSE);
    // The card proves it holds the same key: it must have encrypted our challenge with it.
    if (!equalSecrets(managementKeyCipher(algorithm, key, challenge, 'encrypt'), answer)) {
      throw new CardDeskError('CARD_ERROR', 'The card could not prove it holds the management key.');
    }
    return { ok: true };
  }

  /**
   * External authentication, step 1 (SP 800-73-4 Part 2 Appendix A.2): the card's challenge for its
   * management key. The card keeps it only until its next command; whoever holds the key answers it.
   */
  async managementKeyChallenge(algorithm: SymmetricAlgorithm): Promise<Uint8Array> {
    const { id, blockLength } = symmetricAlgorithms[algorithm];
    const data = await this.#command(INS.GENERAL_AUTHENTICATE, id, MANAGEMENT_KEY_REF, encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.CHALLENGE, new Uint8Array(0))), 'a management-key challenge');
    const challenge = requireTlv(requireTlv(data, AUTH.TEMPLATE), AUTH.CHALLENGE);
    if (challenge.length !== blockLength) throw new CardDeskError('CARD_ERROR', 'The card gave a challenge of the wrong length.');
    return challenge;
  }

  /** External authentication, step 2: the challenge encrypted with the management key. The card accepts one answer per challenge. */
  async answerManagementKeyChallenge(algorithm: SymmetricAlgorithm, response: Uint8Array): Promise<{ ok: true } | { ok: false; reason: 'wrongResponse' }> {
    const { id } = symmetricAlgorithms[algorithm];
    const step = await this.transport.send({ cla: CLA, ins: INS.GENERAL_AUTHENTICATE, p1: id, p2: MANAGEMENT_KEY_REF, data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.RESPONSE, response)) });
    if (step.sw === SW.SECURITY_STATUS_NOT_SATISFIED || step.sw === SW.INCORRECT_DATA) return { ok: false, reason: 'wrongResponse' };
    if (step.sw !== SW.OK) throw new PivStatusError(step.sw, 'the challenge response');
    return { ok: true };
  }

  /**
   * Sets a new PIN and its full tries with the management key instead of the PUK (RESET RETRY
   * COUNTER, P1 = 02, after the management key authenticated). Cards without this administrator
   * unblock answer "not supported", which is reported as such.
   */
  async resetPinWithManagementKey(newPin: Uint8Array): Promise<void> {
    const data = padPin(newPin);
    try {
      const response = await this.transport.send({ cla: CLA, ins: INS.RESET_RETRY_COUNTER, p1: PARAM.RESET_NEW_DATA_ONLY, p2: PIN_REF.PIV_PIN, data });
      if (response.sw === SW.INCORRECT_P1P2 || response.sw === SW.FUNCTION_NOT_SUPPORTED || response.sw === SW.INS_NOT_SUPPORTED) {
        throw new CardDeskError('CARD_UNSUPPORTED', 'This card cannot reset its PIN with the management key; it can only be unblocked with its PUK.');
      }
      if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'the PIN reset');
    } finally {
      data.fill(0);
    }
  }

  /**
   * The vendor RESET as it is: the PIV application back to its factory state. The card allows it
   * only with PIN and PUK blocked; `factoryReset` in piv-procedures blocks both first.
   */
  async reset(): Promise<void> {
    await this.#command(INS.RESET, PARAM.NONE, PARAM.NONE, new Uint8Array(0), 'the factory reset');
  }

  async generateKey(slot: string, algorithm: AsymmetricAlgorithm, pinPolicy?: PinPolicy): Promise<Uint8Array> {
    const policy = pinPolicy === undefined ? [] : [encodeTlv(KEY_CONTROL.PIN_POLICY, Uint8Array.of(PIN_POLICY[pinPolicy]))];
    const control = encodeTlv(KEY_CONTROL.TEMPLATE, encodeTlv(KEY_CONTROL.ALGORITHM, Uint8Array.of(asymmetricAlgorithms[algorithm].id)), ...policy);
    const data = await this.#command(INS.GENERATE_ASYMMETRIC_KEY_PAIR, PARAM.NONE, slotOf(slot).keyRef, control, 'key generation');
    return publicKeyFromTemplate(requireTlv(data, PUBLIC_KEY.TEMPLATE));
  }

  /**
   * Puts a private key made elsewhere (an escrowed encryption key) into a slot: the vendor IMPORT
   * KEY command, RSA as its CRT parts, EC as its private scalar. Needs the management key.
   */
  async importKey(slot: string, privateKey: KeyObject): Promise<AsymmetricAlgorithm> {
    const algorithm = algorithmOfKey(privateKey);
    const jwk = privateKey.export({ format: 'jwk' });
    const part = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');
    const rsa = asymmetricAlgorithms[algorithm].kind === 'rsa';
    const data = rsa
      ? concatBytes(
          encodeTlv(IMPORT_KEY.P, part(jwk.p)),
          encodeTlv(IMPORT_KEY.Q, part(jwk.q)),
          encodeTlv(IMPORT_KEY.DP, part(jwk.dp)),
          encodeTlv(IMPORT_KEY.DQ, part(jwk.dq)),
          encodeTlv(IMPORT_KEY.QINV, part(jwk.qi)),
        )
      : encodeTlv(IMPORT_KEY.EC_PRIVATE, leftPad(part(jwk.d), asymmetricAlgorithms[algorithm].bits / 8));
    try {
      await this.#command(INS.IMPORT_KEY, asymmetricAlgorithms[algorithm].id, slotOf(slot).keyRef, data, 'the key import');
    } finally {
      data.fill(0);
    }
    return algorithm;
  }

  /** The raw private-key operation of a slot: an RSA block, an EC digest, or (with `peerPoint`) ECDH. */
  async #privateKey(slot: string, algorithm: AsymmetricAlgorithm, tag: number, input: Uint8Array): Promise<Uint8Array> {
    const data = encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.RESPONSE, new Uint8Array(0)), encodeTlv(tag, input));
    const response = await this.#command(INS.GENERAL_AUTHENTICATE, asymmetricAlgorithms[algorithm].id, slotOf(slot).keyRef, data, 'the private-key operation');
    return requireTlv(requireTlv(response, AUTH.TEMPLATE), AUTH.RESPONSE);
  }

  sign(slot: string, algorithm: AsymmetricAlgorithm, input: Uint8Array): Promise<Uint8Array> {
    return this.#privateKey(slot, algorithm, AUTH.CHALLENGE, input);
  }

  decrypt(slot: string, algorithm: AsymmetricAlgorithm, block: Uint8Array): Promise<Uint8Array> {
    return this.#privateKey(slot, algorithm, AUTH.CHALLENGE, block);
  }

  ecdh(slot: string, algorithm: AsymmetricAlgorithm, peerPoint: Uint8Array): Promise<Uint8Array> {
    return this.#privateKey(slot, algorithm, AUTH.EXPONENTIATION, peerPoint);
  }

  async setManagementKey(algorithm: SymmetricAlgorithm, key: Uint8Array): Promise<void> {
    const { id, keyLength } = symmetricAlgorithms[algorithm];
    if (key.length !== keyLength) throw new CardDeskError('INVALID_ARGUMENTS', `A ${algorithm} management key has ${keyLength} bytes.`);
    const data = concatBytes(Uint8Array.of(id, MANAGEMENT_KEY_REF, key.length), key);
    try {
      await this.#command(INS.SET_MANAGEMENT_KEY, PARAM.SET_MANAGEMENT_KEY, PARAM.SET_MANAGEMENT_KEY_NO_TOUCH, data, 'the new management key');
    } finally {
      data.fill(0);
    }
  }

  async attest(slot: string): Promise<Uint8Array> {
    return this.#command(INS.ATTEST, slotOf(slot).keyRef, PARAM.NONE, new Uint8Array(0), 'attestation');
  }

  /** The attestation key's own certificate (slot F9), to verify attestations against. */
  async attestationCertificate(): Promise<Uint8Array | null> {
    const content = await this.readObject(OBJECT.ATTESTATION_CERTIFICATE);
    return content === null ? null : await parseCertificateObject(content);
  }

  /**
   * The vendor SET PIN RETRIES as it is: new limits, and PIN and PUK back to their factory values.
   * Needs the management key and the PIN verified.
   */
  async resetRetryLimits(pinTries: number, pukTries: number): Promise<void> {
    await this.#command(INS.SET_PIN_RETRIES, pinTries, pukTries, new Uint8Array(0), 'the new retry limits');
  }
}
