/**
 * The vault's one-time recovery code (issue 17 §2): printed once when the first CA administrator is
 * made, it opens the vault together with the passphrase when the last administrator's card is lost.
 * The vault keeps only a check sealed under the code's scrypt key (no hash that a fast guess could
 * test); a use replaces it with a new code, shown once. 20 characters of Crockford's base32 (100 bits).
 */
import { randomBytes } from 'node:crypto';
import type { PassphraseGuard } from './passphrase-guard';
import { newKdfParams, seal, unseal, type KdfParams, type Sealed } from './sealing';

export interface StoredRecoveryCode {
  readonly kdf: KdfParams;
  readonly check: Sealed;
  readonly createdAt: string;
}

const PURPOSE = 'carddesk-recovery-code';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Upper case without spaces and dashes, with the letters people mistype for digits made digits. */
function normalised(code: string): Buffer {
  return Buffer.from(code.trim().toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0'), 'utf8');
}

export async function newRecoveryCode(guard: PassphraseGuard, now: Date): Promise<{ code: string; stored: StoredRecoveryCode }> {
  const chars = [...randomBytes(20)].map((byte) => ALPHABET[byte & 31]).join('');
  const code = chars.match(/.{5}/g)!.join('-');
  const kdf = newKdfParams();
  const secret = normalised(code);
  const key = await guard.derive(secret, kdf);
  try {
    return { code, stored: { kdf, check: seal(key, Buffer.from(PURPOSE), PURPOSE), createdAt: now.toISOString() } };
  } finally {
    key.fill(0);
    secret.fill(0);
  }
}

/** Whether `code` is the stored one (scrypt through the guard: at most two at a time). */
export async function recoveryCodeMatches(guard: PassphraseGuard, stored: StoredRecoveryCode, code: string): Promise<boolean> {
  const secret = normalised(code);
  const key = await guard.derive(secret, stored.kdf);
  try {
    return unseal(key, stored.check, PURPOSE) !== null;
  } finally {
    key.fill(0);
    secret.fill(0);
  }
}
