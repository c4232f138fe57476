/**
 * The letter outbox: the folder PIN letters wait in until they are sent (the desk's print
 * queue), and the vault's record of each (whose, which card, waiting, sent or withdrawn; never
 * its content). Letters with a PIN never cross the contract and are never shown; the folder is
 * private to the user running CardDesk, each file is written once, synced, and can be withdrawn
 * when a resumed personalisation makes it stale.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDirAsync, PRIVATE_FILE_MODE } from '../files/safe-file';
import type { LetterSummary } from '../../shared/schemas/letters';
import type { VaultAccess } from '../vault/vault-access';

export const LETTERS = 'letters';

/** A letter as the vault records it (keyed by its file name). */
export type LetterRecord = Omit<LetterSummary, 'fileName'> & { readonly id: string };

export type LetterMeta = Pick<LetterSummary, 'kind' | 'recipient' | 'holderId' | 'cardSerial'>;

export class LetterOutbox {
  constructor(
    readonly dir: string,
    private readonly access: VaultAccess,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Writes a new letter, records it as waiting, and returns its file name; `pdf` is zeroed afterwards (it may hold a PIN). */
  async write(fileName: string, pdf: Uint8Array, meta: LetterMeta): Promise<string> {
    await ensurePrivateDirAsync(this.dir);
    const file = await open(join(this.dir, fileName), 'wx', PRIVATE_FILE_MODE);
    try {
      await file.writeFile(pdf);
      await file.sync();
    } finally {
      await file.close();
      pdf.fill(0);
    }
    await this.put({ id: fileName, ...meta, createdAt: this.clock().toISOString(), state: 'waiting', sentAt: null, sentVia: null });
    return fileName;
  }

  /** Withdraws letters that must not be sent (their PIN was replaced). */
  async withdraw(fileNames: readonly string[]): Promise<void> {
    for (const name of fileNames) {
      await rm(join(this.dir, name), { force: true });
      const record = this.record(name);
      if (record !== undefined && record.state === 'waiting') await this.put({ ...record, state: 'withdrawn' });
    }
  }

  record(fileName: string): LetterRecord | undefined {
    return this.access.storage().records.get<LetterRecord>(LETTERS, fileName);
  }

  records(): LetterRecord[] {
    return [...this.access.storage().records.values<LetterRecord>(LETTERS)];
  }

  /** Durable when it resolves. */
  put(record: LetterRecord): Promise<void> {
    return this.access.storage().records.commit([{ collection: LETTERS, id: record.id, record }]);
  }

  path(fileName: string): string {
    return join(this.dir, fileName);
  }
}
