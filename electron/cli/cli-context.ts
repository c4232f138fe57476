/**
 * What every CLI command may need, created on first use: the data folder, the log, stdin/stdout,
 * the secret reader, the audit log, and the operation context (the OS account acting through the CLI).
 */
import { userInfo } from 'node:os';
import type { AuditLog } from '../core/audit/audit-log';
import { createDeskAuditLog } from '../core/audit/desk-audit-log';
import { createFileLogger, type Logger } from '../core/log/logger';
import type { OperationContext } from '../core/operation-context';
import { logDirOf, resolveDataDir } from '../core/paths';
import { SecretReader } from './secret-input';

export class CliContext {
  readonly dataDir = resolveDataDir();
  readonly operation: OperationContext = { actor: { kind: 'operator', id: userInfo().username }, channel: 'cli' };
  #log: Logger | null = null;
  #secrets: SecretReader | null = null;
  #audit: AuditLog | null = null;

  get log(): Logger {
    return (this.#log ??= createFileLogger(logDirOf(this.dataDir)));
  }

  get secrets(): SecretReader {
    return (this.#secrets ??= new SecretReader(process.stdin, process.stderr));
  }

  /** The desk's audit log (the same one the app writes); every state change is recorded there. */
  get audit(): AuditLog {
    return (this.#audit ??= createDeskAuditLog(this.dataDir, { log: this.log }));
  }

  /** Runs a command that uses the audit log and closes the log after it (final checkpoint). */
  async withAudit<T>(work: (audit: AuditLog) => Promise<T>): Promise<T> {
    try {
      return await work(this.audit);
    } finally {
      await this.#audit?.close();
      this.#audit = null;
    }
  }

  out(text: string): void {
    process.stdout.write(text);
  }
}
