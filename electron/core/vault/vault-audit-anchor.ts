/**
 * Where the vault keeps the audit log's anchor: in vault.json (`auditAnchor`), beside the audit
 * key's public part, signed with that key (see audit/audit-anchor.ts). The anchor and the key id
 * are in clear, so a log can be checked against them while the vault is locked, or held by
 * another process (read-only, without the vault lock).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditAnchor, AuditAnchorKeeper } from '../audit/audit-anchor';
import type { VaultAccess } from './vault-access';
import type { VaultMeta } from './vault-meta';
import { vaultDirOf } from './vault-storage';

export interface VaultAuditAnchor {
  readonly deskKeyId: string | null;
  readonly anchor: AuditAnchor | undefined;
  readonly publicKeySpki: Buffer | null;
}

function anchorOf(meta: Pick<VaultMeta, 'auditKey' | 'auditAnchor'>): VaultAuditAnchor {
  const key = meta.auditKey ?? null;
  return { deskKeyId: key?.keyId ?? null, anchor: meta.auditAnchor, publicKeySpki: key === null ? null : Buffer.from(key.publicKey, 'base64') };
}

/** The keeper the audit log writes the anchor through, in the vault this process holds. */
export function vaultAnchorKeeper(access: VaultAccess): AuditAnchorKeeper {
  return {
    read: () => anchorOf(access.storage().meta),
    write: async (auditAnchor) => {
      await access.storage().updateMeta((meta) => ({ ...meta, auditAnchor }));
    },
  };
}

/** The anchor as vault.json holds it now, read without the vault lock; null when there is no vault. */
export async function readVaultAuditAnchor(dataDir: string): Promise<VaultAuditAnchor | null> {
  let text: string;
  try {
    text = await readFile(join(vaultDirOf(dataDir), 'vault.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const meta = JSON.parse(text) as VaultMeta;
  if (meta.format !== 'carddesk-vault' || meta.keystore === null) return null;
  return anchorOf(meta);
}
