/**
 * Writes an incremental update (ISO 32000-1 §7.5.6): the new and replaced objects, a
 * cross-reference section of the same kind as the last one (a table after a table, an
 * uncompressed xref stream after a stream) whose /Prev points back, and %%EOF. Nothing before
 * the end of the original bytes is touched, so every earlier signature's range stays as signed.
 */
import { PdfDict, PdfName, PdfRef, PdfStream, serialize, type PdfValue } from './pdf-syntax';
import type { PdfFile } from './pdf-file';

/** An object body written exactly as given (the signature dictionary with its placeholders). */
export class RawObject {
  constructor(readonly body: Buffer) {}
}

export interface UpdateObject {
  readonly ref: PdfRef;
  readonly value: PdfValue | RawObject;
}

export class ObjectAllocator {
  #next: number;
  constructor(file: PdfFile) {
    this.#next = file.size;
  }
  next(): PdfRef {
    return new PdfRef(this.#next++, 0);
  }
  get size(): number {
    return this.#next;
  }
}

function objectBytes(object: UpdateObject): Buffer {
  const head = `${object.ref.num} ${object.ref.gen} obj\n`;
  if (object.value instanceof RawObject) return Buffer.concat([Buffer.from(head, 'latin1'), object.value.body, Buffer.from('\nendobj\n', 'latin1')]);
  if (object.value instanceof PdfStream) {
    const dict = new PdfDict(new Map(object.value.dict.entries)).set('Length', object.value.data.length);
    return Buffer.concat([Buffer.from(`${head}${serialize(dict)}\nstream\n`, 'latin1'), object.value.data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
  }
  return Buffer.from(`${head}${serialize(object.value)}\nendobj\n`, 'latin1');
}

/** Consecutive runs of object numbers, for the xref subsections. */
function runs(nums: number[]): number[][] {
  const sorted = [...nums].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[last.length - 1] === n - 1) last.push(n);
    else out.push([n]);
  }
  return out;
}

export interface WrittenUpdate {
  readonly bytes: Buffer;
  /** Where each object starts in `bytes`, by object number. */
  readonly offsets: ReadonlyMap<number, number>;
}

export function appendUpdate(file: PdfFile, objects: readonly UpdateObject[], allocator: ObjectAllocator): WrittenUpdate {
  const original = file.bytes;
  const parts: Buffer[] = [original];
  let length = original.length;
  const last = original[original.length - 1];
  if (last !== 0x0a && last !== 0x0d) {
    parts.push(Buffer.from('\n'));
    length += 1;
  }
  const offsets = new Map<number, number>();
  for (const object of objects) {
    const bytes = objectBytes(object);
    offsets.set(object.ref.num, length);
    parts.push(bytes);
    length += bytes.length;
  }
  const previous = file.lastSection;
  const trailer = new PdfDict();
  const root = file.trailer.get('Root');
  if (root !== undefined) trailer.set('Root', root);
  const info = file.trailer.get('Info');
  if (info !== undefined) trailer.set('Info', info);
  const id = file.trailer.get('ID');
  if (id !== undefined) trailer.set('ID', id);
  trailer.set('Prev', previous.offset);
  const xrefOffset = length;
  if (previous.kind === 'table') {
    trailer.set('Size', allocator.size);
    const lines = ['xref'];
    for (const run of runs([...offsets.keys()])) {
      lines.push(`${run[0] as number} ${run.length}`);
      for (const num of run) lines.push(`${String(offsets.get(num)).padStart(10, '0')} 00000 n\r`);
    }
    parts.push(Buffer.from(`${lines.join('\n')}\ntrailer\n${serialize(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
  } else {
    const self = allocator.next();
    offsets.set(self.num, xrefOffset);
    trailer.set('Size', allocator.size);
    const index: number[] = [];
    const rows: Buffer[] = [];
    for (const run of runs([...offsets.keys()])) {
      index.push(run[0] as number, run.length);
      for (const num of run) {
        const row = Buffer.alloc(7);
        row[0] = 1;
        row.writeUInt32BE(offsets.get(num) as number, 1);
        rows.push(row);
      }
    }
    trailer.set('Type', new PdfName('XRef')).set('W', [1, 4, 2]).set('Index', index);
    const xref = objectBytes({ ref: self, value: new PdfStream(trailer, Buffer.concat(rows)) });
    parts.push(xref, Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
  }
  return { bytes: Buffer.concat(parts), offsets };
}
