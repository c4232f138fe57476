/**
 * From CardDesk's signature mechanism names to the CK_MECHANISM a token gets, and the bytes
 * it signs. Pure, so the translation is tested without a token.
 */
import { createHash } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { CKG, CKM, PKCS11JS_PARAMS_RSA_PSS } from './ck';
import type { Hash, ParsedSignMechanism } from './schemas/crypto';
import { assertDigestLength, digestInfo, hashLength, nodeHashName } from './signature-encoding';

/** CK_RSA_PKCS_PSS_PARAMS in pkcs11js's shape (v2.40 Current Mechanisms §2.1.9). */
export interface PssParameter {
  readonly type: number;
  readonly hashAlg: number;
  readonly mgf: number;
  readonly saltLen: number;
}

export interface SignPlan {
  readonly mechanism: number;
  readonly parameter?: PssParameter;
  /** What goes into C_Sign. */
  readonly input: Buffer;
  /** Re-encode the token's r||s as DER. */
  readonly ecdsaDer: boolean;
}

const digestMechanism: Readonly<Record<Hash, number>> = { 'SHA-1': CKM.SHA_1, 'SHA-256': CKM.SHA256, 'SHA-384': CKM.SHA384, 'SHA-512': CKM.SHA512 };
const mgf1: Readonly<Record<Hash, number>> = { 'SHA-1': CKG.MGF1_SHA1, 'SHA-256': CKG.MGF1_SHA256, 'SHA-384': CKG.MGF1_SHA384, 'SHA-512': CKG.MGF1_SHA512 };

const hashAndSign = {
  SHA256_RSA_PKCS: { mechanism: CKM.SHA256_RSA_PKCS, hash: 'SHA-256', raw: CKM.RSA_PKCS },
  SHA384_RSA_PKCS: { mechanism: CKM.SHA384_RSA_PKCS, hash: 'SHA-384', raw: CKM.RSA_PKCS },
  SHA512_RSA_PKCS: { mechanism: CKM.SHA512_RSA_PKCS, hash: 'SHA-512', raw: CKM.RSA_PKCS },
  ECDSA_SHA256: { mechanism: CKM.ECDSA_SHA256, hash: 'SHA-256', raw: CKM.ECDSA },
  ECDSA_SHA384: { mechanism: CKM.ECDSA_SHA384, hash: 'SHA-384', raw: CKM.ECDSA },
} as const satisfies Record<string, { mechanism: number; hash: Hash; raw: number }>;

/** ECDSA signs a digest (v2.40 Current Mechanisms §2.3.6); longer input than SHA-512's is a caller's mistake. */
const MAX_ECDSA_INPUT = 64;

/**
 * `supports` answers from the token's C_GetMechanismList. A hash-and-sign mechanism the token
 * lacks (SoftHSM2 2.6 has no CKM_ECDSA_SHA256; some cards lack CKM_SHA256_RSA_PKCS) is done as
 * the same hash here plus the raw mechanism: the signature is identical.
 */
export function signPlan(mechanism: ParsedSignMechanism, data: Buffer, supports: (ckm: number) => boolean): SignPlan {
  switch (mechanism.name) {
    case 'RSA_PKCS':
      return { mechanism: CKM.RSA_PKCS, input: digestInfo(mechanism.hash, data), ecdsaDer: false };
    case 'RSA_PKCS_PSS':
      assertDigestLength(mechanism.hash, data);
      return {
        mechanism: CKM.RSA_PKCS_PSS,
        parameter: {
          type: PKCS11JS_PARAMS_RSA_PSS,
          hashAlg: digestMechanism[mechanism.hash],
          mgf: mgf1[mechanism.hash],
          // RFC 8017 §9.1 recommends a salt as long as the hash; that is also what most verifiers expect.
          saltLen: mechanism.saltLength ?? hashLength[mechanism.hash],
        },
        input: data,
        ecdsaDer: false,
      };
    case 'ECDSA':
      if (data.length === 0 || data.length > MAX_ECDSA_INPUT) {
        throw new CardDeskError('INVALID_ARGUMENTS', `CKM_ECDSA signs a digest of 1 to ${MAX_ECDSA_INPUT} bytes, not ${data.length}.`);
      }
      return { mechanism: CKM.ECDSA, input: data, ecdsaDer: mechanism.signatureFormat === 'der' };
    default: {
      const facts = hashAndSign[mechanism.name];
      const ecdsaDer = 'signatureFormat' in mechanism && mechanism.signatureFormat === 'der';
      if (supports(facts.mechanism)) return { mechanism: facts.mechanism, input: data, ecdsaDer };
      const digest = createHash(nodeHashName[facts.hash]).update(data).digest();
      const input = facts.raw === CKM.RSA_PKCS ? digestInfo(facts.hash, digest) : digest;
      return { mechanism: facts.raw, input, ecdsaDer };
    }
  }
}
