/**
 * A mobile ID's certification request: a DER PKCS#10 whose self-signature must verify (proof of
 * possession, RFC 7030 §3.4) and whose key fits the profile: EC P-256 or P-384, RSA 2048 to 4096
 * bits. Only its key is used: the subject and SANs come from the directory.
 */
import { CardDeskError } from '../../shared/errors';
import { describeKey } from '../ca/ca-signer';
import { readRequest } from '../ca/certification-request';
import { toPem } from '../ca/der';

export type CsrCheck = { ok: true; pem: string; key: string } | { ok: false; refusal: 'malformed' | 'forbidden'; message: string };

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384' };

export function checkMobileCsr(der: Buffer): CsrCheck {
  // Only a full PKCS#10 (a bare public key proves nothing): the DER must start with a SEQUENCE.
  if (der.length < 16 || der[0] !== 0x30) return { ok: false, refusal: 'malformed', message: 'The body is not a DER PKCS#10 certification request.' };
  const pem = toPem(der, 'CERTIFICATE REQUEST');
  let key;
  try {
    key = readRequest(pem).publicKey;
  } catch (error) {
    if (error instanceof CardDeskError && error.code === 'MALFORMED_INPUT') {
      // "RSA keys must be at least 2048 bits" is a profile refusal, the rest are unreadable requests.
      return /at least 2048/.test(error.message) ? { ok: false, refusal: 'forbidden', message: error.message } : { ok: false, refusal: 'malformed', message: error.message };
    }
    return { ok: false, refusal: 'malformed', message: 'The certification request cannot be read.' };
  }
  let described;
  try {
    described = describeKey(key);
  } catch {
    return { ok: false, refusal: 'forbidden', message: 'Only EC P-256, EC P-384 and RSA 2048 to 4096 keys are accepted.' };
  }
  if (described.kind === 'rsa') {
    if (described.bits < 2048 || described.bits > 4096) return { ok: false, refusal: 'forbidden', message: `RSA keys of ${described.bits} bits are not accepted (2048 to 4096).` };
    return { ok: true, pem, key: `RSA ${described.bits}` };
  }
  const curve = CURVES[described.curve ?? ''];
  if (curve === undefined) return { ok: false, refusal: 'forbidden', message: `EC keys on ${described.curve ?? 'this curve'} are not accepted (P-256 or P-384).` };
  return { ok: true, pem, key: `EC ${curve}` };
}
