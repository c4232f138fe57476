/**
 * The columns of a saved audit index, read after its header (see audit-index.ts), always in the
 * thread pool: in the background (`readAll`), whole columns a query is about to use (`need`), or
 * the blocks holding a page's positions (`needAt`, the first pages before whole columns are read).
 * What a query touches is read before its synchronous scan; touching a column or block not read
 * is a programming error. Each column and block is checked against its CRC-32 from the header
 * (audit-index-file.ts) before it is used; one that fails calls `onDamage` and throws. The file
 * stays open until every column is read, so a newer index saved in its place meanwhile is not mixed in.
 */
import type { FileHandle } from 'node:fs/promises';
import { BLOCK, checkedBlock, checkedColumn, columnType, damagedIndex, type ColumnName, type ColumnPlace, type Columns, type Layout, type NumberArray } from './audit-index-file';

/** Blocks read one by one before whole columns are (three columns for a page of results). */
const MAX_BLOCKS = 12;

function notRead(name: ColumnName): Error {
  return new Error(`The audit index's ${name} column was used before it was read: await need() first.`);
}

export interface LazyColumnsEvents {
  /** Every column is read and checked: the index holds them itself from now on. */
  readonly onAllRead: (columns: Columns) => void;
  /** A column or block failed its check (or could not be read): the index must not be used. */
  readonly onDamage: () => void;
}

export class LazyColumns {
  readonly #handle: FileHandle;
  readonly #bodyStart: number;
  readonly #count: number;
  readonly #places: Map<ColumnName, ColumnPlace>;
  readonly #pending: Set<ColumnName>;
  /** Getters that read a column on first use, replaced by the column once read. */
  readonly columns: Columns;
  /** Blocks read for `valueAt` before their whole column was (`name:block`). */
  readonly #blocks = new Map<string, NumberArray>();
  /** Reads under way, shared by every caller that needs the same column or block. */
  readonly #reading = new Map<string, Promise<void>>();
  readonly #events: LazyColumnsEvents;
  #open = true;

  constructor(handle: FileHandle, layout: Layout, events: LazyColumnsEvents) {
    this.#handle = handle;
    this.#bodyStart = layout.bodyStart;
    this.#count = layout.count;
    this.#places = layout.places;
    this.#pending = new Set(layout.places.keys());
    this.#events = events;
    const columns = {} as Columns;
    for (const name of layout.places.keys()) {
      Object.defineProperty(columns, name, {
        configurable: true,
        enumerable: true,
        get: () => {
          throw this.#open ? notRead(name) : damagedIndex();
        },
      });
    }
    this.columns = columns;
  }

  /**
   * A value of a column: from the column once read, else from its block, read by `needAt`.
   */
  valueAt(name: ColumnName, p: number): number | undefined {
    if (!this.#pending.has(name)) return this.columns[name][p];
    if (p < 0 || p >= this.#count) return undefined;
    const block = Math.floor(p / BLOCK);
    const values = this.#blocks.get(`${name}:${block}`);
    if (values === undefined) throw this.#open ? notRead(name) : damagedIndex();
    return values[p - block * BLOCK];
  }

  /** Reads these columns (those not read yet) now, in the thread pool, checking each. */
  async need(names: readonly ColumnName[]): Promise<void> {
    await Promise.all([...new Set(names)].filter((name) => this.#pending.has(name)).map((name) => this.#readColumn(name)));
  }

  /**
   * Reads the blocks holding these positions of these columns, for `valueAt`: the first pages
   * need only a few. Past a few blocks, queries are all over the log and whole columns are read.
   */
  async needAt(names: readonly ColumnName[], positions: readonly number[]): Promise<void> {
    const wanted = new Map<string, { name: ColumnName; block: number }>();
    for (const name of names) {
      if (!this.#pending.has(name)) continue;
      for (const p of positions) {
        if (p < 0 || p >= this.#count) continue;
        const block = Math.floor(p / BLOCK);
        const key = `${name}:${block}`;
        if (!this.#blocks.has(key)) wanted.set(key, { name, block });
      }
    }
    if (wanted.size === 0) return;
    if (this.#blocks.size + wanted.size > MAX_BLOCKS) {
      await this.need(names);
      return;
    }
    await Promise.all([...wanted].map(([key, { name, block }]) => this.#once(key, () => this.#readBlock(name, block, key))));
  }

  /** Reads the columns not read yet, one at a time, in the thread pool, checking each (a failure calls `onDamage`). */
  async readAll(): Promise<void> {
    try {
      for (const name of [...this.#pending]) {
        if (!this.#open) return;
        // A query may have needed it meanwhile.
        if (this.#pending.has(name)) await this.#readColumn(name);
      }
    } catch {
      this.#damage();
    }
  }

  /** Runs `read` unless the same read is under way; callers share it. */
  #once(key: string, read: () => Promise<void>): Promise<void> {
    let reading = this.#reading.get(key);
    if (reading === undefined) {
      reading = read().finally(() => this.#reading.delete(key));
      this.#reading.set(key, reading);
    }
    return reading;
  }

  #readColumn(name: ColumnName): Promise<void> {
    return this.#once(name, async () => {
      const place = this.#places.get(name);
      if (!this.#open || place === undefined) throw damagedIndex();
      const bytes = Buffer.allocUnsafeSlow(place.bytes);
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.#handle.read(bytes, 0, place.bytes, this.#bodyStart + place.at));
      } catch {
        this.#damage();
        throw damagedIndex();
      }
      if (!this.#pending.has(name)) return;
      if (!this.#open) throw damagedIndex();
      this.#install(name, bytes, bytesRead);
    });
  }

  async #readBlock(name: ColumnName, block: number, key: string): Promise<void> {
    const place = this.#places.get(name);
    const width = columnType(name).BYTES_PER_ELEMENT;
    const length = Math.min(BLOCK, this.#count - block * BLOCK);
    if (!this.#open || place === undefined || length <= 0) throw damagedIndex();
    const bytes = Buffer.allocUnsafeSlow(length * width);
    let read = -1;
    try {
      ({ bytesRead: read } = await this.#handle.read(bytes, 0, bytes.length, this.#bodyStart + place.at + block * BLOCK * width));
    } catch {
      // An unreadable block is a damaged one.
    }
    if (!this.#pending.has(name)) return;
    if (!this.#open) throw damagedIndex();
    const checked = checkedBlock(name, place, block, length, bytes, read);
    if (checked === null) {
      this.#damage();
      throw damagedIndex();
    }
    this.#blocks.set(key, checked);
  }

  /** Puts a column read from the file in place once it passes its CRC-32. */
  #install(name: ColumnName, bytes: Buffer, bytesRead: number): NumberArray {
    const place = this.#places.get(name);
    const column = place === undefined ? null : checkedColumn(name, place, this.#count, bytes, bytesRead);
    if (column === null) {
      this.#damage();
      throw damagedIndex();
    }
    Object.defineProperty(this.columns, name, { configurable: true, enumerable: true, writable: true, value: column });
    this.#pending.delete(name);
    if (this.#pending.size === 0) {
      // All read: a plain object again (fast property access in the scans), and the file let go.
      this.close();
      this.#events.onAllRead({ ...this.columns });
    }
    return column;
  }

  #damage(): void {
    if (!this.#open) return;
    this.close();
    this.#events.onDamage();
  }

  /** Lets go of the file (the columns not read by then are never read). */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    void this.#handle.close().catch(() => undefined);
  }
}
