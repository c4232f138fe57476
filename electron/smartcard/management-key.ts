/**
 * The card management key's block cipher (3DES or AES in ECB mode, one block at a time) as both
 * ends of the challenge-response use it (SP 800-73-4 Part 2 Appendix A; SP 800-78-4 §3.1).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { symmetricAlgorithms, type SymmetricAlgorithm } from './piv';

export function managementKeyCipher(algorithm: SymmetricAlgorithm, key: Uint8Array, data: Uint8Array, direction: 'encrypt' | 'decrypt'): Uint8Array {
  const { cipher } = symmetricAlgorithms[algorithm];
  const engine = direction === 'encrypt' ? createCipheriv(cipher, key, null) : createDecipheriv(cipher, key, null);
  engine.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([engine.update(data), engine.final()]));
}
