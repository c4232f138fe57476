/**
 * A signature made by a PIV card's private key, for data the caller hands over whole. The card
 * performs the raw key operation only (SP 800-73-4 GENERAL AUTHENTICATE): for RSA it is given the
 * whole EMSA-PKCS1-v1_5 block (RFC 8017 §9.2), for ECDSA the digest, left-padded to the key's size
 * (FIPS 186-5 §6.4.1 uses the leftmost bits; a shorter digest is the same integer padded).
 * ECDSA signatures come back DER-encoded (SP 800-73-4 Part 2 §3.2.4), as CMS and X.509 want them.
 */
import { createHash } from 'node:crypto';
import { asymmetricAlgorithms, type AsymmetricAlgorithm } from '../../smartcard/piv';
import { emsaPkcs1v15 } from '../pkcs11/signature-encoding';
import type { PivClient } from './piv-client';


/** Signs SHA-256(`data`) with the key in `slot` (RSA PKCS#1 v1.5, or ECDSA in DER). The PIN must have been verified. */
export async function signSha256WithSlot(client: PivClient, slot: string, algorithm: AsymmetricAlgorithm, data: Uint8Array): Promise<Uint8Array> {
  const digest = createHash('sha256').update(data).digest();
  const { kind, bits } = asymmetricAlgorithms[algorithm];
  const size = bits / 8;
  const input = kind === 'rsa' ? emsaPkcs1v15('SHA-256', digest, size) : Buffer.concat([Buffer.alloc(Math.max(0, size - digest.length)), digest]);
  return client.sign(slot, algorithm, input);
}
