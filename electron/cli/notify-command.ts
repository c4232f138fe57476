/**
 * `carddesk notify smtp|sms|test|outbox|retry|send`: the holder notifications from a script. The
 * SMTP password is read like every secret (a prompt without echo, or a line of stdin after the
 * vault passphrase), sealed in the vault, and never printed; `notify smtp` without options shows
 * the settings with only whether a password is set.
 *
 * Messages queued by CLI commands wait in the vault's outbox: the app's sender sends them while
 * it runs with the vault unlocked, or `notify send` sends what is due now.
 */
import { Option, type Command } from 'commander';
import { SmsGatewaySettingsSchema, SmtpSettingsInputSchema, type NotifySettingsView, type SmtpSecurity } from '../shared/schemas/account-notify';
import { outboxMessage } from '../core/api/notify-handlers';
import { notifyServicesFor, type NotifyServices } from '../core/notify/notify-services';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';

/** Exit code of a test message that did not go, as the card commands use it for a refusal. */
const EXIT_REFUSED = 3;

const failures: Record<string, string> = {
  notConfigured: 'there are no settings for that channel yet (see `carddesk notify smtp` and `notify sms`)',
  refused: 'the server or gateway refused the message',
  unreachable: 'the server or gateway could not be reached',
  tls: 'the secure connection failed (check the security setting and the server certificate)',
  auth: 'the server refused the user name or password',
};

function services(cli: CliContext, vault: VaultServices): NotifyServices {
  return notifyServicesFor(vault, cli.log);
}

function showSettings(cli: CliContext, view: NotifySettingsView): void {
  const smtp = view.smtp;
  cli.out(
    smtp === null
      ? 'SMTP: not set\n'
      : `SMTP: ${smtp.host}:${smtp.port} (${smtp.security}), user ${smtp.user === '' ? '(none)' : smtp.user}, password ${smtp.passwordSet ? 'set' : 'not set'}, from ${smtp.fromName === '' ? '' : `${smtp.fromName} `}<${smtp.fromAddress}>\n`,
  );
  cli.out(view.sms === null ? 'SMS gateway: not set\n' : `SMS gateway: ${view.sms.method} ${view.sms.url}  template ${view.sms.template}\n`);
}

export function registerNotifyCommand(program: Command, cli: CliContext): void {
  const notify = program.command('notify').description('holder notifications: SMTP and SMS settings, a test message, the outbox');

  notify
    .command('smtp')
    .description('show or set the SMTP server; with --user the password is asked for (empty for none) unless --keep-password')
    .option('--host <host>', 'the SMTP server')
    .option('--port <port>', 'its port (465 for tls, 587 for starttls, 25 for none)', positiveInteger)
    .addOption(new Option('--security <security>', 'implicit TLS, STARTTLS or neither').choices(['tls', 'starttls', 'none']))
    .option('--user <user>', 'the user name to sign in with (omit for none)')
    .option('--keep-password', 'keep the stored password')
    .option('--from <address>', 'the sender address')
    .option('--name <name>', 'the sender name', '')
    .option('--remove', 'remove the SMTP settings')
    .option('--json', 'print machine-readable JSON')
    .action((o: { host?: string; port?: number; security?: SmtpSecurity; user?: string; keepPassword?: boolean; from?: string; name: string; remove?: boolean; json?: boolean }) =>
      withVault(cli, async (vault) => {
        const n = services(cli, vault);
        let view = n.settings.view();
        if (o.remove === true) view = await n.setSettings({ smtp: null }, cli.operation);
        else if (o.host !== undefined || o.from !== undefined) {
          if (o.host === undefined || o.from === undefined) throw new Error('--host and --from are both needed to set the SMTP server');
          await unlockVault(cli, vault);
          const security = o.security ?? 'starttls';
          let password: string | undefined;
          if (o.user === undefined || o.user === '') password = '';
          else if (o.keepPassword !== true) {
            const secret = await cli.secrets.read('SMTP password (empty for none): ');
            password = secret.toString('utf8');
            secret.fill(0);
          }
          const input = SmtpSettingsInputSchema.parse({ host: o.host, port: o.port ?? (security === 'tls' ? 465 : security === 'starttls' ? 587 : 25), security, user: o.user ?? '', password, fromAddress: o.from, fromName: o.name });
          view = await n.setSettings({ smtp: input }, cli.operation);
        }
        if (o.json === true) printJson(cli, view);
        else showSettings(cli, view);
      }),
    );

  notify
    .command('sms')
    .description('show or set the SMS gateway: {{to}} and {{text}} in the template are replaced by the number and the text')
    .option('--url <url>', 'the gateway address (http or https)')
    .addOption(new Option('--method <method>', 'GET (template is the query) or POST (template is the body)').choices(['GET', 'POST']).default('POST'))
    .option('--template <template>', 'e.g. \'{"to":"{{to}}","text":"{{text}}"}\' or to={{to}}&text={{text}}')
    .option('--remove', 'remove the SMS gateway')
    .action((o: { url?: string; method: 'GET' | 'POST'; template?: string; remove?: boolean }) =>
      withVault(cli, async (vault) => {
        const n = services(cli, vault);
        let view = n.settings.view();
        if (o.remove === true) view = await n.setSettings({ sms: null }, cli.operation);
        else if (o.url !== undefined) view = await n.setSettings({ sms: SmsGatewaySettingsSchema.parse({ url: o.url, method: o.method, template: o.template ?? '' }) }, cli.operation);
        showSettings(cli, view);
      }),
    );

  notify
    .command('test')
    .description('send a test message now (email, or SMS with --sms) and say how it went')
    .requiredOption('--to <address>', 'the email address or mobile number')
    .option('--sms', 'through the SMS gateway')
    .addOption(new Option('--language <language>', 'the language of the message').choices(['en', 'sq', 'it', 'nl']).default('en'))
    .action((o: { to: string; sms?: boolean; language: 'en' | 'sq' | 'it' | 'nl' }) =>
      withVault(cli, async (vault) => {
        await unlockVault(cli, vault);
        const result = await services(cli, vault).sender.sendTest({ channel: o.sms === true ? 'sms' : 'email', to: o.to, language: o.language }, cli.operation);
        if (result.ok) cli.out(`sent to ${o.to}: Message-ID ${result.messageId} (${result.response})\n`);
        else {
          process.stderr.write(`The test message was not sent: ${failures[result.reason] ?? result.reason} (${result.error}).\n`);
          process.exitCode = EXIT_REFUSED;
        }
      }),
    );

  notify
    .command('outbox')
    .description('the messages in the outbox, newest first: queued, sent, or failed after their last try')
    .option('--failed', 'only the failed ones')
    .option('--limit <n>', 'at most this many', positiveInteger, 200)
    .option('--json', 'print machine-readable JSON')
    .action((o: { failed?: boolean; limit: number; json?: boolean }) =>
      withVault(cli, (vault) => {
        const n = services(cli, vault);
        const messages = n.outbox.list({ failed: o.failed === true, limit: o.limit }).map(outboxMessage);
        if (o.json === true) printJson(cli, { messages, counts: n.outbox.counts() });
        else {
          for (const m of messages) {
            cli.out(`${m.createdAt}  ${m.state.padEnd(6)}  ${m.kind.padEnd(19)} ${m.channel.padEnd(5)} ${m.to}  tries ${m.attempts}${m.lastError === null ? '' : `  last error: ${m.lastError}`}  ${m.id}\n`);
          }
          const counts = n.outbox.counts();
          cli.out(`${counts.queued} queued, ${counts.sent} sent, ${counts.failed} failed\n`);
        }
        return Promise.resolve();
      }),
    );

  notify
    .command('retry')
    .argument('<id>', 'the message id (from `notify outbox --failed`)')
    .description('try a failed message again (it is sent by the app, or by `notify send`)')
    .action((id: string) =>
      withVault(cli, async (vault) => {
        const message = await services(cli, vault).outbox.retry(id, cli.operation);
        cli.out(`${message.id}: queued again\n`);
      }),
    );

  notify
    .command('send')
    .description('send the messages that are due now (the app does this by itself while it runs unlocked)')
    .action(() =>
      withVault(cli, async (vault) => {
        await unlockVault(cli, vault);
        const result = await services(cli, vault).sender.drain();
        cli.out(`${result.sent} sent, ${result.retried} to be tried again, ${result.failed} failed, ${result.waiting} waiting for settings\n`);
      }),
    );
}
