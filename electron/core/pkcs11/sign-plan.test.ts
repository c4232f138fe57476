import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CKG, CKM, PKCS11JS_PARAMS_RSA_PSS } from './ck';
import { SignMechanismSchema, type SignMechanism } from './schemas/crypto';
import { digestInfo } from './signature-encoding';
import { signPlan } from './sign-plan';

const message = Buffer.from('contract');
const sha256 = createHash('sha256').update(message).digest();
const plan = (mechanism: SignMechanism, data: Buffer, supported: readonly number[] = Object.values(CKM)) =>
  signPlan(SignMechanismSchema.parse(mechanism), data, (ckm) => supported.includes(ckm));

describe('from mechanism names to CK_MECHANISM', () => {
  it('RSA_PKCS signs the DigestInfo CardDesk builds', () => {
    expect(plan({ name: 'RSA_PKCS', hash: 'SHA-256' }, sha256)).toEqual({ mechanism: CKM.RSA_PKCS, input: digestInfo('SHA-256', sha256), ecdsaDer: false });
  });

  it('RSA_PKCS_PSS carries CK_RSA_PKCS_PSS_PARAMS with a salt as long as the hash by default', () => {
    expect(plan({ name: 'RSA_PKCS_PSS', hash: 'SHA-256' }, sha256).parameter).toEqual({ type: PKCS11JS_PARAMS_RSA_PSS, hashAlg: CKM.SHA256, mgf: CKG.MGF1_SHA256, saltLen: 32 });
    const sha384 = createHash('sha384').update(message).digest();
    expect(plan({ name: 'RSA_PKCS_PSS', hash: 'SHA-384', saltLength: 0 }, sha384).parameter).toMatchObject({ hashAlg: CKM.SHA384, mgf: CKG.MGF1_SHA384, saltLen: 0 });
  });

  it('hash-and-sign mechanisms go to the token when it has them', () => {
    expect(plan({ name: 'SHA256_RSA_PKCS' }, message)).toEqual({ mechanism: CKM.SHA256_RSA_PKCS, input: message, ecdsaDer: false });
    expect(plan({ name: 'ECDSA_SHA384', signatureFormat: 'der' }, message)).toEqual({ mechanism: CKM.ECDSA_SHA384, input: message, ecdsaDer: true });
  });

  it('and are hashed here when it does not (SoftHSM2 has no CKM_ECDSA_SHA256)', () => {
    expect(plan({ name: 'ECDSA_SHA256' }, message, [CKM.ECDSA])).toEqual({ mechanism: CKM.ECDSA, input: sha256, ecdsaDer: false });
    expect(plan({ name: 'SHA256_RSA_PKCS' }, message, [CKM.RSA_PKCS])).toEqual({ mechanism: CKM.RSA_PKCS, input: digestInfo('SHA-256', sha256), ecdsaDer: false });
  });

  it('ECDSA signs a digest, r||s unless DER is asked for', () => {
    expect(plan({ name: 'ECDSA' }, sha256)).toEqual({ mechanism: CKM.ECDSA, input: sha256, ecdsaDer: false });
    expect(plan({ name: 'ECDSA', signatureFormat: 'der' }, sha256).ecdsaDer).toBe(true);
  });

  it('refuses input that is not a digest where a digest is expected', () => {
    expect(() => plan({ name: 'RSA_PKCS', hash: 'SHA-256' }, message)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENTS' }));
    expect(() => plan({ name: 'RSA_PKCS_PSS', hash: 'SHA-512' }, sha256)).toThrow(/64 bytes/);
    expect(() => plan({ name: 'ECDSA' }, Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENTS' }));
    expect(() => plan({ name: 'ECDSA' }, Buffer.alloc(65))).toThrow(/1 to 64 bytes/);
  });
});
