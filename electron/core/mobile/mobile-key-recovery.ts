/**
 * The holder's escrowed encryption key onto the phone (issue 16 §2, option recoverKey), on the EST
 * listener beside simpleenroll: `POST <est>/carddesk-recoverkey`, HTTP Basic with the mobile ID and
 * its one-time code, the body a passphrase of the phone's choosing (UTF-8 text, over TLS). The
 * answer is an encrypted PKCS#12 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC, 100 000 iterations; what
 * OpenSSL 3 reads without -legacy) with the holder's escrowed encryption keys and their
 * certificates, newest first, and the CA chain.
 *
 * The code's life: a mobile ID with recoverKey keeps its code's hash when its last label is
 * enrolled (it turns active), and the code's deadline is set again from that moment (the code's
 * usual life), so the phone fetches the key right after enrolling — and, in a migration, only
 * after the new phone has enrolled and the old one is revoked. The fetch spends the code (single
 * use; two parallel posts deliver once). Refusals are EST-like: 401 (unknown, wrong, spent or
 * expired code), 403 (not yet enrolled, locked, revoked), 404 (the mobile ID has no recoverKey,
 * or the holder no escrowed key). Every outcome is a `mobile.recoverKey` event; never the code or
 * the passphrase.
 */
import type { KeyObject } from 'node:crypto';
import type { AuditTrail } from '../audit/audit-trail';
import type { CertificateService } from '../ca/certificate-service';
import { ESCROW, type EscrowRecord, type KeyEscrow } from '../lifecycle/key-escrow';
import type { OperationContext } from '../operation-context';
import type { VaultAccess } from '../vault/vault-access';
import type { EstRefusal, MobileIdRecord } from '../../shared/schemas/mobile-id';
import { buildPkcs12 } from './client-store';
import { codeMatches, effectiveState, MOBILE_IDS } from './mobile-id-records';
import type { MobileIdService } from './mobile-id-service';

export const RECOVER_KEY_PATH = 'carddesk-recoverkey';
/** The phone's passphrase, in characters (UTF-8 text). */
export const MIN_RECOVERY_PASSPHRASE = 8;
export const MAX_RECOVERY_PASSPHRASE = 1024;

export type KeyRecoveryResult = { ok: true; p12: Buffer; keys: number } | { ok: false; refusal: EstRefusal; message: string };

export interface KeyRecoveryDeps {
  readonly service: MobileIdService;
  readonly access: VaultAccess;
  readonly audit: AuditTrail;
  readonly escrow: Pick<KeyEscrow, 'recover'>;
  readonly certificates: Pick<CertificateService, 'record'>;
  /** The issuing and root CA certificates (DER), issuing first. */
  readonly chain: () => Buffer[];
}

const ESTSYSTEM: OperationContext = { actor: { kind: 'system', id: 'est' }, channel: 'desk' };
const asHolder = (record: MobileIdRecord): OperationContext => ({ actor: { kind: 'holder', id: record.holderId }, channel: 'desk' });

/** The holder's escrowed keys that have a certificate, newest first. */
export function escrowedKeysOf(access: VaultAccess, holderId: string): EscrowRecord[] {
  return [...access.storage().records.values<EscrowRecord>(ESCROW)]
    .filter((entry) => entry.holderId === holderId && entry.certificateSerial !== null && entry.certificateSerial !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export class MobileKeyRecovery {
  /** Mobile IDs whose key is being delivered now. */
  readonly #claims = new Set<string>();

  constructor(private readonly deps: KeyRecoveryDeps) {}

  async #refuse(refusal: EstRefusal, reason: string, message: string, record: MobileIdRecord | undefined, details: Record<string, string>): Promise<KeyRecoveryResult> {
    await this.deps.audit.record({
      action: 'mobile.recoverKey',
      outcome: 'failure',
      reason,
      ...(record === undefined ? ESTSYSTEM : { ...asHolder(record), holderId: record.holderId }),
      details,
    });
    return { ok: false, refusal, message };
  }

  /** The passphrase is the phone's (the caller zeroes it); never logged, never stored. */
  async recover(mobileId: string, code: string, passphrase: Buffer, source: string): Promise<KeyRecoveryResult> {
    const details = { mobileId: mobileId.slice(0, 64), source };
    const record = this.deps.service.record(mobileId);
    const invalid = 'The mobile ID or its code is not valid.';
    if (record === undefined) return this.#refuse('unauthorized', 'unknown', invalid, undefined, details);
    if (!codeMatches(record, code)) return this.#refuse('unauthorized', record.codeHash === null ? 'spent' : 'wrongCode', invalid, record, details);
    if (record.codeExpiresAt !== null && Date.parse(record.codeExpiresAt) <= this.deps.service.now().getTime()) return this.#refuse('unauthorized', 'expired', invalid, record, details);
    if (!record.options.recoverKey) return this.#refuse('notFound', 'notChosen', 'No escrowed key was chosen for this mobile ID.', record, details);
    const state = effectiveState(record, this.deps.service.now());
    if (state === 'pending') return this.#refuse('forbidden', 'notEnrolled', 'Enrol every certificate of the mobile ID first; then the key is given.', record, details);
    if (state !== 'active') return this.#refuse('forbidden', state, `The mobile ID is ${state}.`, record, details);
    const text = passphrase.toString('utf8');
    if ([...text].length < MIN_RECOVERY_PASSPHRASE || [...text].length > MAX_RECOVERY_PASSPHRASE || text.includes('\u0000')) {
      return this.#refuse('malformed', 'badPassphrase', `The body must be the PKCS#12 passphrase: ${MIN_RECOVERY_PASSPHRASE} to ${MAX_RECOVERY_PASSPHRASE} characters of UTF-8 text.`, record, details);
    }
    const escrowed = escrowedKeysOf(this.deps.access, record.holderId);
    if (escrowed.length === 0) return this.#refuse('notFound', 'noEscrowedKey', 'The desk holds no escrowed encryption key for this holder.', record, details);
    if (this.#claims.has(record.id)) return this.#refuse('unauthorized', 'spent', invalid, record, details);
    this.#claims.add(record.id);
    const keys: { privateKey: KeyObject; certificate: Buffer; friendlyName: string }[] = [];
    try {
      for (const entry of escrowed) {
        const privateKey = await this.deps.escrow.recover(entry.id, `mobile ID ${record.id}`, asHolder(record));
        keys.push({ privateKey, certificate: Buffer.from(this.deps.certificates.record(entry.certificateSerial!).der, 'base64'), friendlyName: `CardDesk escrowed encryption key ${entry.certificateSerial!}` });
      }
      const [first, ...more] = keys;
      const p12 = await buildPkcs12({ ...first!, more, chain: this.deps.chain(), passphrase });
      // Spent before the answer leaves: a crash after this line loses the delivery, never repeats it.
      const current = this.deps.service.record(record.id) ?? record;
      const next: MobileIdRecord = { ...current, codeHash: null, codeExpiresAt: null, keyDeliveredAt: this.deps.service.now().toISOString() };
      await this.deps.service.recorder.commit([{ collection: MOBILE_IDS, id: record.id, record: next }], {
        action: 'mobile.recoverKey',
        outcome: 'success',
        holderId: record.holderId,
        details: { ...details, keys: keys.length, escrowIds: escrowed.map((entry) => entry.id).join(','), certificates: escrowed.map((entry) => entry.certificateSerial!).join(',') },
        ...asHolder(record),
      });
      return { ok: true, p12, keys: keys.length };
    } finally {
      this.#claims.delete(record.id);
    }
  }
}
