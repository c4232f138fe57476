import type { VaultSettings } from '../../shared/schemas/vault';
import type { CaState } from '../ca/ca-state';
import type { AuditAnchor } from '../audit/audit-anchor';
import type { StoredAuditKey } from './audit-key';
import type { CardWrapping } from './card-wrap';
import type { StoredRecoveryCode } from './recovery-code';
import type { PendingEvent } from './record-store';
import type { KdfParams, Sealed } from './sealing';

/** The vault's small main document (vault.json, written through lowdb). */
export interface VaultMeta {
  readonly format: 'carddesk-vault';
  readonly schemaVersion: number;
  readonly createdAt: string;
  /** Null until `vault init`: the passphrase's KDF parameters and the wrapped data key. */
  readonly keystore: { readonly kdf: KdfParams; readonly wrappedKey: Sealed } | null;
  /** The audit log's signing key, sealed (absent in vaults made before it, until their next unlock). */
  readonly auditKey?: StoredAuditKey | null;
  /**
   * The audit log's anchor: the last signed head the vault saw, signed with the audit key (see
   * audit/audit-anchor.ts). Absent in vaults made before it, until their next unlock.
   */
  readonly auditAnchor?: AuditAnchor;
  /**
   * The data key wrapped for each active operator's valid operator card (its 9D key, issue 17 §2):
   * kept in step by operators/vault-card-keys.ts while the vault is unlocked. Absent: none.
   */
  readonly cardWrappings?: readonly CardWrapping[];
  /** The one-time recovery code's check (recovery-code.ts): made with the first CA administrator. */
  readonly recoveryCode?: StoredRecoveryCode | null;
  readonly settings: VaultSettings;
  readonly ca: CaState | null;
  /**
   * The events of changes to this document not yet known to be in the audit log: written in the
   * same durable write as their change (change-events.ts), removed once the log holds them.
   */
  readonly pendingEvents?: readonly PendingEvent[];
}

export const defaultSettings: VaultSettings = {
  idleLockMinutes: 15,
  personalNumberRule: { kind: 'digits', length: 10, checkDigit: 'mod11-10' },
};
