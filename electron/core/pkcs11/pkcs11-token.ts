/**
 * One token behind a small typed interface (CONVENTIONS.md §5): what a workflow needs of a
 * card or of the CA's token, without knowing which module or slot it sits in.
 */
import type { Pkcs11Service } from './pkcs11-service';
import type { SlotRef } from './schemas/common';
import type { DecryptMechanism, DecryptResult, GenerateKeyPairResult, KeyPairOptions, KeyPairSpec, SignMechanism, SignResult } from './schemas/crypto';
import type { CertificateWrite, FindKeyResult, KeyClass, KeySelector, ListObjectsResult, PublicKeyResult, WriteCertificateResult } from './schemas/objects';
import type { LoginResult, LogoutResult, TokenInfoResult, UserType } from './schemas/token';

export interface Pkcs11Token {
  readonly slot: SlotRef;
  info(): Promise<TokenInfoResult>;
  /** Takes the PIN over and zeroes the caller's buffer (see Pkcs11Service.login). */
  login(pin: Uint8Array, options?: { userType?: UserType }): Promise<LoginResult>;
  logout(): Promise<LogoutResult>;
  listObjects(): Promise<ListObjectsResult>;
  findKey(key: KeySelector, options?: { keyClass?: KeyClass }): Promise<FindKeyResult>;
  getPublicKey(key: KeySelector): Promise<PublicKeyResult>;
  sign(key: KeySelector, mechanism: SignMechanism, data: Uint8Array): Promise<SignResult>;
  decrypt(key: KeySelector, mechanism: DecryptMechanism, data: Uint8Array): Promise<DecryptResult>;
  generateKeyPair(spec: KeyPairSpec, options: KeyPairOptions): Promise<GenerateKeyPairResult>;
  writeCertificate(certificate: CertificateWrite): Promise<WriteCertificateResult>;
}

export function bindToken(service: Pkcs11Service, slot: SlotRef): Pkcs11Token {
  const at: SlotRef = { moduleId: slot.moduleId, slotId: slot.slotId };
  return {
    slot: at,
    info: () => service.tokenInfo(at),
    login: (pin, options) => service.login(at, pin, options),
    logout: () => service.logout(at),
    listObjects: () => service.listObjects(at),
    findKey: (key, options) => service.findKey(at, key, options),
    getPublicKey: (key) => service.getPublicKey(at, key),
    sign: (key, mechanism, data) => service.sign(at, key, mechanism, data),
    decrypt: (key, mechanism, data) => service.decrypt(at, key, mechanism, data),
    generateKeyPair: (spec, options) => service.generateKeyPair(at, spec, options),
    writeCertificate: (certificate) => service.writeCertificate(at, certificate),
  };
}
