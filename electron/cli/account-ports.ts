/**
 * The holder account's real parts for a CLI command, as app-core wires them for the app: the
 * notification outbox, one-time codes sent through it, the second factor, and new recovery codes
 * (in their own letter). A command that makes no card work gets a reader-less life cycle.
 */
import type { AccountContactPorts } from '../core/account/account-contact-services';
import { VaultOneTimeCodes } from '../core/account/one-time-codes';
import { SecondFactorService } from '../core/account/second-factor';
import { ReaderHolds } from '../core/cards/reader-holds';
import { createLifecycleServices, type LifecycleServices } from '../core/lifecycle/lifecycle-services';
import { notifyServicesFor } from '../core/notify/notify-services';
import { ChangeRecorder } from '../core/vault/change-events';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';

/** The life cycle for commands that use no reader (letters, recovery codes, contracts), with the outbox wired. */
export function readerlessLifecycle(cli: CliContext, vault: VaultServices): LifecycleServices {
  const holds = new ReaderHolds({ connect: () => Promise.reject(new Error('no reader in this command')) });
  return createLifecycleServices({ dataDir: cli.dataDir, vault, holds, audit: vault.audit, notifications: notifyServicesFor(vault, cli.log).outbox });
}

export function accountPortsFor(cli: CliContext, vault: VaultServices): AccountContactPorts {
  const queue = notifyServicesFor(vault, cli.log).outbox;
  const lifecycle = readerlessLifecycle(cli, vault);
  return {
    queue,
    codes: new VaultOneTimeCodes({ access: vault.access, recorder: new ChangeRecorder(vault.access, vault.audit), queue }),
    secondFactor: new SecondFactorService({ access: vault.access, keyring: vault.keyring, audit: vault.audit, directory: vault.directory }),
    recoveryCodes: { issue: async (holderId, context) => void (await lifecycle.recoveryCodes.issueRecoveryCode(holderId, context, 'lostInfo')) },
  };
}
