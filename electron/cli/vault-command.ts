/** `carddesk vault init|unlock|status|backup|restore|passphrase|config`. */
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { PersonalNumberRule, VaultStatus } from '../shared/schemas/vault';
import { isUsableRule } from '../core/directory/personal-number';
import type { CliContext } from './cli-context';
import { FORCE_HELP, mayReplace } from './output-file';
import { positiveInteger } from './parse-options';
import { printJson, readNewPassphrase, unlockVault, withVault } from './vault-session';

/** `digits:10:mod11-10`, `digits:11:luhn`, `digits:8:none` or `pattern:<regular expression>`. */
export function personalNumberRule(value: string): PersonalNumberRule {
  const [kind, ...rest] = value.split(':');
  if (kind === 'pattern' && rest.length > 0) {
    const rule: PersonalNumberRule = { kind: 'pattern', pattern: rest.join(':') };
    if (isUsableRule(rule)) return rule;
    throw new InvalidArgumentError('the pattern is not a valid regular expression');
  }
  const length = Number(rest[0]);
  const check = rest[1] ?? 'mod11-10';
  if (kind === 'digits' && Number.isInteger(length) && length >= 4 && length <= 20 && (check === 'mod11-10' || check === 'luhn' || check === 'none')) {
    return { kind: 'digits', length, checkDigit: check };
  }
  throw new InvalidArgumentError('use digits:<4-20>:<mod11-10|luhn|none> or pattern:<regular expression>');
}

function describeRule(rule: PersonalNumberRule): string {
  return rule.kind === 'digits' ? `${rule.length} digits, check digit ${rule.checkDigit}` : `pattern ${rule.pattern}`;
}

function formatStatus(status: VaultStatus): string {
  return [
    `Vault:            ${status.initialised ? 'passphrase set' : 'no passphrase yet (carddesk vault init)'}`,
    `Schema version:   ${status.schemaVersion}`,
    `Idle lock:        ${status.settings.idleLockMinutes} min`,
    `Personal numbers: ${describeRule(status.settings.personalNumberRule)}`,
    `Holders:          ${status.counts.holders}`,
    `Cards:            ${status.counts.cards}`,
    `Certificates:     ${status.counts.certificates}`,
    '',
  ].join('\n');
}

export function registerVaultCommand(program: Command, cli: CliContext): void {
  const vault = program.command('vault').description('the encrypted vault: passphrase, status, backups');

  vault
    .command('init')
    .description('set the vault passphrase (asked twice; at least 10 characters)')
    .action(() =>
      withVault(cli, async (services) => {
        const passphrase = await readNewPassphrase(cli);
        try {
          await services.vault.init(passphrase, cli.operation);
        } finally {
          passphrase.fill(0);
        }
        cli.out(`The vault is ready in ${services.access.storage().dir}.\n`);
      }),
    );

  vault
    .command('unlock')
    .description('check the vault passphrase (each command that needs secrets asks for it itself)')
    .action(() =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        cli.out('The passphrase is correct. Commands that use the vault’s secrets ask for it each time they run.\n');
      }),
    );

  vault
    .command('status')
    .description('show the vault’s state and contents')
    .option('--json', 'print machine-readable JSON')
    .action((options: { json?: boolean }) =>
      withVault(cli, (services) => {
        const status = services.vault.status();
        if (options.json === true) printJson(cli, status);
        else cli.out(formatStatus(status));
        return Promise.resolve();
      }),
    );

  vault
    .command('backup')
    .argument('[file]', 'where to write the backup (default: the backups folder); mode 0600')
    .option('--force', FORCE_HELP)
    .description('write an encrypted backup of the whole vault (asks for the passphrase)')
    .action((file: string | undefined, o: { force?: boolean }) =>
      withVault(cli, async (services) => {
        const target = file === undefined ? undefined : resolve(file);
        const force = target === undefined ? false : await mayReplace(target, o.force);
        await unlockVault(cli, services);
        const written = await services.vault.backup(cli.operation, target, { force });
        cli.out(`Backup written: ${written}\n`);
      }),
    );

  vault
    .command('restore')
    .argument('<file>', 'a backup written by carddesk vault backup')
    .description('replace the vault with a backup (asks for the backup’s passphrase)')
    .action((file: string) =>
      withVault(cli, async (services) => {
        const passphrase = await cli.secrets.read('Backup passphrase: ');
        try {
          const result = await services.vault.restore(resolve(file), passphrase, cli.operation);
          if (!result.ok) throw new Error('the backup’s passphrase is wrong; nothing was changed');
        } finally {
          passphrase.fill(0);
        }
        cli.out(`The vault was restored from ${file}.\n`);
      }),
    );

  vault
    .command('passphrase')
    .description('change the vault passphrase')
    .action(() =>
      withVault(cli, async (services) => {
        const current = await cli.secrets.read('Current vault passphrase: ');
        let next: Buffer | null = null;
        try {
          next = await readNewPassphrase(cli);
          const result = await services.vault.changePassphrase(current, next, cli.operation);
          if (!result.ok) throw new Error('the current passphrase is wrong; nothing was changed');
        } finally {
          current.fill(0);
          next?.fill(0);
        }
        cli.out('The vault passphrase was changed.\n');
      }),
    );

  vault
    .command('config')
    .description('change vault settings')
    .option('--idle-lock <minutes>', 'lock the vault after this many idle minutes (1-480)', positiveInteger)
    .option('--personal-number <rule>', 'digits:<length>:<mod11-10|luhn|none> or pattern:<regex>', personalNumberRule)
    .action((options: { idleLock?: number; personalNumber?: PersonalNumberRule }) =>
      withVault(cli, async (services) => {
        if (options.idleLock !== undefined && options.idleLock > 480) throw new Error('--idle-lock must be 1 to 480 minutes');
        // The personal-number rule changes only with the vault unlocked.
        if (options.personalNumber !== undefined) await unlockVault(cli, services);
        const status = await services.vault.updateSettings(
          { ...(options.idleLock === undefined ? {} : { idleLockMinutes: options.idleLock }), ...(options.personalNumber === undefined ? {} : { personalNumberRule: options.personalNumber }) },
          cli.operation,
        );
        cli.out(formatStatus(status));
      }),
    );
}
