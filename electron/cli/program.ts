/**
 * `carddesk`: every operator capability without a screen. Each feature registers its command
 * group from its own file (readers, vault, ca, card, vcard, audit, bench).
 */
import { Command } from 'commander';
import { appName, appVersion } from '../core/version';
import { registerAuditCommands } from './audit-command';
import { CliContext } from './cli-context';
import { registerCardCommands } from './card-command';
import { registerReadersCommand } from './readers-command';
import { registerVcardCommands } from './vcard-command';
import { registerCaCommand } from './ca-command';
import { registerListenerCommand } from './listener-command';
import { registerHolderCommand } from './holder-command';
import { registerHolderAccountCommands } from './holder-account-command';
import { registerErcResetCommand } from './recovery-command';
import { registerLetterCommand } from './letter-command';
import { registerContractCommand } from './contract-command';
import { registerVaultCommand } from './vault-command';
import { registerSecondFactorCommands } from './second-factor-command';
import { registerNotifyCommand } from './notify-command';
import { registerMobileCommands } from './mobile-command';
import { registerMobileClientCommands } from './mobile-client-command';
import { commandPath, commandPermissions, dualControlCommands } from './command-permissions';
import { registerCredentialCommands } from './credential-command';
import { registerApproveCommand } from './approve-command';
import { registerSigninCommands } from './signin-command';
import { registerOperatorCommand } from './operator-command';
import { registerDbCommand } from './db-command';

export function buildProgram(cli: CliContext = new CliContext()): Command {
  const program = new Command('carddesk')
    .description(`${appName}: smart cards, certificates and the local CA from the command line.`)
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    // What scripts and package managers ask first; the `version` command says the same.
    .version(`${appName} ${appVersion}`, '-V, --version', 'print the CardDesk version')
    .option('--credential <file>', 'act with this automation credential or CLI session (default: CARDDESK_CREDENTIAL, then the session `carddesk signin` left)')
    .option('--approval <code>', "a second operator's approval of this command (two-person control: the code the first run printed)")
    // Every command is held to the permission it needs (command-permissions.ts), checked when it opens the vault.
    .hook('preAction', (root, command) => {
      const path = commandPath(command);
      const permission = commandPermissions[path];
      if (permission === undefined) throw new Error(`carddesk ${path} declares no permission: a CardDesk bug.`);
      const { credential = process.env.CARDDESK_CREDENTIAL ?? '', approval } = root.opts<{ credential?: string; approval?: string }>();
      const dual = dualControlCommands[path];
      cli.beginCommand({
        command: path,
        permission,
        credentialFile: credential === '' ? null : credential,
        // What is approved: the command with its arguments and options (none of them secret: secrets are read at prompts).
        ...(dual === undefined ? {} : { dual: { ...dual, summary: [path, ...command.args, JSON.stringify(command.opts())].join(' '), code: approval ?? null } }),
      });
    })
    .hook('postAction', () => cli.endCommand());

  program
    .command('version')
    .description('print the CardDesk version')
    .action(() => cli.out(`${appName} ${appVersion}\n`));

  registerReadersCommand(program, cli);
  registerCardCommands(program, cli);
  registerVcardCommands(program, cli);
  registerVaultCommand(program, cli);
  registerCaCommand(program, cli);
  registerListenerCommand(program, cli);
  registerHolderCommand(program, cli);
  registerHolderAccountCommands(program, cli);
  registerErcResetCommand(program, cli);
  registerLetterCommand(program, cli);
  registerContractCommand(program, cli);
  registerAuditCommands(program, cli);
  registerSecondFactorCommands(program, cli);
  registerNotifyCommand(program, cli);
  // The desk's side (issue, lock, …) and the reference phone client (enroll, reenroll) share one group.
  registerMobileClientCommands(registerMobileCommands(program, cli), cli);
  registerCredentialCommands(program, cli);
  registerApproveCommand(program, cli);
  registerSigninCommands(program, cli);
  registerOperatorCommand(program, cli);
  registerDbCommand(program, cli);
  return program;
}
