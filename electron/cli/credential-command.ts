/**
 * `carddesk credential issue|list|revoke`: named automation credentials for scripts (issue 17 §3),
 * issued by an administrator with the roles the script needs and no more. The secret is written
 * once to a private file (0600) the script is given with --credential; the vault keeps its hash.
 * CLI sessions of operators who signed in (`carddesk signin`) are listed and revoked here too.
 */
import type { Command } from 'commander';
import { operatorRoles } from '../shared/enums';
import type { OperatorRole } from '../shared/permissions';
import { CliCredentials } from '../core/operators/cli-credentials';
import type { CliContext } from './cli-context';
import { FORCE_HELP, PRIVATE_FILE_MODE, writeOutputFile } from './output-file';
import { positiveInteger } from './parse-options';
import { operatorLookupOf, printJson, withVault } from './vault-session';

function role(value: string, previous: OperatorRole[] = []): OperatorRole[] {
  if (!(operatorRoles as readonly string[]).includes(value)) throw new Error(`--role is one of ${operatorRoles.join(', ')}.`);
  return [...previous, value as OperatorRole];
}

export function registerCredentialCommands(program: Command, cli: CliContext): void {
  const credential = program.command('credential').description('automation credentials for scripts, and operators\u2019 CLI sessions: issue, list, revoke');
  const credentials = (services: Parameters<Parameters<typeof withVault>[1]>[0]) => new CliCredentials(services.access, services.audit, operatorLookupOf(services));

  credential
    .command('issue')
    .description('issue a named automation credential with limited roles; its secret goes to --out (0600), once')
    .requiredOption('--name <name>', 'what the script is (named in the audit log as automation:<name>)')
    .requiredOption('--role <role>', `a role it carries (repeat for more): ${operatorRoles.join(', ')}`, role)
    .requiredOption('--out <file>', 'where to write the secret')
    .option('--days <n>', 'how long it is valid (default 90)', positiveInteger, 90)
    .option('--force', FORCE_HELP)
    .action((options: { name: string; role: OperatorRole[]; out: string; days: number; force?: boolean }) =>
      withVault(cli, async (services) => {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(options.name)) throw new Error('--name is 1 to 64 letters, digits, dots, dashes or underscores.');
        if (options.days > 366) throw new Error('--days is at most 366: issue a new credential each year.');
        const issued = await credentials(services).issueAutomation({ name: options.name, roles: options.role, validityDays: options.days }, cli.operation);
        await writeOutputFile(options.out, `${issued.secret}\n`, { mode: PRIVATE_FILE_MODE, force: options.force });
        cli.out(`Credential ${issued.credential.id} (automation:${options.name}, ${options.role.join(', ')}) valid until ${issued.credential.expiresAt}; secret written to ${options.out}.\n`);
      }),
    );

  credential
    .command('list')
    .description('list automation credentials and CLI sessions (never their secrets)')
    .action(() =>
      withVault(cli, (services) => {
        printJson(cli, credentials(services).list());
        return Promise.resolve();
      }),
    );

  credential
    .command('revoke')
    .description('revoke an automation credential or a CLI session at once')
    .argument('<id>', 'the credential id (from `credential list`)')
    .action((id: string) =>
      withVault(cli, async (services) => {
        if (!(await credentials(services).revoke(id, cli.operation))) {
          process.stderr.write(`No credential ${id} in use.\n`);
          process.exitCode = 3;
          return;
        }
        cli.out(`Credential ${id} revoked.\n`);
      }),
    );
}
