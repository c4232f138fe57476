/**
 * What every CLI command may need, created on first use: the data folder, the log, stdin/stdout,
 * the secret reader, the audit log, and the operation context (the OS account acting through the CLI).
 */
import { userInfo } from 'node:os';
import type { AuditStore } from '../core/audit/audit-store';
import { openDeskAuditStore } from '../core/audit/desk-audit-log';
import { createFileLogger, type Logger } from '../core/log/logger';
import type { OperationContext } from '../core/operation-context';
import { prepareDataDir } from '../core/files/safe-file';
import { DeskSettingsStore } from '../core/settings/desk-settings';
import { logDirOf, resolveDataDir } from '../core/paths';
import type { AuditTrail } from '../core/audit/audit-trail';
import type { OperatorLookup } from '../core/operators/operator-lookup';
import type { VaultAccess } from '../core/vault/vault-access';
import { authoriseCommand, commandSession, type AuthorisationRequest, type CommandSession } from './cli-authorisation';
import { SecretReader } from './secret-input';

export class CliContext {
  readonly #dataDir = resolveDataDir();
  #prepared = false;
  /** The OS account, until the command is authorised for an operator or an automation credential. */
  #operation: OperationContext = { actor: { kind: 'operator', id: userInfo().username }, channel: 'cli' };
  /** What the running command needs (command-permissions.ts), set before it runs. */
  #command: (Omit<AuthorisationRequest, 'dataDir' | 'osOperation'> & { authorised: boolean }) | null = null;
  /** The second operator who approved the running command (two-person control): named in its events. */
  #approvedBy: string | null = null;
  #log: Logger | null = null;
  #secrets: SecretReader | null = null;
  #audit: AuditStore | null = null;
  #settings: DeskSettingsStore | null = null;
  #auditUsers = 0;

  /** The data folder, made private (0700/0600) on first use, whoever created it. */
  get dataDir(): string {
    if (!this.#prepared) {
      prepareDataDir(this.#dataDir);
      this.#prepared = true;
    }
    return this.#dataDir;
  }

  get log(): Logger {
    return (this.#log ??= createFileLogger(logDirOf(this.dataDir)));
  }

  get secrets(): SecretReader {
    return (this.#secrets ??= new SecretReader(process.stdin, process.stderr));
  }

  /**
   * The desk's settings (settings.json), one store for the whole command: `withVault` reads the
   * file once the vault lock is taken (this process then owns the data folder), and changes go
   * through this store, which keeps what it wrote.
   */
  get settings(): DeskSettingsStore {
    return (this.#settings ??= new DeskSettingsStore(this.dataDir));
  }

  /**
   * The desk's audit log (the same one the app writes), or in team mode (CARDDESK_DATABASE_URL)
   * the stations' chain in the database; every state change is recorded there.
   */
  get audit(): AuditStore {
    return (this.#audit ??= openDeskAuditStore(this.dataDir, { log: this.log, kind: 'cli' }));
  }

  /**
   * Runs work that records into the audit log, opened first (a log that cannot be written stops
   * the command before anything changes). Calls nest; the outermost closes the log after it
   * (final checkpoint). `embedded`: the data folder's file log even in team mode.
   */
  async withAudit<T>(work: (audit: AuditStore) => Promise<T>, options: { embedded?: boolean } = {}): Promise<T> {
    // The `db` commands work on the desk's own vault, so they record into its own file log.
    if (options.embedded === true && this.#audit === null) this.#audit = openDeskAuditStore(this.dataDir, { log: this.log, kind: 'cli', embedded: true });
    this.#auditUsers += 1;
    try {
      await this.audit.open();
      return await work(this.audit);
    } finally {
      this.#auditUsers -= 1;
      if (this.#auditUsers === 0) {
        await this.#audit?.close();
        this.#audit = null;
      }
    }
  }

  get operation(): OperationContext {
    return this.#operation;
  }

  /** Called before each command runs (program.ts). */
  beginCommand(request: Omit<AuthorisationRequest, 'dataDir' | 'osOperation'>): void {
    this.#command = { ...request, authorised: request.permission === 'open' };
  }

  /**
   * Checks the running command's permission against the session it acts for, once the vault is
   * open (vault-session.ts); from then on its events name that operator (and the approver).
   */
  async authorise(vault: { access: VaultAccess; audit: AuditTrail; operators: OperatorLookup }): Promise<void> {
    const command = this.#command;
    if (command === null || command.authorised) return;
    const { session, approvedBy } = await authoriseCommand({ ...command, dataDir: this.dataDir, osOperation: this.#operation }, vault);
    if (session !== null) this.#operation = { actor: { kind: 'operator', id: session.operatorId }, channel: 'cli' };
    this.#approvedBy = approvedBy;
    command.authorised = true;
  }

  /** The session the command's credential opens, whatever the command (`carddesk approve`); null in the bootstrap. */
  async session(vault: { access: VaultAccess; audit: AuditTrail; operators: OperatorLookup }): Promise<CommandSession | null> {
    const command = this.#command;
    if (command === null) return null;
    return commandSession({ ...command, dataDir: this.dataDir, osOperation: this.#operation }, vault);
  }

  /** The audit trail the command's services record into: each event names the approver, if any. */
  auditTrail(audit: AuditTrail): AuditTrail {
    return {
      record: (event) => (this.#approvedBy === null ? audit.record(event) : audit.record({ ...event, details: { ...event.details, approvedBy: this.#approvedBy } })),
      changeEventsIn: (ids, sinceMs) => audit.changeEventsIn(ids, sinceMs),
    };
  }

  /** A command that needs a permission must have opened the vault (and so been checked). */
  endCommand(): void {
    const command = this.#command;
    this.#command = null;
    this.#approvedBy = null;
    if (command !== null && !command.authorised) throw new Error(`carddesk ${command.command} needs ${command.permission} but never opened the vault to check it: a CardDesk bug.`);
  }

  out(text: string): void {
    process.stdout.write(text);
  }
}
