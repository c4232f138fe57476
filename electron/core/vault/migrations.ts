/**
 * Vault schema versions. A migration takes the vault from `version - 1` to `version`: it may
 * rewrite the main document and each record. They run at open, records first (the record
 * snapshot carries its own version, so a crash between the two steps resumes where it stopped),
 * and a vault newer than this build is refused rather than guessed at.
 */
import type { StoredRecord } from './record-store';
import type { VaultMeta } from './vault-meta';

export interface Migration {
  readonly version: number;
  readonly description: string;
  meta?(meta: VaultMeta): VaultMeta;
  record?(collection: string, record: StoredRecord): StoredRecord;
}

/** Version 1 is the first released layout; later versions add their step here. */
export const migrations: readonly Migration[] = [];

export const CURRENT_SCHEMA_VERSION = 1;
