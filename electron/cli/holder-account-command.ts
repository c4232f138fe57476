/**
 * `carddesk holder contact show|change|verify HOLDER …` and `carddesk holder document
 * submit|approve|reject|show HOLDER …`: the holder account's contact data and identity document
 * (issue 15) from the command line, through the same services as the desk. An operator's change
 * of contact data needs --reason (recorded) and starts the 6-day cooldown; a document takes effect
 * when approved.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { contactFields, type ContactField, type ContactView, type DocumentView } from '../shared/schemas/account-contact';
import { createAccountContactServices, type AccountContactPorts } from '../core/account/account-contact-services';
import { accountPortsFor } from './account-ports';
import { notifyServicesFor } from '../core/notify/notify-services';
import { LetterOutbox } from '../core/letters/outbox';
import { defaultIssuancePolicy } from '../shared/schemas/lifecycle';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { FORCE_HELP, PRIVATE_FILE_MODE, writeOutputFile } from './output-file';
import { printJson, unlockVault, withVault } from './vault-session';

function contactText(c: ContactView): string {
  const flag = (verified: boolean, value: string) => (value === '' ? '(none)' : `${value}  ${verified ? 'verified' : 'not verified'}`);
  return [
    `email   ${flag(c.emailVerified, c.email)}`,
    `mobile  ${flag(c.mobileVerified, c.mobile)}`,
    `next change of email or mobile: ${c.cooldownUntil === null ? 'allowed now' : `refused until ${c.cooldownUntil}`}`,
  ].join('\n') + '\n';
}

function documentText(d: DocumentView): string {
  const lines = [`document ${d.documentNumber === '' ? '(none)' : d.documentNumber}, expires ${d.documentExpiry ?? '(none)'}${d.expiresSoon ? '  (expires within 60 days or has expired)' : ''}`];
  if (d.pending !== null) lines.push(`pending  ${d.pending.id}  ${d.pending.documentNumber}  expires ${d.pending.documentExpiry}  ${d.pending.scanType}, ${d.pending.scanBytes} bytes, submitted ${d.pending.submittedAt} by the ${d.pending.submittedBy}`);
  if (d.last !== null) lines.push(`last     ${d.last.id}  ${d.last.state}${d.last.reason === null ? '' : `: ${d.last.reason}`}`);
  return `${lines.join('\n')}\n`;
}

export function registerHolderAccountCommands(program: Command, cli: CliContext, ports: (services: VaultServices) => AccountContactPorts = (vault) => accountPortsFor(cli, vault)): void {
  const holder = program.commands.find((command) => command.name() === 'holder') ?? program.command('holder');
  const servicesOf = (vault: VaultServices) =>
    createAccountContactServices({
      vault,
      audit: cli.audit,
      lifecycle: {
        deps: {
          outbox: new LetterOutbox(join(cli.dataDir, 'outbox'), vault.access),
          policy: () => vault.access.storage().meta.settings.issuancePolicy ?? defaultIssuancePolicy,
        },
      },
      ...ports(vault),
    });
  const field = () => new Option('--field <field>', 'email or mobile').choices(contactFields).makeOptionMandatory();

  const contact = holder.command('contact').description("a holder's email and mobile, with their verified flags and the cooldown");
  contact
    .command('show')
    .argument('<holder>', 'id, personal number or user number')
    .option('--json', 'print machine-readable JSON')
    .description('show the contact data, verified flags and cooldown')
    .action((reference: string, o: { json?: boolean }) =>
      withVault(cli, (vault) => {
        const view = servicesOf(vault).contact.view(vault.directory.find(reference).id);
        if (o.json === true) printJson(cli, view);
        else cli.out(contactText(view));
        return Promise.resolve();
      }),
    );
  contact
    .command('change')
    .argument('<holder>', 'id, personal number or user number')
    .addOption(field())
    .requiredOption('--value <value>', 'the new email address or mobile number')
    .requiredOption('--reason <text>', 'why the operator changes it (recorded in the audit log)')
    .option('--json', 'print machine-readable JSON')
    .description("an operator's change (no codes; the new value is unverified, and the 6-day cooldown starts)")
    .action((reference: string, o: { field: ContactField; value: string; reason: string; json?: boolean }) =>
      withVault(cli, async (vault) => {
        const view = await servicesOf(vault).contact.operatorChange(vault.directory.find(reference).id, o.field, o.value, o.reason, cli.operation);
        if (o.json === true) printJson(cli, view);
        else cli.out(contactText(view));
      }),
    );
  contact
    .command('verify')
    .argument('<holder>', 'id, personal number or user number')
    .addOption(field())
    .description('send a one-time code to the address on record and ask for it (the holder reads it out): verified when it matches')
    .action((reference: string, o: { field: ContactField }) =>
      withVault(cli, async (vault) => {
        // The code is sealed in the outbox (the vault unlocked) and sent at once: the app cannot
        // send it while this command holds the data folder.
        await unlockVault(cli, vault);
        const { contact: service } = servicesOf(vault);
        const id = vault.directory.find(reference).id;
        const begun = await service.beginVerify(id, o.field, cli.operation);
        if (!begun.ok) throw new Error(`no code was sent: ${begun.reason}`);
        const drained = await notifyServicesFor(vault, cli.log).sender.drain();
        if (drained.sent === 0) throw new Error('the code could not be sent now (see `carddesk notify outbox --failed` and the message settings)');
        cli.out(`A code was sent to ${begun.newSentTo}.\n`);
        const code = await cli.secrets.read('Code: ');
        try {
          const done = await service.confirmVerify(id, o.field, code.toString('utf8').trim(), cli.operation);
          if (!done.ok) throw new Error(`not verified: ${done.reason}`);
          cli.out(contactText(done.contact));
        } finally {
          code.fill(0);
        }
      }),
    );

  const document = holder.command('document').description("a holder's identity document: submissions and their approval");
  document
    .command('show')
    .argument('<holder>', 'id, personal number or user number')
    .option('--json', 'print machine-readable JSON')
    .option('--scan-out <file>', 'also write the pending submission\'s scan here (mode 0600; asks for the vault passphrase)')
    .option('--force', FORCE_HELP)
    .description('show the document, its expiry warning and any pending submission')
    .action((reference: string, o: { json?: boolean; scanOut?: string; force?: boolean }) =>
      withVault(cli, async (vault) => {
        const { documents } = servicesOf(vault);
        const view = documents.view(vault.directory.find(reference).id);
        if (o.json === true) printJson(cli, view);
        else cli.out(documentText(view));
        if (o.scanOut !== undefined) {
          if (view.pending === null) throw new Error('there is no pending submission whose scan could be written');
          await unlockVault(cli, vault);
          const scan = await documents.scan(view.pending.id, cli.operation);
          await writeOutputFile(resolve(o.scanOut), Buffer.from(scan.base64, 'base64'), { mode: PRIVATE_FILE_MODE, force: o.force });
        }
      }),
    );
  document
    .command('submit')
    .argument('<holder>', 'id, personal number or user number')
    .requiredOption('--number <number>', 'the new document number')
    .requiredOption('--expiry <date>', 'its expiry (YYYY-MM-DD)')
    .requiredOption('--scan <file>', 'a scan: PDF, PNG or JPEG (5 MB at most); stored sealed')
    .description('submit a new document for the holder (pending until approved; asks for the vault passphrase)')
    .action((reference: string, o: { number: string; expiry: string; scan: string }) =>
      withVault(cli, async (vault) => {
        const id = vault.directory.find(reference).id;
        await unlockVault(cli, vault);
        const result = await servicesOf(vault).documents.submit(id, { documentNumber: o.number, documentExpiry: o.expiry, scan: readFileSync(resolve(o.scan)) }, cli.operation);
        if (!result.ok) throw new Error(`the document was not submitted: ${result.reason}`);
        cli.out(documentText(result.document));
      }),
    );
  document
    .command('approve')
    .argument('<holder>', 'id, personal number or user number')
    .description("approve the pending submission: the holder's document number and expiry change")
    .action((reference: string) =>
      withVault(cli, async (vault) => {
        const { documents } = servicesOf(vault);
        const pending = documents.view(vault.directory.find(reference).id).pending;
        if (pending === null) throw new Error('there is no pending submission to approve');
        cli.out(documentText(await documents.approve(pending.id, cli.operation)));
      }),
    );
  document
    .command('reject')
    .argument('<holder>', 'id, personal number or user number')
    .requiredOption('--reason <text>', 'why (recorded, and shown to the holder)')
    .description('reject the pending submission')
    .action((reference: string, o: { reason: string }) =>
      withVault(cli, async (vault) => {
        const { documents } = servicesOf(vault);
        const pending = documents.view(vault.directory.find(reference).id).pending;
        if (pending === null) throw new Error('there is no pending submission to reject');
        cli.out(documentText(await documents.reject(pending.id, o.reason, cli.operation)));
      }),
    );
}
