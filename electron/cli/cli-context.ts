/**
 * What every CLI command may need, created on first use: the data folder, the log, stdin/stdout,
 * the secret reader, and the operation context (the OS account acting through the CLI).
 */
import { userInfo } from 'node:os';
import { createFileLogger, type Logger } from '../core/log/logger';
import type { OperationContext } from '../core/operation-context';
import { logDirOf, resolveDataDir } from '../core/paths';
import { SecretReader } from './secret-input';

export class CliContext {
  readonly dataDir = resolveDataDir();
  readonly operation: OperationContext = { actor: { kind: 'operator', id: userInfo().username }, channel: 'cli' };
  #log: Logger | null = null;
  #secrets: SecretReader | null = null;

  get log(): Logger {
    return (this.#log ??= createFileLogger(logDirOf(this.dataDir)));
  }

  get secrets(): SecretReader {
    return (this.#secrets ??= new SecretReader(process.stdin, process.stderr));
  }

  out(text: string): void {
    process.stdout.write(text);
  }
}
