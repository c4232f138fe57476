/**
 * The audit index's file (`audit/index/events.idx`, see audit-index.ts), format 3: `CDAUDIX3`,
 * the header's length and CRC-32, a JSON header (counts, names, position, each column's byte
 * length and CRC-32, and a CRC-32 per block of `BLOCK` values), padding to 8 bytes, then the
 * columns, each padded to 8 bytes so they can be used where they lie. Formats 1 and 2
 * (`CDAUDIX1`, `CDAUDIX2`) are not read: the log rebuilds them.
 *
 * This module writes and checks the bytes; audit-index-columns.ts reads the columns of a saved
 * index later, and audit-index.ts is the index itself.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { CardDeskError } from '../../shared/errors';

export type NumberArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;
export interface NumberArrayType<T extends NumberArray> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** The index's columns, in the order the file holds them. */
export const columnTypes = {
  seq: Float64Array,
  time: Float64Array,
  offset: Float64Array,
  length: Uint32Array,
  actor: Uint32Array,
  holder: Uint32Array,
  action: Uint16Array,
  segment: Uint16Array,
  outcome: Uint8Array,
  actorKind: Uint8Array,
  channel: Uint8Array,
} as const;
export type ColumnName = keyof typeof columnTypes;
export type Columns = { [K in ColumnName]: InstanceType<(typeof columnTypes)[K]> };
export const COLUMN_NAMES = Object.keys(columnTypes) as ColumnName[];

export function columnType(name: ColumnName): NumberArrayType<NumberArray> {
  return columnTypes[name];
}

export function allocate(capacity: number): Columns {
  const columns = {} as Record<ColumnName, NumberArray>;
  for (const name of COLUMN_NAMES) columns[name] = new (columnType(name))(capacity);
  return columns as Columns;
}

/** Where the index has read the log up to: the end of the last record it consumed. */
export interface IndexPosition {
  readonly segment: string | null;
  readonly offset: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** The string tables, each starting with "" (id 0, "none"). */
export interface IndexStrings {
  readonly actors: string[];
  readonly holders: string[];
  readonly actions: string[];
  readonly segments: string[];
}

const MAGIC = Buffer.from('CDAUDIX3');
/** Magic, header length, header CRC-32. */
const PREFIX = 16;
/** Values per block with its own CRC-32: a page of results read before the columns reads a few blocks. */
export const BLOCK = 16_384;

function padding(length: number): number {
  return (8 - (length % 8)) % 8;
}

export interface ColumnPlace {
  /** Bytes from the start of the columns, padded length, CRC-32 of those bytes. */
  readonly at: number;
  readonly bytes: number;
  readonly crc32: number;
  /** CRC-32 of each block of `BLOCK` values (the last one shorter, without padding). */
  readonly blocks: readonly number[];
}

export interface Layout {
  readonly count: number;
  readonly position: IndexPosition;
  readonly strings: IndexStrings;
  /** Where the columns start in the file. */
  readonly bodyStart: number;
  readonly places: Map<ColumnName, ColumnPlace>;
}

export function damagedIndex(): CardDeskError {
  return new CardDeskError('AUDIT_UNAVAILABLE', 'The audit index was found damaged and is rebuilt from the log; try again.');
}

/** The index as the bytes of its file. */
export function serializeIndex(index: { readonly count: number; readonly position: IndexPosition; readonly strings: IndexStrings; readonly columns: Columns }): Buffer {
  const { count, columns } = index;
  const sizes = COLUMN_NAMES.map((name) => count * columns[name].BYTES_PER_ELEMENT);
  const padded = sizes.map((size) => size + padding(size));
  const bodyBytes = padded.reduce((sum, size) => sum + size, 0);
  // The columns' CRCs first (they go in the header), then each column is copied once, into place.
  const bytesOf = (name: ColumnName, size: number): Uint8Array => new Uint8Array(columns[name].buffer, columns[name].byteOffset, size);
  const crcs = COLUMN_NAMES.map((name, i) => crc32(Buffer.alloc((padded[i] ?? 0) - (sizes[i] ?? 0)), crc32(bytesOf(name, sizes[i] ?? 0))));
  const blockCrcs = COLUMN_NAMES.map((name) => {
    const width = columns[name].BYTES_PER_ELEMENT;
    const all = bytesOf(name, count * width);
    return Array.from({ length: Math.ceil(count / BLOCK) }, (_, b) => crc32(all.subarray(b * BLOCK * width, Math.min(count, (b + 1) * BLOCK) * width)));
  });
  const header = Buffer.from(
    JSON.stringify({
      count,
      position: index.position,
      strings: index.strings,
      columns: COLUMN_NAMES.map((name, i) => ({ name, bytes: padded[i] ?? 0, crc32: crcs[i] ?? 0, blocks: blockCrcs[i] ?? [] })),
      bodyBytes,
    }),
  );
  const bodyStart = PREFIX + header.length + padding(PREFIX + header.length);
  const file = Buffer.alloc(bodyStart + bodyBytes);
  MAGIC.copy(file);
  file.writeUInt32LE(header.length, 8);
  file.writeUInt32LE(crc32(header), 12);
  header.copy(file, PREFIX);
  let at = bodyStart;
  for (const [i, name] of COLUMN_NAMES.entries()) {
    file.set(bytesOf(name, sizes[i] ?? 0), at);
    at += padded[i] ?? 0;
  }
  return file;
}

/** The header of an open index file, checked; null when it is not format 3 or fails a check. */
export async function readIndexHeader(handle: FileHandle): Promise<Layout | null> {
  const { size } = await handle.stat();
  const prefix = Buffer.alloc(PREFIX);
  if ((await handle.read(prefix, 0, PREFIX, 0)).bytesRead !== PREFIX || !prefix.subarray(0, 8).equals(MAGIC)) return null;
  const headerLength = prefix.readUInt32LE(8);
  if (PREFIX + headerLength > size) return null;
  const headerBytes = Buffer.alloc(headerLength);
  if ((await handle.read(headerBytes, 0, headerLength, PREFIX)).bytesRead !== headerLength) return null;
  return readLayout(headerBytes, prefix.readUInt32LE(12), size);
}

/**
 * A whole index file checked (magic, lengths, CRC-32 of header and columns), its columns used
 * where they lie in `file` (copied once if `file` is not 8-byte aligned). Null when any check fails.
 */
export function parseIndexFile(file: Buffer): { layout: Layout; columns: Columns } | null {
  if (file.length < PREFIX || !file.subarray(0, 8).equals(MAGIC)) return null;
  const headerLength = file.readUInt32LE(8);
  if (PREFIX + headerLength > file.length) return null;
  const layout = readLayout(file.subarray(PREFIX, PREFIX + headerLength), file.readUInt32LE(12), file.length);
  if (layout === null) return null;
  const aligned = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const columns = {} as Record<ColumnName, NumberArray>;
  for (const [name, place] of layout.places) {
    const bytes = aligned.subarray(layout.bodyStart + place.at, layout.bodyStart + place.at + place.bytes);
    if (crc32(bytes) !== place.crc32) return null;
    columns[name] = new (columnType(name))(bytes.buffer, bytes.byteOffset, layout.count);
  }
  return { layout, columns: columns as Columns };
}

/** A column's bytes as read from the file, as the column; null when they fail its CRC-32. */
export function checkedColumn(name: ColumnName, place: ColumnPlace, count: number, bytes: Buffer, bytesRead: number): NumberArray | null {
  if (bytesRead !== place.bytes || crc32(bytes) !== place.crc32) return null;
  return new (columnType(name))(bytes.buffer, bytes.byteOffset, count);
}

/** One block of a column as read from the file, as values; null when it fails the block's CRC-32. */
export function checkedBlock(name: ColumnName, place: ColumnPlace, block: number, length: number, bytes: Buffer, bytesRead: number): NumberArray | null {
  if (bytesRead !== bytes.length || crc32(bytes) !== place.blocks[block]) return null;
  return new (columnType(name))(bytes.buffer, bytes.byteOffset, length);
}

/** The header checked against its CRC-32 and the file's length; null when anything does not add up. */
function readLayout(headerBytes: Buffer, headerCrc: number, fileLength: number): Layout | null {
  if (crc32(headerBytes) !== headerCrc) return null;
  const header = JSON.parse(headerBytes.toString('utf8')) as {
    count: number;
    position: IndexPosition;
    strings: IndexStrings;
    columns: { name: ColumnName; bytes: number; crc32: number; blocks: number[] }[];
    bodyBytes: number;
  };
  const { count } = header;
  if (!Number.isSafeInteger(count) || count < 0 || !Array.isArray(header.columns) || header.columns.length !== COLUMN_NAMES.length) return null;
  const bodyStart = PREFIX + headerBytes.length + padding(PREFIX + headerBytes.length);
  if (bodyStart + header.bodyBytes !== fileLength) return null;
  const places = new Map<ColumnName, ColumnPlace>();
  let at = 0;
  for (const [i, { name, bytes, crc32: crc, blocks }] of header.columns.entries()) {
    const type = columnTypes[name] as NumberArrayType<NumberArray> | undefined;
    if (type === undefined || name !== COLUMN_NAMES[i] || bytes !== count * type.BYTES_PER_ELEMENT + padding(count * type.BYTES_PER_ELEMENT) || !Number.isInteger(crc)) return null;
    if (!Array.isArray(blocks) || blocks.length !== Math.ceil(count / BLOCK) || !blocks.every((block) => Number.isInteger(block))) return null;
    places.set(name, { at, bytes, crc32: crc, blocks });
    at += bytes;
  }
  if (at !== header.bodyBytes) return null;
  return { count, position: header.position, strings: header.strings, bodyStart, places };
}
