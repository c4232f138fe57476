/**
 * Every PIV number in one place: instructions, parameters, key references, algorithm ids, data
 * object tags and the tags inside each object, from NIST SP 800-73-4 (Parts 1 and 2) and
 * SP 800-78-4, plus the vendor extensions of the most common PIV token. The virtual card, the
 * PIV client and the object encoders all take their numbers from here, so both ends speak
 * exactly the same card edge; a lint rule (eslint.config.mjs) keeps raw hex out of their code.
 * Status words are in status-words.ts, the APDU and TLV framing in apdu.ts and tlv.ts.
 */

/** The PIV application identifier with its version (SP 800-73-4 Part 1 §2.2). */
export const PIV_AID = Uint8Array.from([0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00]);
/** The registered application provider part; SELECT may use just this (right-truncated AID). */
export const PIV_RID = PIV_AID.subarray(0, 5);

/**
 * Class byte of every PIV command: the interindustry class, no secure messaging, no logical
 * channel (ISO/IEC 7816-4 §5.4.1). Command chaining adds its bit (apdu.ts CLA_CHAINING).
 */
export const CLA = 0x00;

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

/**
 * Fixed P1/P2 values (SP 800-73-4 Part 2 §3.1–3.3; the vendor commands as the vendor's PIV
 * documentation gives them). Parameters that carry a key reference or an algorithm use
 * PIN_REF, KEY_REF and ALG instead.
 */
export const PARAM = {
  /** A parameter byte that carries nothing. */
  NONE: 0x00,
  /** SELECT P1: choose the application by its identifier (ISO 7816-4 "DF name"). */
  SELECT_BY_AID: 0x04,
  /** GET DATA / PUT DATA P1P2 = 3FFF: the objects of the currently selected application. */
  DATA_P1: 0x3f,
  DATA_P2: 0xff,
  /** VERIFY P1 = FF without data: forget that the PIN was verified (Part 2 §3.2.1). */
  VERIFY_RESET_STATUS: 0xff,
  /** RESET RETRY COUNTER P1 = 02: new reference data only (ISO 7816-4), the administrator unblock after the management key. */
  RESET_NEW_DATA_ONLY: 0x02,
  /** Vendor SET MANAGEMENT KEY: P1 = FF, then P2 = FF (no touch needed) or FE (touch needed). */
  SET_MANAGEMENT_KEY: 0xff,
  SET_MANAGEMENT_KEY_NO_TOUCH: 0xff,
  SET_MANAGEMENT_KEY_TOUCH: 0xfe,
} as const;

/** Key references of VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER. */
export const PIN_REF = { GLOBAL_PIN: 0x00, PIV_PIN: 0x80, PUK: 0x81 } as const;

/** The references a PIN-type command or GET METADATA takes for the PIV PIN and the PUK. */
export type PinReference = typeof PIN_REF.PIV_PIN | typeof PIN_REF.PUK;

/** Key references of the key slots (SP 800-73-4 Part 1 Table 4b; F9 is the vendor's attestation key). */
export const KEY_REF = {
  PIV_AUTHENTICATION: 0x9a,
  CARD_MANAGEMENT: 0x9b,
  DIGITAL_SIGNATURE: 0x9c,
  KEY_MANAGEMENT: 0x9d,
  CARD_AUTHENTICATION: 0x9e,
  /** The first of the twenty retired key-management slots, 82 to 95. */
  RETIRED_FIRST: 0x82,
  ATTESTATION: 0xf9,
} as const;

/** How many retired key-management slots (and certificate objects) a PIV card has. */
export const RETIRED_SLOT_COUNT = 20;

/** The card management key's key reference. */
export const MANAGEMENT_KEY_REF = KEY_REF.CARD_MANAGEMENT;

/**
 * Cryptographic algorithm identifiers (SP 800-78-4 Table 6-2, plus the vendor's RSA-3072/4096).
 * TDES_LEGACY is the pre-SP 800-78-2 identifier of 3DES that hosts still send as P1 of GENERAL
 * AUTHENTICATE for "the management key's own algorithm"; PIN is the algorithm the vendor's
 * GET METADATA reports for a PIN or PUK.
 */
export const ALG = {
  TDES_LEGACY: 0x00,
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
  PIN: 0xff,
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

/**
 * Data object tags (SP 800-73-4 Part 1 Table 3; the attestation certificate is the vendor's
 * object for the F9 key). The retired certificates follow RETIRED_CERTIFICATE_FIRST one by one.
 */
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
  PIV_AUTHENTICATION_CERTIFICATE: 0x5fc105,
  DIGITAL_SIGNATURE_CERTIFICATE: 0x5fc10a,
  KEY_MANAGEMENT_CERTIFICATE: 0x5fc10b,
  CARD_AUTHENTICATION_CERTIFICATE: 0x5fc101,
  RETIRED_CERTIFICATE_FIRST: 0x5fc10d,
  ATTESTATION_CERTIFICATE: 0x5fff01,
} as const;

/**
 * GET DATA and PUT DATA framing (SP 800-73-4 Part 2 §3.1.2, §3.3.2): the tag list naming the
 * object, and the wrapper its content travels in — 53, except for the two objects that carry
 * their own tag (Part 1 Table 3: discovery object and biometric group template).
 */
export const DATA = { TAG_LIST: 0x5c, CONTAINER: 0x53 } as const;

const SELF_TAGGED_OBJECTS: ReadonlySet<number> = new Set([OBJECT.DISCOVERY, OBJECT.BIOMETRIC_GROUP_TEMPLATE]);

/** The tag an object's content is wrapped in on the wire. */
export function dataWrapperTag(objectTag: number): number {
  return SELF_TAGGED_OBJECTS.has(objectTag) ? objectTag : DATA.CONTAINER;
}

/** The PIN policies a key can have (vendor metadata and generate/import; 00 means the slot's default). */
export const PIN_POLICY = { never: 0x01, once: 0x02, always: 0x03 } as const;
export type PinPolicy = keyof typeof PIN_POLICY;
/** The touch policies a key can have (vendor; 00 means the slot's default). */
export const TOUCH_POLICY = { never: 0x01, always: 0x02, cached: 0x03 } as const;
export type TouchPolicy = keyof typeof TOUCH_POLICY;
/** The policy byte meaning "the slot's default". */
export const POLICY_DEFAULT = 0x00;

/** The policy named by `value` in `table`; undefined for the default (00 or absent) and for unknown values. */
export function policyOf<T extends Record<string, number>>(table: T, value: number | undefined): keyof T | undefined {
  return (Object.keys(table) as (keyof T)[]).find((name) => table[name] === value);
}

/** The key slots, their key references and the data objects holding their certificates. */
export type SlotId = '9A' | '9C' | '9D' | '9E' | `${'8' | '9'}${string}`;

export interface SlotInfo {
  readonly slot: string;
  readonly keyRef: number;
  readonly certificateTag: number;
  readonly name: 'authentication' | 'signature' | 'keyManagement' | 'cardAuthentication' | 'retired';
  /** SP 800-73-4 Part 1 Table 4b: 9C needs the PIN right before every use; 9E needs none. */
  readonly defaultPinPolicy: PinPolicy;
}

const slotName = (keyRef: number): string => keyRef.toString(16).toUpperCase();

const retiredSlots: SlotInfo[] = Array.from({ length: RETIRED_SLOT_COUNT }, (_, index) => ({
  slot: slotName(KEY_REF.RETIRED_FIRST + index),
  keyRef: KEY_REF.RETIRED_FIRST + index,
  certificateTag: OBJECT.RETIRED_CERTIFICATE_FIRST + index,
  name: 'retired' as const,
  defaultPinPolicy: 'once' as const,
}));

export const SLOTS: readonly SlotInfo[] = [
  { slot: slotName(KEY_REF.PIV_AUTHENTICATION), keyRef: KEY_REF.PIV_AUTHENTICATION, certificateTag: OBJECT.PIV_AUTHENTICATION_CERTIFICATE, name: 'authentication', defaultPinPolicy: 'once' },
  { slot: slotName(KEY_REF.DIGITAL_SIGNATURE), keyRef: KEY_REF.DIGITAL_SIGNATURE, certificateTag: OBJECT.DIGITAL_SIGNATURE_CERTIFICATE, name: 'signature', defaultPinPolicy: 'always' },
  { slot: slotName(KEY_REF.KEY_MANAGEMENT), keyRef: KEY_REF.KEY_MANAGEMENT, certificateTag: OBJECT.KEY_MANAGEMENT_CERTIFICATE, name: 'keyManagement', defaultPinPolicy: 'once' },
  { slot: slotName(KEY_REF.CARD_AUTHENTICATION), keyRef: KEY_REF.CARD_AUTHENTICATION, certificateTag: OBJECT.CARD_AUTHENTICATION_CERTIFICATE, name: 'cardAuthentication', defaultPinPolicy: 'never' },
  ...retiredSlots,
];

export function slotByKeyRef(keyRef: number): SlotInfo | undefined {
  return SLOTS.find((slot) => slot.keyRef === keyRef);
}

export function slotByName(slot: string): SlotInfo | undefined {
  return SLOTS.find((info) => info.slot === slot.toUpperCase());
}

/** Objects readable only after the PIN (SP 800-73-4 Part 1 Table 2 access rules). */
export const PIN_PROTECTED_OBJECTS: ReadonlySet<number> = new Set([
  OBJECT.PRINTED_INFORMATION,
  OBJECT.FACIAL_IMAGE,
  OBJECT.FINGERPRINTS,
  OBJECT.IRIS_IMAGES,
]);

/** The error detection code that ends the CHUID, CCC, certificate and key history objects: always empty. */
export const ERROR_DETECTION_CODE = 0xfe;

/** Tags inside an X.509 certificate object (SP 800-73-4 Part 1 Table 10 and its siblings). */
export const CERTIFICATE_OBJECT = { CERTIFICATE: 0x70, CERT_INFO: 0x71, MSCUID: 0x72, ERROR_DETECTION: ERROR_DETECTION_CODE } as const;
/** CertInfo byte: bit 1 set means the certificate is gzip-compressed; 00 means stored as is. */
export const CERT_INFO = { UNCOMPRESSED: 0x00, GZIP: 0x01 } as const;

/** Tags of the Card Holder Unique Identifier (SP 800-73-4 Part 1 Table 9). */
export const CHUID_TAG = {
  FASCN: 0x30,
  ORGANIZATION: 0x32,
  DUNS: 0x33,
  GUID: 0x34,
  EXPIRATION: 0x35,
  CARDHOLDER_UUID: 0x36,
  SIGNATURE: 0x3e,
  ERROR_DETECTION: ERROR_DETECTION_CODE,
} as const;

/** Tags of the Card Capability Container (SP 800-73-4 Part 1 Table 8). */
export const CCC_TAG = {
  CARD_IDENTIFIER: 0xf0,
  CONTAINER_VERSION: 0xf1,
  GRAMMAR_VERSION: 0xf2,
  APPLICATIONS_URL: 0xf3,
  PKCS15: 0xf4,
  DATA_MODEL: 0xf5,
  ACCESS_CONTROL_RULES: 0xf6,
  CARD_APDUS: 0xf7,
  REDIRECTION: 0xfa,
  CAPABILITY_TUPLES: 0xfb,
  STATUS_TUPLES: 0xfc,
  NEXT_CCC: 0xfd,
  ERROR_DETECTION: ERROR_DETECTION_CODE,
} as const;

/**
 * The values CardDesk puts in a CCC (Part 1 Table 8 and its notes): the card identifier starts
 * with the GSC-RID, a manufacturer byte (FF: none registered) and the card type (02: Java Card);
 * container and grammar version 2.1; no PKCS#15; data model 10 (the PIV one).
 */
export const CCC_VALUE = {
  GSC_RID: Uint8Array.from([0xa0, 0x00, 0x00, 0x01, 0x16]),
  MANUFACTURER_UNREGISTERED: 0xff,
  CARD_TYPE_JAVA_CARD: 0x02,
  VERSION_2_1: 0x21,
  NO_PKCS15: 0x00,
  PIV_DATA_MODEL: 0x10,
} as const;

/**
 * Discovery object (SP 800-73-4 Part 1 §3.3.2, Table 18): the PIV AID and the PIN usage policy,
 * whose first byte 40 says only the PIV PIN verifies (no global PIN, no OCC) and second byte 00
 * states no preference between them.
 */
export const DISCOVERY_TAG = { AID: 0x4f, PIN_USAGE_POLICY: 0x5f2f } as const;
export const PIN_USAGE_POLICY_PIV_PIN_ONLY = Uint8Array.from([0x40, 0x00]);

/** Tags of the Key History object (SP 800-73-4 Part 1 Table 19). */
export const KEY_HISTORY_TAG = { ON_CARD: 0xc1, OFF_CARD: 0xc2, URL: 0xf3, ERROR_DETECTION: ERROR_DETECTION_CODE } as const;

/**
 * The application property template SELECT answers (SP 800-73-4 Part 2 Table 3): the AID's
 * proprietary part, the allocation authority's template with the RID, the label, and the
 * cryptographic algorithm template listing each algorithm (80) and ending with an object
 * identifier (06) whose value is 00.
 */
export const APPLICATION_PROPERTY = {
  TEMPLATE: 0x61,
  AID: 0x4f,
  ALLOCATION_AUTHORITY: 0x79,
  LABEL: 0x50,
  URL: 0x5f50,
  ALGORITHMS: 0xac,
  ALGORITHM: 0x80,
  OBJECT_IDENTIFIER: 0x06,
} as const;

/**
 * GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 Table 10 and 11): the control reference
 * template with the algorithm; the vendor's PIN and touch policies sit beside it (also in IMPORT
 * KEY). The answer is the public key template: RSA modulus and exponent, or the EC point.
 */
export const KEY_CONTROL = { TEMPLATE: 0xac, ALGORITHM: 0x80, PIN_POLICY: 0xaa, TOUCH_POLICY: 0xab } as const;
export const PUBLIC_KEY = { TEMPLATE: 0x7f49, MODULUS: 0x81, EXPONENT: 0x82, POINT: 0x86 } as const;
/** The first byte of an uncompressed EC point, the only form tag 86 carries (SEC 1 §2.3.3). */
export const EC_POINT_UNCOMPRESSED = 0x04;

/** The private key parts of the vendor IMPORT KEY: RSA in CRT form, or the EC private scalar. */
export const IMPORT_KEY = { P: 0x01, Q: 0x02, DP: 0x03, DQ: 0x04, QINV: 0x05, EC_PRIVATE: 0x06 } as const;

/**
 * The vendor GET METADATA answer: algorithm, PIN and touch policy, origin, public key template,
 * whether the value is still the factory one, and the retry limit with the tries left.
 */
export const METADATA = { ALGORITHM: 0x01, POLICY: 0x02, ORIGIN: 0x03, PUBLIC_KEY: 0x04, IS_DEFAULT: 0x05, RETRIES: 0x06 } as const;
export const KEY_ORIGIN = { generated: 0x01, imported: 0x02 } as const;
/** Metadata booleans are one byte. */
export const METADATA_FLAG = { NO: 0x00, YES: 0x01 } as const;

/** The vendor's attestation certificate extensions (Yubico PIV attestation, OID arc 1.3.6.1.4.1.41482.3). */
export const ATTESTATION_EXTENSION = {
  FIRMWARE_VERSION: '1.3.6.1.4.1.41482.3.3',
  SERIAL: '1.3.6.1.4.1.41482.3.7',
  POLICY: '1.3.6.1.4.1.41482.3.8',
  FORM_FACTOR: '1.3.6.1.4.1.41482.3.9',
} as const;
/** The attestation's form factor byte: 00, not specified. */
export const FORM_FACTOR_UNSPECIFIED = 0x00;

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

/** PIN and PUK travel as 8 bytes, right-padded with FF; a value has 6 to 8 characters (SP 800-73-4 Part 2 §3.2.1). */
export const PIN_BLOCK = { LENGTH: 8, PAD: 0xff, MIN_LENGTH: 6 } as const;

export function padPin(pin: Uint8Array): Uint8Array {
  if (pin.length > PIN_BLOCK.LENGTH) throw new RangeError('a PIV PIN or PUK has at most 8 characters');
  const out = new Uint8Array(PIN_BLOCK.LENGTH).fill(PIN_BLOCK.PAD);
  out.set(pin, 0);
  return out;
}

export function unpadPin(block: Uint8Array): Uint8Array {
  const end = block.indexOf(PIN_BLOCK.PAD);
  return block.subarray(0, end < 0 ? block.length : end);
}
