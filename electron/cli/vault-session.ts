/**
 * How a CLI command reaches the vault: it opens it (taking the single-writer lock, so a running
 * app or another command gets "in use by PID …"), runs, and closes it. A command runs in its own
 * process, so a command that needs the vault's secrets asks for the passphrase itself (prompt
 * without echo, or a line of stdin); `vault unlock` only checks it.
 *
 * The audit key is in the vault: the command's audit log knows the desk's key id once the vault
 * is open, and signs once it is unlocked (what it recorded before included); at the end the
 * vault locks and the log signs what it holds before letting go of the key.
 */
import { createVaultServices, type VaultServices } from '../core/vault/vault-services';
import { notifyServicesFor } from '../core/notify/notify-services';
import type { CliContext } from './cli-context';
import { equalSecrets } from '../smartcard/constant-time';
import type { OperatorLookup } from '../core/operators/operator-lookup';

/** The operator accounts the CLI's sign-in and credentials are checked against (the vault's operator directory). */
export function operatorLookupOf(services: VaultServices): OperatorLookup {
  return services.operators;
}

export async function withVault<T>(cli: CliContext, run: (services: VaultServices) => Promise<T>, options: { embedded?: boolean } = {}): Promise<T> {
  return cli.withAudit(async (audit) => {
    const services = createVaultServices({ dataDir: cli.dataDir, audit: cli.auditTrail(audit), log: cli.log, auditSigning: audit, settings: cli.settings, ...(options.embedded === true ? { embedded: true } : {}) });
    // Life-cycle changes made from the CLI queue their holder messages too (sent by the app, or `notify send`).
    notifyServicesFor(services, cli.log);
    try {
      await services.access.prepare();
      // Read once the lock is held: no other CardDesk changes them while this command runs.
      await cli.settings.open();
      await services.syncAudit();
      await cli.authorise({ access: services.access, audit: services.audit, operators: operatorLookupOf(services) });
      return await run(services);
    } finally {
      await services.close();
    }
  }, options);
}

/** Asks for the vault passphrase and unlocks; throws WRONG_PASSPHRASE. Ends holds that are due. */
export async function unlockVault(cli: CliContext, services: VaultServices): Promise<void> {
  services.vault.status(); // VAULT_NOT_INITIALISED before any prompt
  const passphrase = await cli.secrets.read('Vault passphrase: ');
  try {
    await services.vault.unlockOrThrow(passphrase, cli.operation, `cli-process:${process.pid}`);
  } finally {
    passphrase.fill(0);
  }
  await services.certificates.applyExpiredHolds(cli.operation);
}

/** Reads a new passphrase twice; the caller zeroes the result. */
export async function readNewPassphrase(cli: CliContext, prompt = 'New vault passphrase: '): Promise<Buffer> {
  const first = await cli.secrets.read(prompt);
  const second = await cli.secrets.read('Repeat it: ');
  try {
    if (!equalSecrets(first, second)) {
      first.fill(0);
      throw new Error('the two passphrases differ; nothing was changed');
    }
    return first;
  } finally {
    second.fill(0);
  }
}

export function printJson(cli: CliContext, value: unknown): void {
  cli.out(`${JSON.stringify(value, null, 2)}\n`);
}
