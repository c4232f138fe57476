import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { FileCardStateStore } from '../vcard/card-state';
import { VirtualCardServer } from '../vcard/card-server';
import { VirtualPivCard } from '../vcard/piv-card';
import type { CliContext } from './cli-context';
import { positiveInteger } from './parse-options';

function readerIndex(value: string): number {
  const index = Number(value);
  if (!Number.isInteger(index) || index < 0 || index > 9) throw new Error('--reader must be a vpcd reader index from 0 to 9');
  return index;
}

export function registerVcardCommands(program: Command, cli: CliContext): void {
  const vcard = program.command('vcard').description('the virtual PIV card, served to the system through the vpcd reader driver');

  vcard
    .command('serve')
    .description('put a virtual PIV card into a vpcd reader (0 → port 35963, 1 → 35964) until stopped')
    .requiredOption('--state <file>', 'the card’s memory; created factory-fresh when missing')
    .option('--reader <index>', 'vpcd reader index', readerIndex, 0)
    .option('--serial <number>', 'serial number for a new card', positiveInteger)
    .option('--removed', 'start with the card out of the reader')
    .addHelpText(
      'after',
      '\nWhile it runs: type "insert" or "remove" (or i / r) and Enter, or send SIGUSR1 (insert) / SIGUSR2 (remove).\n' +
        'Ctrl-C, "quit" or SIGTERM takes the card out and stops.',
    )
    .action(async (options: { state: string; reader: number; serial?: number; removed?: boolean }) => {
      const card = await VirtualPivCard.open(new FileCardStateStore(options.state), options.serial === undefined ? {} : { serial: options.serial });
      const server = new VirtualCardServer(card, options.reader);
      server.onChange((state, detail) => {
        const where = `vpcd reader ${options.reader} (127.0.0.1:${server.port})`;
        const line =
          state === 'inserted'
            ? `card ${card.serial} inserted in ${where}`
            : state === 'removed'
              ? `card ${card.serial} removed from ${where}`
              : `waiting for ${where}: ${detail ?? 'not listening'}`;
        cli.out(`${line}\n`);
      });
      if (options.removed === true) cli.out(`card ${card.serial} ready, not inserted\n`);
      else await server.insert();

      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void server.remove().then(resolve);
        };
        process.on('SIGUSR1', () => void server.insert());
        process.on('SIGUSR2', () => void server.remove());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const lines = createInterface({ input: process.stdin });
        lines.on('line', (line) => {
          const word = line.trim().toLowerCase();
          if (word === 'insert' || word === 'i') void server.insert();
          else if (word === 'remove' || word === 'r') void server.remove();
          else if (word === 'quit' || word === 'q') stop();
          else if (word !== '') cli.out('commands: insert, remove, quit\n');
        });
      });
      process.exit(0);
    });
}
