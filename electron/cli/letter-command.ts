/**
 * `carddesk letter list|send|mark-sent|folder|printer`: the letters in the outbox, the mailing
 * house's drop folder and the printer, from a script. `send --to printer` hands the letter to the
 * machine's print system (CUPS, as the app does); where there is none it is refused with the
 * reason. A letter's content is never printed on the terminal.
 */
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { LetterFileNameSchema, type LetterRefusal, type LetterSendResult } from '../shared/schemas/letters';
import { LetterOutbox } from '../core/letters/outbox';
import { findCupsPrinter } from '../core/letters/cups-printer';
import { LetterService } from '../core/letters/letter-service';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { printJson, withVault } from './vault-session';

/** Exit code of a refused send, as the card commands use it. */
const EXIT_REFUSED = 3;

const refusals: Record<LetterRefusal, string> = {
  printerUnavailable: 'there is no print system (CUPS) on this computer; send the letter to the drop folder',
  printFailed: 'the printer refused the letter or did not take it in time; the letter is still waiting',
  printSystemDown: 'the print system (CUPS) on this computer is not running; the letter is still waiting',
  noPrinter: 'the chosen printer is not there, or none is chosen and there is no default printer: see `carddesk letter printer`',
  noFolder: 'no drop folder is chosen: set one with `carddesk letter folder PATH`',
  folderUnavailable: 'the drop folder cannot be written; check it with `carddesk letter folder`',
  alreadyInFolder: 'a file with this name is in the drop folder already; nothing was overwritten',
  alreadySent: 'the letter was sent already',
  withdrawn: 'the letter was withdrawn: a later PIN replaced it',
  missing: "the letter's file is no longer in the outbox",
};

function letterService(cli: CliContext, services: VaultServices): LetterService {
  // The CLI records into the vault's audit trail, as every command does.
  return new LetterService({
    outbox: new LetterOutbox(join(cli.dataDir, 'outbox'), services.access),
    audit: services.audit,
    settings: cli.settings,
    printer: findCupsPrinter(),
  });
}

function report(cli: CliContext, result: LetterSendResult): void {
  if (result.ok) cli.out(`${result.letter.fileName}: sent (${result.letter.sentVia ?? ''})\n`);
  else {
    process.stderr.write(`The letter was not sent: ${refusals[result.reason]}.\n`);
    process.exitCode = EXIT_REFUSED;
  }
}

export function registerLetterCommand(program: Command, cli: CliContext): void {
  const letter = program.command('letter').description('PIN letters: list them, send them to the drop folder, mark them sent');

  letter
    .command('list')
    .requiredOption('--holder <holder>', 'id, personal number or user number')
    .option('--json', 'print machine-readable JSON')
    .description("a holder's letters, newest first, with their state")
    .action((o: { holder: string; json?: boolean }) =>
      withVault(cli, (services) => {
        const letters = letterService(cli, services).list(services.directory.find(o.holder).id);
        if (o.json === true) printJson(cli, letters);
        else for (const l of letters) cli.out(`${l.fileName}  ${l.kind === 'pin' ? 'PIN' : 'user number'}  ${l.state}${l.sentVia === null ? '' : ` (${l.sentVia}, ${l.sentAt ?? ''})`}\n`);
        return Promise.resolve();
      }),
    );

  letter
    .command('send')
    .argument('<file>', 'the letter file name in the outbox')
    .addOption(new Option('--to <route>', 'where it goes').choices(['folder', 'printer']).default('folder'))
    .description('send a waiting letter to the drop folder (0600, written under a temporary name, then renamed) or straight to the printer chosen with `letter printer`')
    .action((file: string, o: { to: 'folder' | 'printer' }) =>
      withVault(cli, async (services) => report(cli, await letterService(cli, services).send(LetterFileNameSchema.parse(file), o.to, cli.operation))),
    );

  letter
    .command('mark-sent')
    .argument('<file>', 'the letter file name in the outbox')
    .description('record a letter as sent by other means (a sent PIN letter leaves the outbox)')
    .action((file: string) => withVault(cli, async (services) => report(cli, await letterService(cli, services).markSent(LetterFileNameSchema.parse(file), cli.operation))));

  letter
    .command('folder')
    .argument('[path]', "the mailing house's drop folder (an existing folder, full path)")
    .option('--none', 'no drop folder')
    .description('show or choose the drop folder')
    .action((path: string | undefined, o: { none?: boolean }) =>
      withVault(cli, async (services) => {
        const letters = letterService(cli, services);
        const current = await letters.settings();
        if (path === undefined && o.none !== true) {
          cli.out(`${current.folder ?? '(none)'}\n`);
          return;
        }
        const result = await letters.updateSettings({ folder: o.none === true ? null : (path ?? null), printer: current.printer }, cli.operation);
        if (!result.ok) throw new Error(`the drop folder was not changed: ${result.problem}`);
        cli.out(`${result.settings.folder ?? '(none)'}\n`);
      }),
    );

  letter
    .command('printer')
    .argument('[name]', 'a printer (CUPS queue) of this computer that letters go to')
    .option('--default', "the system's default printer")
    .description('list the printers and show the chosen one, or choose one')
    .action((name: string | undefined, o: { default?: boolean }) =>
      withVault(cli, async (services) => {
        const letters = letterService(cli, services);
        const current = await letters.settings();
        if (!current.printing) throw new Error(refusals.printerUnavailable);
        if (name === undefined && o.default !== true) {
          if (current.printSystem === 'stopped') throw new Error(refusals.printSystemDown);
          for (const queue of current.printers) cli.out(`${queue === current.printer ? '*' : ' '} ${queue}${queue === current.defaultPrinter ? '  (system default)' : ''}\n`);
          if (current.printer === null) cli.out(`letters go to the system's default printer (${current.defaultPrinter ?? 'none is set'})\n`);
          return;
        }
        const result = await letters.updateSettings({ folder: current.folder, printer: o.default === true ? null : (name ?? null) }, cli.operation);
        if (!result.ok) throw new Error(`the printer was not changed: ${result.problem === 'printSystemDown' ? refusals.printSystemDown : `there is no printer ${name ?? ''} on this computer`}`);
        cli.out(`${result.settings.printer ?? '(system default)'}\n`);
      }),
    );
}
