/**
 * `carddesk signin` / `signout` (issue 17 §3): an operator signs the CLI in once with their
 * operator card and PIN — the same checks as the desk's sign-in screen (cardSignInFor) — and gets
 * a CLI session for this machine and OS account (8 hours by default), kept as a private file in
 * the data folder; later commands act for that operator with their roles as they are at each use.
 * Signing in again replaces the session; `signout` revokes it and removes the file.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { directoryCardOwners } from '../core/cards/card-owners';
import { CliCredentials } from '../core/operators/cli-credentials';
import { cardSignInFor } from '../core/operators/session-wiring';
import type { VaultServices } from '../core/vault/vault-services';
import { withCardRuntime } from './card-runtime';
import { chooseReader } from './reader-choice';
import { currentBinding, sessionFileOf } from './cli-authorisation';
import type { CliContext } from './cli-context';
import { PRIVATE_FILE_MODE, writeOutputFile } from './output-file';
import { positiveInteger } from './parse-options';
import { withVault } from './vault-session';

/** Revokes the session the file holds, if it is still one of this desk's; removes the file. */
async function endSavedSession(cli: CliContext, services: VaultServices): Promise<boolean> {
  const path = sessionFileOf(cli.dataDir);
  let secret: string;
  try {
    secret = (await readFile(path, 'utf8')).trim();
  } catch {
    return false;
  }
  const credentials = new CliCredentials(services.access, services.audit, services.operators);
  const check = credentials.check(secret, currentBinding());
  if (check.ok) await credentials.revoke(check.credential.id, { actor: { kind: 'operator', id: check.session.operatorId }, channel: 'cli' });
  await rm(path, { force: true });
  return check.ok;
}

export function registerSigninCommands(program: Command, cli: CliContext): void {
  program
    .command('signin')
    .description('sign the CLI in with your operator card and PIN: later commands act for you, on this machine and account, for --hours (default 8)')
    .option('--reader <name>', 'the reader (default: the only one holding a card)')
    .option('--hours <n>', 'how long the session lasts (1-12)', positiveInteger, 8)
    .option('--out <file>', 'write the session to this file (0600) for --credential, instead of this account\u2019s default session (a second operator at the same account)')
    .action((options: { reader?: string; hours: number; out?: string }) =>
      withVault(cli, async (services) => {
        if (options.hours > 12) throw new Error('--hours is at most 12: sign in again for the next shift.');
        if (!services.operators.bootstrapOver()) throw new Error('This desk has no CA administrator with an operator card yet: commands run as this account without signing in.');
        await withCardRuntime(
          cli,
          async ({ readers, holds }) => {
            const reader = chooseReader(readers, options.reader);
            const pin = await cli.secrets.read('Operator card PIN: ');
            const result = await cardSignInFor({ vault: services, connector: holds, lookup: services.operators, audit: services.audit }).signIn(reader, pin, 'cli');
            if (!result.ok) {
              process.stderr.write(`${result.message}\n`);
              process.exitCode = 3;
              return;
            }
            if (options.out === undefined) await endSavedSession(cli, services);
            const operation = { actor: { kind: 'operator', id: result.operator.id }, channel: 'cli' } as const;
            const opened = await new CliCredentials(services.access, services.audit, services.operators).openSession(
              { operatorId: result.operator.id, name: result.operator.name, cardSerial: result.cardSerial, boundTo: currentBinding(), hours: options.hours },
              operation,
            );
            const path = options.out ?? sessionFileOf(cli.dataDir);
            if (options.out === undefined) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
            await writeOutputFile(path, `${opened.secret}\n`, { mode: PRIVATE_FILE_MODE, force: options.out === undefined });
            cli.out(`Signed in as ${result.operator.name} (${result.operator.roles.join(', ')}) until ${opened.credential.expiresAt}${options.out === undefined ? '. `carddesk signout` ends it' : `; the session is in ${options.out} (use --credential)`}.\n`);
          },
          { owners: directoryCardOwners(services.directory, cli.log) },
        );
      }),
    );

  program
    .command('signout')
    .description('end the CLI session `carddesk signin` opened for this account')
    .action(() =>
      withVault(cli, async (services) => {
        cli.out((await endSavedSession(cli, services)) ? 'Signed out.\n' : 'No CLI session was open.\n');
      }),
    );
}
