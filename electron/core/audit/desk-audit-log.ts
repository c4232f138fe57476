/**
 * The desk's audit log in its data folder, as the app, browser mode and the CLI open it. It
 * starts without a signer: the audit key is in the vault, which gives it with `useSigner` when
 * it unlocks and takes it back when it locks.
 */
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { AuditLog, type AuditLogOptions } from './audit-log';

export function auditDirOf(dataDir: string): string {
  return join(dataDir, 'audit');
}

export function createDeskAuditLog(dataDir: string, options: { log?: Logger } & Omit<Partial<AuditLogOptions>, 'dir' | 'log'> = {}): AuditLog {
  return new AuditLog({ ...options, dir: auditDirOf(dataDir) });
}
