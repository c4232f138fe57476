/**
 * The desk's audit log in its data folder, as the app, browser mode and the CLI open it. The one
 * place that chooses the signer: when the CA vault holds the audit key, it passes its own.
 */
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { AuditLog, type AuditLogOptions } from './audit-log';
import { auditKeyPath, FileAuditSigner, type AuditSigner } from './audit-signer';

export function auditDirOf(dataDir: string): string {
  return join(dataDir, 'audit');
}

export function createDeskAuditLog(
  dataDir: string,
  options: { log?: Logger; signer?: AuditSigner } & Omit<Partial<AuditLogOptions>, 'dir' | 'signer' | 'log'> = {},
): AuditLog {
  const { signer, ...rest } = options;
  return new AuditLog({ ...rest, dir: auditDirOf(dataDir), signer: signer ?? FileAuditSigner.open(auditKeyPath(dataDir)) });
}
