/**
 * What the CLI asks of a desk's audit log, whichever store holds it (issue 18 §1): the embedded
 * file log (audit-log.ts) or, in team mode, the stations' one chain in PostgreSQL
 * (store/pg/pg-audit-log.ts). Recording, the vault's audit key, verification, and the events a
 * filter matches for an export. The app's screens still use the file log's index (`AuditLog`).
 */
import type { AuditEntry, AuditFilter, AuditVerifyReport } from '../../shared/schemas/audit';
import type { OperationContext } from '../operation-context';
import type { AuditAnchorKeeper } from './audit-anchor';
import type { DeskKey } from './audit-head';
import type { OperatorIdsOf } from './audit-queries';
import type { AuditSigner } from './audit-signer';
import type { AuditTrail } from './audit-trail';
import type { VerifyOptions } from './audit-verify';
import type { SignedHead } from './head-file';

export interface AuditStore extends AuditTrail {
  /** Where the log is, for reports: its folder, or the database (password hidden). */
  readonly where: string;
  /** Opens the log: a log that cannot be written stops a command before anything changes. */
  open(): Promise<void>;
  /** Waits for what is queued and signs a last checkpoint with the key at hand. */
  close(): Promise<void>;
  setDeskKeyId(keyId: string | null): void;
  useSigner(signer: AuditSigner | null): Promise<void>;
  useAnchorKeeper(keeper: AuditAnchorKeeper | null): Promise<void>;
  verify(options?: Pick<VerifyOptions, 'vault' | 'witness'>): Promise<AuditVerifyReport>;
  /** Every matching entry, oldest first, in chunks; stops after `limit` (see audit-queries.ts's `exportMatches`). */
  exportMatches(filter: AuditFilter, limit: number, onEntries: (entries: AuditEntry[]) => void | Promise<void>, operatorIds?: OperatorIdsOf): Promise<{ rows: number; truncated: boolean }>;
  exportHead(desk: DeskKey | null, operation: OperationContext, record: boolean): Promise<SignedHead>;
  acknowledgeLoss(operation: OperationContext): Promise<void>;
}
