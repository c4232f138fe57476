/**
 * The columns of a saved audit index, read after its header (see audit-index.ts): in the
 * background (`readAll`, in the thread pool), at once when a query needs one first (`column`), or
 * a block at a time for the first pages (`valueAt`). Each column and block is checked against its
 * CRC-32 from the header (audit-index-file.ts) before it is used; one that fails calls `onDamage`
 * and throws. The file stays open until every column is read, so a newer index saved in its place
 * meanwhile is not mixed in.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { BLOCK, checkedBlock, checkedColumn, columnType, damagedIndex, type ColumnName, type ColumnPlace, type Columns, type Layout, type NumberArray } from './audit-index-file';

/** Blocks read one by one before whole columns are (three columns for a page of results). */
const MAX_BLOCKS = 12;

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
    for (const name of layout.places.keys()) Object.defineProperty(columns, name, { configurable: true, enumerable: true, get: () => this.#readNow(name) });
    this.columns = columns;
  }

  /**
   * A value of a column, from its block while the column is not read yet and only a few blocks
   * were (the first pages need only those); after a few blocks, queries are all over the log
   * and the whole column is read at once.
   */
  valueAt(name: ColumnName, p: number): number | undefined {
    if (!this.#pending.has(name) || this.#blocks.size >= MAX_BLOCKS) return this.columns[name][p];
    const block = Math.floor(p / BLOCK);
    const key = `${name}:${block}`;
    let values = this.#blocks.get(key);
    if (values === undefined) {
      const place = this.#places.get(name);
      const width = columnType(name).BYTES_PER_ELEMENT;
      const length = Math.min(BLOCK, this.#count - block * BLOCK);
      if (place === undefined || length <= 0) return undefined;
      const bytes = Buffer.allocUnsafeSlow(length * width);
      let read = 0;
      try {
        for (let n = -1; read < bytes.length && n !== 0; read += n) n = readSync(this.#handle.fd, bytes, read, bytes.length - read, this.#bodyStart + place.at + block * BLOCK * width + read);
      } catch {
        read = -1;
      }
      const checked = checkedBlock(name, place, block, length, bytes, read);
      if (checked === null) this.#damage();
      values = checked ?? undefined;
      if (values === undefined) throw damagedIndex();
      this.#blocks.set(key, values);
    }
    return values[p - block * BLOCK];
  }

  /** Reads the columns not read yet, in the thread pool, checking each (a failure calls `onDamage`). */
  async readAll(): Promise<void> {
    try {
      for (const name of [...this.#pending]) {
        const place = this.#places.get(name);
        if (place === undefined || !this.#open || !this.#pending.has(name)) continue;
        const bytes = Buffer.allocUnsafeSlow(place.bytes);
        const { bytesRead } = await this.#handle.read(bytes, 0, place.bytes, this.#bodyStart + place.at);
        // A query may have needed it meanwhile and read it at once.
        if (this.#open && this.#pending.has(name)) this.#install(name, bytes, bytesRead);
      }
    } catch {
      this.#damage();
    }
  }

  /** A query needs a column not read yet: it is read now (one request) and checked. */
  #readNow(name: ColumnName): NumberArray {
    const place = this.#places.get(name);
    if (!this.#open || place === undefined) throw damagedIndex();
    const bytes = Buffer.allocUnsafeSlow(place.bytes);
    let read = 0;
    try {
      for (let n = -1; read < place.bytes && n !== 0; read += n) n = readSync(this.#handle.fd, bytes, read, place.bytes - read, this.#bodyStart + place.at + read);
    } catch {
      this.#damage();
      throw damagedIndex();
    }
    return this.#install(name, bytes, read);
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
