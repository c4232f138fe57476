/**
 * `carddesk approve CODE`: a second operator approves a command under two-person control (issue
 * 17 §4) from their own CLI session, within 10 minutes of the request. It says what it approves
 * and who asked; the requester then runs the command again with `--approval CODE`.
 */
import type { Command } from 'commander';
import { CardDeskError } from '../shared/errors';
import { approvalRefusalText, DualControl } from '../core/operators/dual-control';
import type { CliContext } from './cli-context';
import { operatorLookupOf, withVault } from './vault-session';

export function registerApproveCommand(program: Command, cli: CliContext): void {
  program
    .command('approve')
    .description("approve another operator's request for a command under two-person control (CA key, vault restore or passphrase, key recovery)")
    .argument('<code>', 'the approval code the other operator was given')
    .action((code: string) =>
      withVault(cli, async (services) => {
        const session = await cli.session({ access: services.access, audit: services.audit, operators: operatorLookupOf(services) });
        if (session === null) throw new CardDeskError('NOT_PERMITTED', 'This desk has no operators yet: there is nobody to approve for.');
        if (!session.signedIn) throw new CardDeskError('NOT_PERMITTED', 'Approving needs an operator signed in with their card (carddesk signin), not an automation credential.');
        const control = new DualControl(services.access, services.audit);
        const asked = control.describe(code);
        const approved = await control.approve(code, session, { actor: { kind: 'operator', id: session.operatorId }, channel: 'cli' });
        if (!approved.ok) {
          process.stderr.write(`${approvalRefusalText[approved.reason]}\n`);
          process.exitCode = 3;
          return;
        }
        cli.out(`Approved: ${asked?.summary ?? approved.record.summary}\nAsked by ${approved.record.requestedBy}; valid until ${approved.record.expiresAt}, once.\n`);
      }),
    );
}
