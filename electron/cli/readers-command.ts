import type { Command } from 'commander';
import type { ReaderList } from '../shared/schemas/readers';
import { EventHub } from '../core/api/event-hub';
import { silentLogger } from '../core/log/logger';
import { loadPcscLite } from '../core/readers/pcsc-binding';
import { PcscReaderService } from '../core/readers/pcsc-reader-service';
import type { CliContext } from './cli-context';
import { positiveInteger } from './parse-options';

/** Takes one picture of the PC/SC readers: waits until every reader has reported, then stops. */
export async function snapshotReaders(timeoutMs: number): Promise<ReaderList> {
  const service = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
  try {
    await service.start();
    await service.whenSettled(timeoutMs);
    return service.list();
  } finally {
    service.dispose();
  }
}

export function spacedHex(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}

export function formatReaders(list: ReaderList): string {
  if (list.service.status !== 'running') {
    return `The smart-card service (PC/SC) is not running: ${list.service.detail ?? 'no answer'}.\n` +
      'Start it (Linux: pcscd; Windows: the Smart Card service) and try again.\n';
  }
  if (list.readers.length === 0) return 'No smart-card readers are connected.\n';
  const width = Math.max(...list.readers.map((reader) => reader.name.length));
  return list.readers
    .map((reader) => {
      const card =
        reader.cardState === 'absent'
          ? 'no card'
          : `${reader.cardState === 'mute' ? 'card not responding' : 'card present'}${reader.inUse ? ' (in use)' : ''}` +
            (reader.atr === null ? '' : `  ATR ${spacedHex(reader.atr)}`);
      return `${reader.name.padEnd(width)}  ${card}\n`;
    })
    .join('');
}

export function registerReadersCommand(program: Command, cli: CliContext): void {
  program
    .command('readers')
    .description('list the PC/SC readers and the cards in them')
    .option('--json', 'print machine-readable JSON')
    .option('--timeout <ms>', 'how long to wait for every reader to report', positiveInteger, 3000)
    .action(async (options: { json?: boolean; timeout: number }) => {
      const list = await snapshotReaders(options.timeout);
      cli.out(options.json === true ? `${JSON.stringify(list, null, 2)}\n` : formatReaders(list));
      if (list.service.status !== 'running') process.exitCode = 2;
    });
}
