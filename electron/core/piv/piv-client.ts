/**
 * CardDesk's PIV client: the SP 800-73-4 card commands (and the common vendor extensions) as typed
 * operations. Expected outcomes (a wrong PIN, a blocked PUK, a wrong management key) are values;
 * anything else the card refuses is a PivStatusError carrying the status word.
 */
import { createPublicKey, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import {
  asymmetricAlgorithms,
  AUTH,
  FACTORY,
  INS,
  MANAGEMENT_KEY_REF,
  OBJECT,
  padPin,
  PIN_REF,
  PIV_AID,
  slotByName,
  symmetricAlgorithms,
  type AsymmetricAlgorithm,
  type SlotInfo,
  type SymmetricAlgorithm,
} from '../../smartcard/piv';
import { describeSw, SW, triesLeftOf } from '../../smartcard/status-words';
import { concatBytes, decodeTlvs, encodeTlv, findTlv, requireTlv } from '../../smartcard/tlv';
import { type ApduTransport } from './apdu-transport';
import { managementKeyCipher } from '../../smartcard/management-key';
import { cardCapabilityContainer, chuid, keyHistory } from '../../smartcard/piv-objects';
import { parseCertificateObject, certificateObject } from './piv-objects';

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
  readonly pinPolicy: 'never' | 'once' | 'always' | 'default';
  readonly origin: 'generated' | 'imported';
  readonly publicKeyDer: Uint8Array;
}

const pinPolicies = { 1: 'never', 2: 'once', 3: 'always' } as const;

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
  const modulus = findTlv(template, 0x81);
  if (modulus !== undefined) {
    const exponent = requireTlv(template, 0x82);
    return createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: Buffer.from(exponent).toString('base64url') },
      format: 'jwk',
    }).export({ format: 'der', type: 'spki' });
  }
  const point = requireTlv(template, 0x86);
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
    const response = await this.transport.send({ cla: 0x00, ins, p1, p2, data });
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, what);
    return response.data;
  }

  /** SELECT the PIV application; null when the card has none. */
  async select(): Promise<PivApplication | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.SELECT, p1: 0x04, p2: 0x00, data: PIV_AID });
    if (response.sw === SW.FILE_NOT_FOUND || response.sw === SW.INS_NOT_SUPPORTED) return null;
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'selecting the PIV application');
    const template = findTlv(response.data, 0x61) ?? response.data;
    const label = findTlv(template, 0x50);
    const algorithms = decodeTlvs(findTlv(template, 0xac) ?? new Uint8Array(0))
      .filter((tlv) => tlv.tag === 0x80)
      .map((tlv) => tlv.value[0] ?? 0);
    return { label: label === undefined ? null : Buffer.from(label).toString('utf8'), algorithms };
  }

  /** Vendor GET VERSION; null when the card does not know it. */
  async version(): Promise<string | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_VERSION, p1: 0, p2: 0 });
    return response.sw === SW.OK && response.data.length === 3 ? Array.from(response.data).join('.') : null;
  }

  /** Vendor GET SERIAL; null when the card does not know it. */
  async serial(): Promise<number | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_SERIAL, p1: 0, p2: 0 });
    return response.sw === SW.OK && response.data.length === 4 ? Buffer.from(response.data).readUInt32BE(0) : null;
  }

  /** GET DATA; null when the object is not on the card. */
  async readObject(tag: number): Promise<Uint8Array | null> {
    const tagBytes = tag > 0xffff ? [tag >> 16, (tag >> 8) & 0xff, tag & 0xff] : tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_DATA, p1: 0x3f, p2: 0xff, data: encodeTlv(0x5c, Uint8Array.from(tagBytes)) });
    if (response.sw === SW.FILE_NOT_FOUND) return null;
    if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'reading a data object');
    const [outer] = decodeTlvs(response.data);
    return outer?.value ?? new Uint8Array(0);
  }

  /** PUT DATA (needs the management key); an empty value deletes the object. */
  async writeObject(tag: number, content: Uint8Array): Promise<void> {
    const tagBytes = tag > 0xffff ? [tag >> 16, (tag >> 8) & 0xff, tag & 0xff] : tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
    const wrapper = tag === 0x7e || tag === 0x7f61 ? tag : 0x53;
    await this.#command(INS.PUT_DATA, 0x3f, 0xff, concatBytes(encodeTlv(0x5c, Uint8Array.from(tagBytes)), encodeTlv(wrapper, content)), 'writing a data object');
  }

  async readCertificate(slot: string): Promise<Uint8Array | null> {
    const content = await this.readObject(slotOf(slot).certificateTag);
    return content === null || content.length === 0 ? null : parseCertificateObject(content);
  }

  async writeCertificate(slot: string, certificateDer: Uint8Array): Promise<void> {
    await this.writeObject(slotOf(slot).certificateTag, certificateObject(certificateDer));
  }

  /** Writes a new CHUID (needs the management key): the card's GUID and expiry date. */
  writeChuid(guid: Uint8Array, expires: Date): Promise<void> {
    if (guid.length !== 16) throw new CardDeskError('INVALID_ARGUMENTS', 'A CHUID GUID has 16 bytes.');
    return this.writeObject(0x5fc102, chuid(guid, expires));
  }

  /** Writes a new Card Capability Container with the given 14-byte card identifier (needs the management key). */
  writeCcc(cardId: Uint8Array): Promise<void> {
    if (cardId.length !== 14) throw new CardDeskError('INVALID_ARGUMENTS', 'A CCC card identifier has 14 bytes.');
    return this.writeObject(0x5fc107, cardCapabilityContainer(cardId));
  }

  /** Writes the Key History object: the number of retired key-management keys with their certificates on the card. */
  writeKeyHistory(retiredOnCard: number): Promise<void> {
    return this.writeObject(OBJECT.KEY_HISTORY, keyHistory(retiredOnCard));
  }

  /** The PIN's state without spending a try (empty VERIFY, SP 800-73-4 Part 2 §3.2.1). */
  async pinStatus(): Promise<{ verified: boolean; triesLeft: number }> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.VERIFY, p1: 0x00, p2: PIN_REF.PIV_PIN });
    if (response.sw === SW.OK) return { verified: true, triesLeft: -1 };
    if (response.sw === SW.AUTH_METHOD_BLOCKED) return { verified: false, triesLeft: 0 };
    const tries = triesLeftOf(response.sw);
    if (tries === null) throw new PivStatusError(response.sw, 'reporting the PIN status');
    return { verified: false, triesLeft: tries };
  }

  /** Vendor GET METADATA for the PIN (80), PUK (81) or management key (9B); null when unsupported. */
  async referenceMetadata(reference: 0x80 | 0x81): Promise<ReferenceMetadata | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_METADATA, p1: 0x00, p2: reference });
    if (response.sw !== SW.OK) return null;
    const retries = findTlv(response.data, 0x06);
    return { isDefault: findTlv(response.data, 0x05)?.[0] === 1, maxTries: retries?.[0] ?? 0, triesLeft: retries?.[1] ?? 0 };
  }

  async managementKeyMetadata(): Promise<{ algorithm: SymmetricAlgorithm | null; isDefault: boolean } | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_METADATA, p1: 0x00, p2: MANAGEMENT_KEY_REF });
    if (response.sw !== SW.OK) return null;
    const id = findTlv(response.data, 0x01)?.[0];
    const algorithm = (Object.keys(symmetricAlgorithms) as SymmetricAlgorithm[]).find((name) => symmetricAlgorithms[name].id === id) ?? null;
    return { algorithm, isDefault: findTlv(response.data, 0x05)?.[0] === 1 };
  }

  /** GET METADATA for a key slot; null when the slot is empty or the card does not support it. */
  async keyMetadata(slot: string): Promise<KeyMetadata | null> {
    const response = await this.transport.send({ cla: 0x00, ins: INS.GET_METADATA, p1: 0x00, p2: slotOf(slot).keyRef });
    if (response.sw !== SW.OK) return null;
    const policy = findTlv(response.data, 0x02)?.[0] ?? 0;
    return {
      algorithmId: findTlv(response.data, 0x01)?.[0] ?? 0,
      pinPolicy: pinPolicies[policy as 1 | 2 | 3] ?? 'default',
      origin: findTlv(response.data, 0x03)?.[0] === 0x02 ? 'imported' : 'generated',
      publicKeyDer: publicKeyFromTemplate(requireTlv(response.data, 0x04)),
    };
  }

  async verifyPin(pin: Uint8Array): Promise<ReferenceCheck> {
    const block = padPin(pin);
    try {
      const response = await this.transport.send({ cla: 0x00, ins: INS.VERIFY, p1: 0x00, p2: PIN_REF.PIV_PIN, data: block });
      return referenceOutcome(response.sw, 'the PIN');
    } finally {
      block.fill(0);
    }
  }

  async #changeReference(reference: 0x80 | 0x81, current: Uint8Array, next: Uint8Array): Promise<ReferenceCheck> {
    const data = concatBytes(padPin(current), padPin(next));
    try {
      const response = await this.transport.send({ cla: 0x00, ins: INS.CHANGE_REFERENCE_DATA, p1: 0x00, p2: reference, data });
      return referenceOutcome(response.sw, reference === 0x80 ? 'the PIN change' : 'the PUK change');
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
      const response = await this.transport.send({ cla: 0x00, ins: INS.RESET_RETRY_COUNTER, p1: 0x00, p2: PIN_REF.PIV_PIN, data });
      return referenceOutcome(response.sw, 'the PIN unblock');
    } finally {
      data.fill(0);
    }
  }

  /** Mutual authentication with the card management key (SP 800-73-4 Part 2 Appendix A.1). */
  async authenticateManagementKey(algorithm: SymmetricAlgorithm, key: Uint8Array): Promise<{ ok: true } | { ok: false; reason: 'wrongKey' }> {
    const { id, blockLength, keyLength } = symmetricAlgorithms[algorithm];
    if (key.length !== keyLength) throw new CardDeskError('INVALID_ARGUMENTS', `A ${algorithm} management key has ${keyLength} bytes.`);
    const step1 = await this.transport.send({ cla: 0x00, ins: INS.GENERAL_AUTHENTICATE, p1: id, p2: MANAGEMENT_KEY_REF, data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.WITNESS, new Uint8Array(0))) });
    // A card whose key uses another algorithm refuses the algorithm itself.
    if (step1.sw === SW.INCORRECT_P1P2 || step1.sw === SW.INCORRECT_DATA) return { ok: false, reason: 'wrongKey' };
    if (step1.sw !== SW.OK) throw new PivStatusError(step1.sw, 'management key authentication');
    const witness = managementKeyCipher(algorithm, key, requireTlv(requireTlv(step1.data, AUTH.TEMPLATE), AUTH.WITNESS), 'decrypt');
    const challenge = randomBytes(blockLength);
    const step2 = await this.transport.send({
      cla: 0x00,
      ins: INS.GENERAL_AUTHENTICATE,
      p1: id,
      p2: MANAGEMENT_KEY_REF,
      data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.WITNESS, witness), encodeTlv(AUTH.CHALLENGE, challenge)),
    });
    if (step2.sw === SW.SECURITY_STATUS_NOT_SATISFIED) return { ok: false, reason: 'wrongKey' };
    if (step2.sw !== SW.OK) throw new PivStatusError(step2.sw, 'management key authentication');
    const answer = requireTlv(requireTlv(step2.data, AUTH.TEMPLATE), AUTH.RESPONSE);
    // The card proves it holds the same key: it must have encrypted our challenge with it.
    if (!Buffer.from(managementKeyCipher(algorithm, key, challenge, 'encrypt')).equals(Buffer.from(answer))) {
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
    const step = await this.transport.send({ cla: 0x00, ins: INS.GENERAL_AUTHENTICATE, p1: id, p2: MANAGEMENT_KEY_REF, data: encodeTlv(AUTH.TEMPLATE, encodeTlv(AUTH.RESPONSE, response)) });
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
      const response = await this.transport.send({ cla: 0x00, ins: INS.RESET_RETRY_COUNTER, p1: 0x02, p2: PIN_REF.PIV_PIN, data });
      if (response.sw === SW.INCORRECT_P1P2 || response.sw === SW.FUNCTION_NOT_SUPPORTED || response.sw === SW.INS_NOT_SUPPORTED) {
        throw new CardDeskError('CARD_UNSUPPORTED', 'This card cannot reset its PIN with the management key; it can only be unblocked with its PUK.');
      }
      if (response.sw !== SW.OK) throw new PivStatusError(response.sw, 'the PIN reset');
    } finally {
      data.fill(0);
    }
  }

  /**
   * Puts the PIV application back to its factory state (vendor RESET): keys, certificates and data
   * objects gone, PIN, PUK and management key at their factory values. The card allows it only
   * with PIN and PUK blocked, so both are blocked first with values that cannot be right.
   */
  async factoryReset(): Promise<void> {
    await this.#exhaust('blocking the PIN', (guess) => ({ ins: INS.VERIFY, data: padPin(guess) }));
    await this.#exhaust('blocking the PUK', (guess) => ({ ins: INS.RESET_RETRY_COUNTER, data: concatBytes(padPin(guess), padPin(guess)) }));
    await this.#command(INS.RESET, 0x00, 0x00, new Uint8Array(0), 'the factory reset');
  }

  /** Spends every try of the PIN (or PUK) with random eight-digit guesses until the card reports it blocked. */
  async #exhaust(what: string, command: (guess: Uint8Array) => { ins: number; data: Uint8Array }): Promise<void> {
    for (let guard = 0; guard < 64; guard += 1) {
      const guess = Buffer.from(randomInt(0, 100_000_000).toString().padStart(8, '0'));
      const { ins, data } = command(guess);
      const response = await this.transport.send({ cla: 0x00, ins, p1: 0x00, p2: PIN_REF.PIV_PIN, data });
      if (referenceOutcome(response.sw, what).ok) continue;
      if (response.sw === SW.AUTH_METHOD_BLOCKED || triesLeftOf(response.sw) === 0) return;
    }
    throw new CardDeskError('CARD_ERROR', `The card did not block while ${what}.`);
  }

  async generateKey(slot: string, algorithm: AsymmetricAlgorithm, pinPolicy?: 'never' | 'once' | 'always'): Promise<Uint8Array> {
    const policy = pinPolicy === undefined ? [] : [encodeTlv(0xaa, Uint8Array.of({ never: 1, once: 2, always: 3 }[pinPolicy]))];
    const control = encodeTlv(0xac, encodeTlv(0x80, Uint8Array.of(asymmetricAlgorithms[algorithm].id)), ...policy);
    const data = await this.#command(INS.GENERATE_ASYMMETRIC_KEY_PAIR, 0x00, slotOf(slot).keyRef, control, 'key generation');
    return publicKeyFromTemplate(requireTlv(data, 0x7f49));
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
      ? concatBytes(encodeTlv(0x01, part(jwk.p)), encodeTlv(0x02, part(jwk.q)), encodeTlv(0x03, part(jwk.dp)), encodeTlv(0x04, part(jwk.dq)), encodeTlv(0x05, part(jwk.qi)))
      : encodeTlv(0x06, leftPad(part(jwk.d), asymmetricAlgorithms[algorithm].bits / 8));
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
      await this.#command(INS.SET_MANAGEMENT_KEY, 0xff, 0xff, data, 'the new management key');
    } finally {
      data.fill(0);
    }
  }

  async attest(slot: string): Promise<Uint8Array> {
    return this.#command(INS.ATTEST, slotOf(slot).keyRef, 0x00, new Uint8Array(0), 'attestation');
  }

  /** The attestation key's own certificate (slot F9), to verify attestations against. */
  async attestationCertificate(): Promise<Uint8Array | null> {
    const content = await this.readObject(0x5fff01);
    return content === null ? null : parseCertificateObject(content);
  }

  /**
   * The vendor SET PIN RETRIES as it is: new limits, and PIN and PUK back to their factory values.
   * Needs the management key and the PIN verified.
   */
  async resetRetryLimits(pinTries: number, pukTries: number): Promise<void> {
    await this.#command(INS.SET_PIN_RETRIES, pinTries, pukTries, new Uint8Array(0), 'the new retry limits');
  }

  /**
   * Sets the PIN and PUK retry limits and keeps the PIN and PUK as they are. The vendor command
   * puts both back to their factory values, which other tools leave like that; here both are
   * checked first (so a wrong one changes nothing) and restored afterwards. Needs the management key.
   */
  async setRetryCounters(
    pinTries: number,
    pukTries: number,
    current: { pin: Uint8Array; puk: Uint8Array },
  ): Promise<ReferenceCheck & { which?: 'pin' | 'puk' }> {
    const pinCheck = await this.verifyPin(current.pin);
    if (!pinCheck.ok) return { ...pinCheck, which: 'pin' };
    // CHANGE REFERENCE DATA from the PUK to itself proves the PUK without altering it.
    const pukCheck = await this.changePuk(current.puk, current.puk);
    if (!pukCheck.ok) return { ...pukCheck, which: 'puk' };
    await this.resetRetryLimits(pinTries, pukTries);
    const factoryPin = Buffer.from(FACTORY.PIN);
    const factoryPuk = Buffer.from(FACTORY.PUK);
    if (!factoryPin.equals(Buffer.from(current.pin))) {
      const restored = await this.changePin(factoryPin, current.pin);
      if (!restored.ok) throw new CardDeskError('CARD_ERROR', 'The retry limits are set, but the PIN could not be restored; it is the factory PIN now.');
    }
    if (!factoryPuk.equals(Buffer.from(current.puk))) {
      const restored = await this.changePuk(factoryPuk, current.puk);
      if (!restored.ok) throw new CardDeskError('CARD_ERROR', 'The retry limits are set, but the PUK could not be restored; it is the factory PUK now.');
    }
    return { ok: true };
  }
}
