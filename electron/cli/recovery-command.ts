/**
 * `carddesk holder erc-reset <holder>` (issue 15 §7): a new Emergency Recovery Code for the
 * holder. The old code stops working; the new one is printed in its own letter in the outbox
 * (send it with `carddesk letter send`); it is never shown here.
 */
import type { Command } from 'commander';
import { readerlessLifecycle } from './account-ports';
import type { CliContext } from './cli-context';
import { printJson, unlockVault, withVault } from './vault-session';

/** Adds `erc-reset` to the `holder` command (registered before this). */
export function registerErcResetCommand(program: Command, cli: CliContext): void {
  const holder = program.commands.find((command) => command.name() === 'holder');
  if (holder === undefined) throw new Error('the holder command is registered first');
  holder
    .command('erc-reset')
    .argument('<holder>', 'id, personal number or user number')
    .option('--json', 'print the result as JSON')
    .description('issue a new emergency recovery code (its letter goes to the outbox; the old code stops working)')
    .action((reference: string, o: { json?: boolean }) =>
      withVault(cli, async (vault) => {
        await unlockVault(cli, vault);
        const desk = readerlessLifecycle(cli, vault);
        const found = vault.directory.find(reference);
        const issued = await desk.recoveryCodes.issueRecoveryCode(found.id, cli.operation, 'request');
        if (o.json === true) printJson(cli, { holderId: found.id, ...issued });
        else cli.out(`A new recovery code was issued for ${found.firstName} ${found.lastName} (${found.userNumber}); the old one no longer works.\nIts letter is in the outbox: ${issued.letter}\n`);
      }),
    );
}
