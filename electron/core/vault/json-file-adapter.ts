import { readFileSync } from 'node:fs';
import type { SyncAdapter } from 'lowdb';
import { CardDeskError } from '../../shared/errors';
import { writeFileDurable } from '../files/safe-file';

/**
 * lowdb's storage adapter for vault documents. lowdb's own file adapters rename a temporary file
 * without fsync, which a power cut can undo; this one writes through `writeFileDurable`, so a
 * `write()` that returned is on disk. A file that does not parse is reported, never replaced.
 */
export class DurableJsonFile<T> implements SyncAdapter<T> {
  constructor(readonly path: string) {}

  read(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new CardDeskError('VAULT_CORRUPT', `The vault file ${this.path} is damaged and cannot be read.`, { cause: error });
    }
  }

  write(data: T): void {
    writeFileDurable(this.path, JSON.stringify(data));
  }
}
