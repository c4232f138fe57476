/** `carddesk holder add|update|list|show|import|export|card-add`: the directory (a card's life cycle is `carddesk card …`). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  HolderLanguageSchema,
  HolderStateSchema,
  holderSortFields,
  type Holder,
  type HolderInput,
  type HolderSaveResult,
} from '../shared/schemas/holders';
import { emptyHolderInput } from '../shared/holder-defaults';
import type { CliContext } from './cli-context';
import { describeFileProblem, describeProblems } from './messages';
import { FORCE_HELP, PRIVATE_FILE_MODE, writeOutputFile } from './output-file';
import { positiveInteger } from './parse-options';
import { printJson, withVault } from './vault-session';

/** The holder fields as options, in the words of the CSV columns. */
const fieldOptions: readonly [keyof HolderInput, string, string][] = [
  ['personalNumber', '--personal-number <number>', 'personal number'],
  ['firstName', '--first-name <name>', 'first name'],
  ['lastName', '--last-name <name>', 'last name'],
  ['email', '--email <address>', 'email address'],
  ['mobile', '--mobile <number>', 'mobile number, international form (+383…)'],
  ['organisation', '--organisation <name>', 'organisation'],
  ['contactPerson', '--contact-person <name>', 'contact person'],
  ['documentNumber', '--document-number <number>', 'identity document number'],
  ['documentExpiry', '--document-expiry <date>', 'identity document expiry (YYYY-MM-DD)'],
  ['street', '--street <street>', 'postal address: street and house number'],
  ['postcode', '--postcode <postcode>', 'postal address: postcode'],
  ['city', '--city <city>', 'postal address: city'],
  ['country', '--country <code>', 'postal address: country, ISO 3166 two-letter code (XK, AL, IT, NL)'],
  ['contactStreet', '--contact-street <street>', "contact person's address: street and house number"],
  ['contactPostcode', '--contact-postcode <postcode>', "contact person's address: postcode"],
  ['contactCity', '--contact-city <city>', "contact person's address: city"],
  ['contactCountry', '--contact-country <code>', "contact person's address: country, two-letter code"],
];

function addFieldOptions(command: Command): Command {
  for (const [, flags, description] of fieldOptions) command.option(flags, description);
  command.addOption(new Option('--language <language>', 'preferred language').choices(HolderLanguageSchema.options));
  command.addOption(new Option('--state <state>', 'holder state').choices(HolderStateSchema.options));
  return command;
}

function fieldsFrom(options: Record<string, string | undefined>, base: HolderInput): HolderInput {
  const input: Record<string, string> = { ...base };
  for (const [field] of fieldOptions) {
    const value = options[field];
    if (value !== undefined) input[field] = value;
  }
  return {
    ...(input as unknown as HolderInput),
    language: HolderLanguageSchema.parse(options['language'] ?? base.language),
    state: HolderStateSchema.parse(options['state'] ?? base.state),
  };
}

function holderLine(h: Holder): string {
  return `${h.userNumber}  ${h.personalNumber.padEnd(12)}  ${`${h.lastName}, ${h.firstName}`.padEnd(28)}  ${h.state.padEnd(9)}  ${h.email}\n`;
}

function report(cli: CliContext, result: HolderSaveResult, json: boolean | undefined): void {
  if (!result.ok) throw new Error(`The holder was not saved. ${describeProblems(result.problems)}`);
  if (json === true) printJson(cli, result.holder);
  else cli.out(`Saved ${result.holder.lastName}, ${result.holder.firstName}: user number ${result.holder.userNumber}, id ${result.holder.id}\n`);
}

export function registerHolderCommand(program: Command, cli: CliContext): void {
  const holder = program.command('holder').description('the directory of holders and their cards');

  addFieldOptions(holder.command('add').description('add a holder').option('--json', 'print the saved holder as JSON')).action(
    (options: Record<string, string | undefined> & { json?: boolean }) =>
      withVault(cli, async (services) => report(cli, await services.directory.create(fieldsFrom(options, emptyHolderInput), cli.operation), options.json)),
  );

  addFieldOptions(holder.command('update').argument('<holder>', 'id, personal number or user number').description('change a holder').option('--json', 'print the saved holder as JSON')).action(
    (reference: string, options: Record<string, string | undefined> & { json?: boolean }) =>
      withVault(cli, async (services) => {
        const current = services.directory.find(reference);
        report(cli, await services.directory.update(current.id, current.version, fieldsFrom(options, current), cli.operation), options.json);
      }),
  );

  holder
    .command('list')
    .option('--query <text>', 'words to look for in any field', '')
    .addOption(new Option('--state <state>', 'only this state').choices(HolderStateSchema.options))
    .addOption(new Option('--sort <field>', 'sort by').choices(holderSortFields).default('lastName'))
    .option('--desc', 'descending order')
    .option('--offset <n>', 'skip this many', (v) => Number(v), 0)
    .option('--limit <n>', 'at most this many', positiveInteger, 50)
    .option('--json', 'print machine-readable JSON')
    .description('search holders')
    .action((o: { query: string; state?: string; sort: string; desc?: boolean; offset: number; limit: number; json?: boolean }) =>
      withVault(cli, (services) => {
        const result = services.directory.search({
          query: o.query,
          state: o.state === undefined ? undefined : HolderStateSchema.parse(o.state),
          language: undefined,
          sort: o.sort as (typeof holderSortFields)[number],
          direction: o.desc === true ? 'desc' : 'asc',
          offset: o.offset,
          limit: Math.min(o.limit, 500),
        });
        if (o.json === true) printJson(cli, result);
        else {
          for (const item of result.items) cli.out(holderLine(item));
          cli.out(`${result.total} holder(s)\n`);
        }
        return Promise.resolve();
      }),
    );

  holder
    .command('show')
    .argument('<holder>', 'id, personal number or user number')
    .option('--json', 'print machine-readable JSON')
    .description('show a holder with cards and certificates')
    .action((reference: string, o: { json?: boolean }) =>
      withVault(cli, (services) => {
        const found = services.directory.find(reference);
        const cards = services.directory.cardsOf(found.id);
        const certificates = services.certificates.list({ query: '', holderId: found.id, offset: 0, limit: 500 }).items;
        if (o.json === true) printJson(cli, { holder: found, cards, certificates });
        else {
          cli.out(holderLine(found));
          for (const card of cards) cli.out(`  card ${card.serial}  ${card.state}\n`);
          for (const cert of certificates) cli.out(`  certificate ${cert.serial}  ${cert.profile}  ${cert.status}\n`);
        }
        return Promise.resolve();
      }),
    );

  holder
    .command('import')
    .argument('<file>', 'CSV with a header row (personalNumber, firstName, lastName, …)')
    .description('import holders: every row, or none with a report of each bad row')
    .action((file: string) =>
      withVault(cli, async (services) => {
        const result = await services.directory.importCsv(readFileSync(resolve(file), 'utf8'), cli.operation);
        if (result.ok) {
          cli.out(`Imported ${result.imported} holder(s).\n`);
          return;
        }
        for (const problem of result.fileProblems) cli.out(`${describeFileProblem(problem)}\n`);
        for (const row of result.badRows) cli.out(`line ${row.line} (${row.personalNumber || 'no personal number'}): ${describeProblems(row.problems)}\n`);
        throw new Error(`nothing was imported: ${result.badRows.length} of ${result.rows} row(s) have problems${result.fileProblems.length > 0 ? ', and the file itself has problems' : ''}`);
      }),
    );

  holder
    .command('export')
    .option('--out <file>', 'write here instead of stdout (mode 0600)')
    .option('--force', FORCE_HELP)
    .option('--query <text>', 'only holders matching these words', '')
    .description('export holders as CSV (the columns import reads)')
    .action((o: { out?: string; force?: boolean; query: string }) =>
      withVault(cli, async (services) => {
        const csv = await services.directory.exportCsv({ query: o.query, sort: 'lastName', direction: 'asc', offset: 0, limit: 500 }, cli.operation);
        if (o.out === undefined) cli.out(csv);
        else await writeOutputFile(resolve(o.out), csv, { mode: PRIVATE_FILE_MODE, force: o.force });
      }),
    );

  holder
    .command('card-add')
    .argument('<serial>', 'card serial')
    .option('--holder <reference>', 'the holder the card is for')
    .description('register a blank card in the directory')
    .action((serial: string, o: { holder?: string }) =>
      withVault(cli, async (services) => {
        const card = await services.directory.registerCard(serial, o.holder === undefined ? null : services.directory.find(o.holder).id, cli.operation);
        cli.out(`Card ${card.serial} registered (${card.state}).\n`);
      }),
    );
}
