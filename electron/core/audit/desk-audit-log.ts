/**
 * The desk's audit log in its data folder, as the app, browser mode and the CLI open it. It
 * starts without a signer: the audit key is in the vault, which gives it with `useSigner` when
 * it unlocks and takes it back when it locks.
 *
 * In team mode (CARDDESK_DATABASE_URL set) the CLI's log is the stations' one chain in the team
 * database instead (`openDeskAuditStore`); the app still opens the file log (`createDeskAuditLog`).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { openPool, redactUrl, type StationKind } from '../store/pg/connection';
import { PgAuditLog } from '../store/pg/pg-audit-log';
import { AuditLog, type AuditLogOptions } from './audit-log';
import type { AuditStore } from './audit-store';

export function auditDirOf(dataDir: string): string {
  return join(dataDir, 'audit');
}

export function createDeskAuditLog(dataDir: string, options: { log?: Logger } & Omit<Partial<AuditLogOptions>, 'dir' | 'log'> = {}): AuditLog {
  return new AuditLog({ ...options, dir: auditDirOf(dataDir) });
}

/** The team database's URL when this station is in team mode, else null. */
export function teamDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const url = env['CARDDESK_DATABASE_URL'];
  return url === undefined || url.trim() === '' ? null : url;
}

/**
 * The audit log a station records into: the team database's chain on a pool of its own (ended
 * when the log closes) in team mode, otherwise (or when `embedded`: the `db` commands, which work
 * on this desk's own vault) the data folder's file log.
 */
export function openDeskAuditStore(dataDir: string, options: { log?: Logger; kind: StationKind; env?: NodeJS.ProcessEnv; embedded?: boolean }): AuditStore {
  const url = options.embedded === true ? null : teamDatabaseUrl(options.env);
  if (url === null) return createDeskAuditLog(dataDir, options.log === undefined ? {} : { log: options.log });
  return new PgAuditLog({
    pool: openPool(url, { kind: options.kind, max: 4 }),
    station: `${options.kind}:${hostname()}`,
    where: `database ${redactUrl(url)}`,
    endPoolOnClose: true,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}
