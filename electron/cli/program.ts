/**
 * `carddesk`: every operator capability without a screen. Commands group by feature
 * (readers, vault, ca, card, vcard, audit, bench) as the later parts of the product arrive.
 */
import { Command, InvalidArgumentError } from 'commander';
import { appName, appVersion } from '../core/version';
import { formatReaders, snapshotReaders } from './readers-command';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command('carddesk')
    .description(`${appName}: smart cards, certificates and the local CA from the command line.`)
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('version')
    .description('print the CardDesk version')
    .action(() => {
      process.stdout.write(`${appName} ${appVersion}\n`);
    });

  program
    .command('readers')
    .description('list the PC/SC readers and the cards in them')
    .option('--json', 'print machine-readable JSON')
    .option('--timeout <ms>', 'how long to wait for every reader to report', positiveInteger, 3000)
    .action(async (options: { json?: boolean; timeout: number }) => {
      const list = await snapshotReaders(options.timeout);
      process.stdout.write(options.json === true ? `${JSON.stringify(list, null, 2)}\n` : formatReaders(list));
      if (list.service.status !== 'running') process.exitCode = 2;
    });

  return program;
}
