/**
 * PIV identifiers from NIST SP 800-73-4 (Part 1 Tables 2-4, Part 2 §3.2) and SP 800-78-4, plus
 * the widely used vendor extension instructions of the most common PIV token. One table shared
 * by the virtual card and the PIV client so both speak exactly the same card edge.
 */

/** The PIV application identifier with its version (SP 800-73-4 Part 1 §2.2). */
export const PIV_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00]);
/** The registered application provider part; SELECT may use just this (right-truncated AID). */
export const PIV_RID = PIV_AID.subarray(0, 5);

export const INS = {
  SELECT: 0xa4,
  GET_DATA: 0xcb,
  PUT_DATA: 0xdb,
  VERIFY: 0x20,
  CHANGE_REFERENCE_DATA: 0x24,
  RESET_RETRY_COUNTER: 0x2c,
  GENERATE_ASYMMETRIC_KEY_PAIR: 0x47,
  GENERAL_AUTHENTICATE: 0x87,
  GET_RESPONSE: 0xc0,
  // Vendor extensions (Yubico PIV): widely supported by third-party PIV tools.
  SET_MANAGEMENT_KEY: 0xff,
  IMPORT_KEY: 0xfe,
  GET_VERSION: 0xfd,
  RESET: 0xfb,
  SET_PIN_RETRIES: 0xfa,
  ATTEST: 0xf9,
  GET_SERIAL: 0xf8,
  GET_METADATA: 0xf7,
} as const;

/** Key references of VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER. */
export const PIN_REF = { GLOBAL_PIN: 0x00, PIV_PIN: 0x80, PUK: 0x81 } as const;

/** The card management key's key reference. */
export const MANAGEMENT_KEY_REF = 0x9b;

/** Cryptographic algorithm identifiers (SP 800-78-4 Table 6-2, plus vendor RSA-3072/4096). */
export const ALG = {
  TDES: 0x03,
  RSA_1024: 0x06,
  RSA_2048: 0x07,
  AES_128: 0x08,
  AES_192: 0x0a,
  AES_256: 0x0c,
  ECC_P256: 0x11,
  ECC_P384: 0x14,
  RSA_3072: 0x05,
  RSA_4096: 0x16,
} as const;

export type SymmetricAlgorithm = 'tdes' | 'aes128' | 'aes192' | 'aes256';
export type AsymmetricAlgorithm = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'eccp256' | 'eccp384';

export const symmetricAlgorithms: Record<SymmetricAlgorithm, { id: number; keyLength: number; blockLength: number; cipher: string }> = {
  tdes: { id: ALG.TDES, keyLength: 24, blockLength: 8, cipher: 'des-ede3-ecb' },
  aes128: { id: ALG.AES_128, keyLength: 16, blockLength: 16, cipher: 'aes-128-ecb' },
  aes192: { id: ALG.AES_192, keyLength: 24, blockLength: 16, cipher: 'aes-192-ecb' },
  aes256: { id: ALG.AES_256, keyLength: 32, blockLength: 16, cipher: 'aes-256-ecb' },
};

export const asymmetricAlgorithms: Record<AsymmetricAlgorithm, { id: number; kind: 'rsa' | 'ec'; bits: number; curve?: 'P-256' | 'P-384' }> = {
  rsa2048: { id: ALG.RSA_2048, kind: 'rsa', bits: 2048 },
  rsa3072: { id: ALG.RSA_3072, kind: 'rsa', bits: 3072 },
  rsa4096: { id: ALG.RSA_4096, kind: 'rsa', bits: 4096 },
  eccp256: { id: ALG.ECC_P256, kind: 'ec', bits: 256, curve: 'P-256' },
  eccp384: { id: ALG.ECC_P384, kind: 'ec', bits: 384, curve: 'P-384' },
};

export function symmetricAlgorithmOf(id: number): SymmetricAlgorithm | undefined {
  return (Object.keys(symmetricAlgorithms) as SymmetricAlgorithm[]).find((name) => symmetricAlgorithms[name].id === id);
}

export function asymmetricAlgorithmOf(id: number): AsymmetricAlgorithm | undefined {
  return (Object.keys(asymmetricAlgorithms) as AsymmetricAlgorithm[]).find((name) => asymmetricAlgorithms[name].id === id);
}

/** The key slots, their key references and the data objects holding their certificates. */
export type SlotId = '9A' | '9C' | '9D' | '9E' | `${'8' | '9'}${string}`;

export interface SlotInfo {
  readonly slot: string;
  readonly keyRef: number;
  readonly certificateTag: number;
  readonly name: 'authentication' | 'signature' | 'keyManagement' | 'cardAuthentication' | 'retired';
  /** SP 800-73-4 Part 1 Table 4b: 9C needs the PIN right before every use; 9E needs none. */
  readonly defaultPinPolicy: 'once' | 'always' | 'never';
}

const retiredSlots: SlotInfo[] = Array.from({ length: 20 }, (_, index) => ({
  slot: (0x82 + index).toString(16).toUpperCase(),
  keyRef: 0x82 + index,
  certificateTag: 0x5fc10d + index,
  name: 'retired' as const,
  defaultPinPolicy: 'once' as const,
}));

export const SLOTS: readonly SlotInfo[] = [
  { slot: '9A', keyRef: 0x9a, certificateTag: 0x5fc105, name: 'authentication', defaultPinPolicy: 'once' },
  { slot: '9C', keyRef: 0x9c, certificateTag: 0x5fc10a, name: 'signature', defaultPinPolicy: 'always' },
  { slot: '9D', keyRef: 0x9d, certificateTag: 0x5fc10b, name: 'keyManagement', defaultPinPolicy: 'once' },
  { slot: '9E', keyRef: 0x9e, certificateTag: 0x5fc101, name: 'cardAuthentication', defaultPinPolicy: 'never' },
  ...retiredSlots,
];

export function slotByKeyRef(keyRef: number): SlotInfo | undefined {
  return SLOTS.find((slot) => slot.keyRef === keyRef);
}

export function slotByName(slot: string): SlotInfo | undefined {
  return SLOTS.find((info) => info.slot === slot.toUpperCase());
}

/** Data object tags (SP 800-73-4 Part 1 Table 3). */
export const OBJECT = {
  CARD_CAPABILITY_CONTAINER: 0x5fc107,
  CHUID: 0x5fc102,
  DISCOVERY: 0x7e,
  KEY_HISTORY: 0x5fc10c,
  SECURITY_OBJECT: 0x5fc106,
  PRINTED_INFORMATION: 0x5fc109,
  FACIAL_IMAGE: 0x5fc108,
  FINGERPRINTS: 0x5fc103,
  IRIS_IMAGES: 0x5fc121,
  BIOMETRIC_GROUP_TEMPLATE: 0x7f61,
} as const;

/** Objects readable only after the PIN (SP 800-73-4 Part 1 Table 2 access rules). */
export const PIN_PROTECTED_OBJECTS: ReadonlySet<number> = new Set([
  OBJECT.PRINTED_INFORMATION,
  OBJECT.FACIAL_IMAGE,
  OBJECT.FINGERPRINTS,
  OBJECT.IRIS_IMAGES,
]);

/** Dynamic authentication template tags inside 7C (SP 800-73-4 Part 2 Table 7). */
export const AUTH = {
  TEMPLATE: 0x7c,
  WITNESS: 0x80,
  CHALLENGE: 0x81,
  RESPONSE: 0x82,
  EXPONENTIATION: 0x85,
} as const;

/** Factory values shared by common PIV tokens (so default-credential warnings can be exercised). */
export const FACTORY = {
  PIN: '123456',
  PUK: '12345678',
  MANAGEMENT_KEY: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]),
  PIN_TRIES: 3,
  PUK_TRIES: 3,
} as const;

/** PIN and PUK travel as 8 bytes, right-padded with 0xFF (SP 800-73-4 Part 2 §3.2.1). */
export function padPin(pin: Uint8Array): Uint8Array {
  if (pin.length > 8) throw new RangeError('a PIV PIN or PUK has at most 8 characters');
  const out = new Uint8Array(8).fill(0xff);
  out.set(pin, 0);
  return out;
}

export function unpadPin(block: Uint8Array): Uint8Array {
  const end = block.indexOf(0xff);
  return block.subarray(0, end < 0 ? block.length : end);
}
