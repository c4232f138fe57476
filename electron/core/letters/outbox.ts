/**
 * The letter outbox: the folder PIN letters wait in until they are printed (the desk's print
 * queue). Letters with a PIN never cross the contract and are never shown; the folder is private
 * to the user running CardDesk, each file is written once, synced, and can be withdrawn when a
 * resumed personalisation makes it stale.
 */
import { rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../files/safe-file';

export class LetterOutbox {
  constructor(readonly dir: string) {}

  /** Writes a new letter and returns its file name; `pdf` is zeroed afterwards (it may hold a PIN). */
  async write(fileName: string, pdf: Uint8Array): Promise<string> {
    ensurePrivateDir(this.dir);
    const file = await open(join(this.dir, fileName), 'wx', PRIVATE_FILE_MODE);
    try {
      await file.writeFile(pdf);
      await file.sync();
    } finally {
      await file.close();
      pdf.fill(0);
    }
    return fileName;
  }

  /** Withdraws letters that must not be sent (their PIN was replaced). */
  withdraw(fileNames: readonly string[]): void {
    for (const name of fileNames) rmSync(join(this.dir, name), { force: true });
  }
}
