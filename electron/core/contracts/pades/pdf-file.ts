/**
 * The file structure of a PDF (ISO 32000-1 §7.5): cross-reference sections (tables and streams,
 * §7.5.4, §7.5.8), their trailers and the chain of incremental updates, object streams (§7.5.7),
 * and views of the objects as of any revision. The verifier compares the objects before and after
 * a signed range through these views; the signer finds the catalog, pages and form through them.
 *
 * The parser is synchronous, but it never inflates on the event loop: `PdfFile.open` inflates the
 * compressed streams it needs (cross-reference streams while it walks the chain, then every object
 * stream any revision can name) on zlib's thread pool first, and the parse reads them from memory.
 */
import { inflate } from 'node:zlib';
import { parseIndirect, PdfDict, PdfName, PdfRef, PdfStream, PdfSyntaxError, parseValue, skipWhite, type PdfValue } from './pdf-syntax';

export type XrefEntry = { readonly type: 0 } | { readonly type: 1; readonly offset: number; readonly gen: number } | { readonly type: 2; readonly stream: number; readonly index: number };

export interface XrefSection {
  /** Where the section (the `xref` keyword or the xref stream object) starts. */
  readonly offset: number;
  readonly kind: 'table' | 'stream';
  readonly entries: ReadonlyMap<number, XrefEntry>;
  readonly trailer: PdfDict;
}

const MAX_SECTIONS = 1000;
/** Decoded xref and object streams are small (a 3000-page file: under 5 MiB in all); a bomb stops here, for the whole file. */
const MAX_INFLATE = 64 * 1024 * 1024;

/** A compressed stream the parse needs and that has not been inflated yet: `PdfFile.open` inflates it and parses again. */
class NotInflated extends PdfSyntaxError {
  constructor(
    readonly key: string,
    readonly data: Buffer,
  ) {
    super('a compressed stream was not inflated before the parse (its length differs between revisions)');
  }
}

/**
 * Inflated stream data, keyed by where the stream's bytes sit in the file (and which filter of a
 * chain); an inflate that failed keeps its error, thrown where the stream is read, as before.
 */
class Inflated {
  readonly #done = new Map<string, Buffer | Error>();
  #left = MAX_INFLATE;

  get(key: string): Buffer | Error | undefined {
    return this.#done.get(key);
  }

  /** Inflates on zlib's thread pool what `missing` asks for. */
  async fill(missing: NotInflated): Promise<void> {
    if (this.#done.has(missing.key)) return;
    const tooLarge = (): RangeError => new RangeError('the compressed streams inflate to more than 64 MiB');
    const result = await new Promise<Buffer | Error>((resolve) => {
      if (this.#left <= 0) resolve(tooLarge());
      else inflate(missing.data, { maxOutputLength: this.#left }, (error, out) => resolve(error === null ? out : (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : error));
    });
    if (!(result instanceof Error)) this.#left -= result.length;
    this.#done.set(missing.key, result);
  }

  /** Runs `parse` until nothing it needs is missing, inflating off the loop between attempts. */
  async prepared<T>(parse: () => T): Promise<T> {
    for (;;) {
      try {
        return parse();
      } catch (error) {
        if (!(error instanceof NotInflated) || this.#done.has(error.key)) throw error;
        await this.fill(error);
      }
    }
  }
}

function decodeStream(stream: PdfStream, inflated: Inflated): Buffer {
  const filter = stream.dict.get('Filter');
  const filters = filter === undefined || filter === null ? [] : Array.isArray(filter) ? filter : [filter];
  let data = stream.data;
  const at = `${stream.data.byteOffset}:${stream.data.length}`;
  for (const [i, f] of filters.entries()) {
    if (!(f instanceof PdfName) || f.name !== 'FlateDecode') throw new PdfSyntaxError(`unsupported stream filter ${f instanceof PdfName ? f.name : '?'}`);
    const key = `${at}/${i}`;
    const out = inflated.get(key);
    if (out === undefined) throw new NotInflated(key, data);
    if (out instanceof Error) throw out;
    data = out;
  }
  const parms = stream.dict.get('DecodeParms');
  if (parms instanceof PdfDict && typeof parms.get('Predictor') === 'number' && (parms.get('Predictor') as number) >= 10) {
    const columns = typeof parms.get('Columns') === 'number' ? (parms.get('Columns') as number) : 1;
    data = unpredictPng(data, columns);
  }
  return data;
}

/** PNG row predictors (ISO 32000-1 §7.4.4.4), as xref streams use them. */
function unpredictPng(data: Buffer, columns: number): Buffer {
  const rowLength = columns + 1;
  const rows = Math.floor(data.length / rowLength);
  const out = Buffer.alloc(rows * columns);
  for (let r = 0; r < rows; r += 1) {
    const type = data[r * rowLength] as number;
    for (let c = 0; c < columns; c += 1) {
      const raw = data[r * rowLength + 1 + c] as number;
      const up = r > 0 ? (out[(r - 1) * columns + c] as number) : 0;
      const left = c > 0 ? (out[r * columns + c - 1] as number) : 0;
      const upLeft = r > 0 && c > 0 ? (out[(r - 1) * columns + c - 1] as number) : 0;
      let value = raw;
      if (type === 1) value = raw + left;
      else if (type === 2) value = raw + up;
      else if (type === 3) value = raw + Math.floor((left + up) / 2);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + c] = value & 0xff;
    }
  }
  return out;
}

function readTable(buf: Buffer, offset: number): XrefSection {
  const entries = new Map<number, XrefEntry>();
  let at = skipWhite(buf, offset + 4);
  for (;;) {
    if (buf.toString('latin1', at, at + 7) === 'trailer') break;
    const head = /^(\d+)\s+(\d+)/.exec(buf.toString('latin1', at, at + 40));
    if (head === null) throw new PdfSyntaxError(`malformed cross-reference table at ${at}`);
    const first = Number(head[1]);
    const count = Number(head[2]);
    at = skipWhite(buf, at + head[0].length);
    for (let i = 0; i < count; i += 1) {
      const row = /^(\d{10}) (\d{5}) ([nf])/.exec(buf.toString('latin1', at, at + 20));
      if (row === null) throw new PdfSyntaxError(`malformed cross-reference entry at ${at}`);
      if (!entries.has(first + i)) entries.set(first + i, row[3] === 'n' ? { type: 1, offset: Number(row[1]), gen: Number(row[2]) } : { type: 0 });
      at = skipWhite(buf, at + 18);
    }
  }
  const trailer = parseValue(buf, at + 7).value;
  if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('the trailer is not a dictionary');
  return { offset, kind: 'table', entries, trailer };
}

function readXrefStream(buf: Buffer, offset: number, inflated: Inflated): XrefSection {
  const parsed = parseIndirect(buf, offset, (v) => (typeof v === 'number' ? v : null));
  if (!(parsed.value instanceof PdfStream) || parsed.value.dict.name('Type') !== 'XRef') throw new PdfSyntaxError(`no cross-reference at ${offset}`);
  const dict = parsed.value.dict;
  const data = decodeStream(parsed.value, inflated);
  const w = dict.get('W');
  if (!Array.isArray(w) || w.length !== 3 || !w.every((n) => typeof n === 'number' && n >= 0 && n <= 8)) throw new PdfSyntaxError('bad /W in cross-reference stream');
  const [w0, w1, w2] = w as number[];
  const size = dict.get('Size');
  const index = dict.get('Index');
  const ranges = Array.isArray(index) ? (index as number[]) : [0, typeof size === 'number' ? size : 0];
  const field = (at: number, width: number): number => {
    let v = 0;
    for (let k = 0; k < width; k += 1) v = v * 256 + (data[at + k] as number);
    return v;
  };
  const entries = new Map<number, XrefEntry>();
  const rowLength = (w0 as number) + (w1 as number) + (w2 as number);
  let at = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const first = ranges[r] as number;
    const count = ranges[r + 1] as number;
    for (let i = 0; i < count; i += 1) {
      if (at + rowLength > data.length) throw new PdfSyntaxError('cross-reference stream shorter than its /Index');
      const type = w0 === 0 ? 1 : field(at, w0 as number);
      const a = field(at + (w0 as number), w1 as number);
      const b = field(at + (w0 as number) + (w1 as number), w2 as number);
      at += rowLength;
      if (entries.has(first + i)) continue;
      if (type === 1) entries.set(first + i, { type: 1, offset: a, gen: b });
      else if (type === 2) entries.set(first + i, { type: 2, stream: a, index: b });
      else if (type === 0) entries.set(first + i, { type: 0 });
    }
  }
  return { offset, kind: 'stream', entries, trailer: dict };
}

function readSection(buf: Buffer, offset: number, inflated: Inflated): XrefSection {
  if (offset < 0 || offset >= buf.length) throw new PdfSyntaxError(`cross-reference offset ${offset} is outside the file`);
  const at = skipWhite(buf, offset);
  return buf.toString('latin1', at, at + 4) === 'xref' ? readTable(buf, at) : readXrefStream(buf, at, inflated);
}

/** The `startxref` offset of the revision that ends at `end` (or of the whole file). */
export function startXref(buf: Buffer, end = buf.length): number {
  const at = buf.lastIndexOf('startxref', end, 'latin1');
  if (at < 0 || at < end - 1100) throw new PdfSyntaxError('no startxref: the file is truncated or not a PDF');
  const m = /^startxref\s+(\d+)/.exec(buf.toString('latin1', at, at + 40));
  if (m === null) throw new PdfSyntaxError('malformed startxref');
  return Number(m[1]);
}

export class PdfFile {
  /** Oldest first. */
  readonly sections: XrefSection[];
  readonly #inflated: Inflated;

  private constructor(
    readonly bytes: Buffer,
    sections: XrefSection[],
    inflated: Inflated,
  ) {
    this.sections = sections;
    this.#inflated = inflated;
  }

  /**
   * Reads the cross-reference chain and inflates, off the event loop, every compressed stream the
   * synchronous views can need; the views then parse from memory.
   */
  static async open(bytes: Buffer): Promise<PdfFile> {
    if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new PdfSyntaxError('not a PDF (no %PDF- header)');
    const inflated = new Inflated();
    const sections: XrefSection[] = [];
    const seen = new Set<number>();
    let offset: number | null = startXref(bytes);
    while (offset !== null) {
      if (seen.has(offset) || sections.length > MAX_SECTIONS) throw new PdfSyntaxError('the cross-reference chain loops');
      seen.add(offset);
      const at: number = offset;
      const section: XrefSection = await inflated.prepared(() => readSection(bytes, at, inflated));
      sections.unshift(section);
      // A hybrid file's /XRefStm holds the objects its table leaves out (§7.5.8.4).
      const stm = section.trailer.get('XRefStm');
      if (typeof stm === 'number' && !seen.has(stm)) {
        seen.add(stm);
        const extra: XrefSection = await inflated.prepared(() => readSection(bytes, stm, inflated));
        const merged = new Map(section.entries);
        for (const [num, entry] of extra.entries) if (!merged.has(num)) merged.set(num, entry);
        sections[0] = { ...section, entries: merged };
      }
      const prev: PdfValue | undefined = section.trailer.get('Prev');
      offset = typeof prev === 'number' ? prev : null;
    }
    const file = new PdfFile(bytes, sections, inflated);
    await file.#inflateObjectStreams();
    return file;
  }

  /**
   * Every object stream a revision names, at every place a revision puts it. A candidate that does
   * not parse is left alone here: the view that reads it reports it, as it would without this pass.
   */
  async #inflateObjectStreams(): Promise<void> {
    const named = new Set<number>();
    for (const section of this.sections) for (const entry of section.entries.values()) if (entry.type === 2) named.add(entry.stream);
    const places = new Set<number>();
    for (const section of this.sections) {
      for (const num of named) {
        const entry = section.entries.get(num);
        if (entry?.type === 1) places.add(entry.offset);
      }
    }
    const view = this.view();
    const lengthOf = (value: PdfValue | undefined): number | null => {
      const resolved = view.resolve(value ?? null);
      return typeof resolved === 'number' ? resolved : null;
    };
    for (const offset of places) {
      try {
        await this.#inflated.prepared(() => {
          const { value } = parseIndirect(this.bytes, offset, lengthOf);
          if (value instanceof PdfStream) decodeStream(value, this.#inflated);
        });
      } catch {
        // Read (and reported) where a view asks for it.
      }
    }
  }

  get trailer(): PdfDict {
    return (this.sections[this.sections.length - 1] as XrefSection).trailer;
  }

  get lastSection(): XrefSection {
    return this.sections[this.sections.length - 1] as XrefSection;
  }

  /** The objects as of the sections that start before `end` (all of them without `end`). */
  view(end = Infinity): ObjectView {
    return new ObjectView(
      this.bytes,
      this.sections.filter((s) => s.offset < end),
      this.#inflated,
    );
  }

  /** The highest object number in use plus one, over every section. */
  get size(): number {
    let size = 0;
    for (const s of this.sections) {
      const declared = s.trailer.get('Size');
      if (typeof declared === 'number') size = Math.max(size, declared);
      for (const num of s.entries.keys()) size = Math.max(size, num + 1);
    }
    return size;
  }
}

export class ObjectView {
  readonly entries = new Map<number, XrefEntry>();
  readonly #cache = new Map<number, PdfValue>();
  readonly #objectStreams = new Map<number, { offsets: Map<number, number>; data: Buffer }>();
  #depth = 0;

  constructor(
    private readonly bytes: Buffer,
    readonly sections: readonly XrefSection[],
    private readonly inflated: Inflated,
  ) {
    for (const section of sections) for (const [num, entry] of section.entries) this.entries.set(num, entry);
  }

  get trailer(): PdfDict | null {
    return this.sections[this.sections.length - 1]?.trailer ?? null;
  }

  /** The object `num`, or null when it is free or absent. */
  object(num: number): PdfValue {
    if (this.#cache.has(num)) return this.#cache.get(num) as PdfValue;
    const entry = this.entries.get(num);
    if (entry === undefined || entry.type === 0) return null;
    if (this.#depth > 32) throw new PdfSyntaxError('references nested too deeply');
    this.#depth += 1;
    try {
      const value = entry.type === 1 ? parseIndirect(this.bytes, entry.offset, (v) => this.#length(v)).value : this.#fromObjectStream(entry.stream, entry.index, num);
      this.#cache.set(num, value);
      return value;
    } finally {
      this.#depth -= 1;
    }
  }

  #length(value: PdfValue | undefined): number | null {
    const resolved = this.resolve(value ?? null);
    return typeof resolved === 'number' ? resolved : null;
  }

  #fromObjectStream(streamNum: number, index: number, num: number): PdfValue {
    let objstm = this.#objectStreams.get(streamNum);
    if (objstm === undefined) {
      const stream = this.object(streamNum);
      if (!(stream instanceof PdfStream)) throw new PdfSyntaxError(`object stream ${streamNum} is missing`);
      const data = decodeStream(stream, this.inflated);
      const n = stream.dict.get('N');
      const first = stream.dict.get('First');
      if (typeof n !== 'number' || typeof first !== 'number') throw new PdfSyntaxError(`object stream ${streamNum} has no /N or /First`);
      const offsets = new Map<number, number>();
      let at = 0;
      for (let i = 0; i < n; i += 1) {
        const a = parseValue(data, at);
        const b = parseValue(data, a.end);
        if (typeof a.value !== 'number' || typeof b.value !== 'number') throw new PdfSyntaxError(`object stream ${streamNum} has a bad header`);
        offsets.set(a.value, first + b.value);
        at = b.end;
      }
      objstm = { offsets, data };
      this.#objectStreams.set(streamNum, objstm);
    }
    void index;
    const at = objstm.offsets.get(num);
    if (at === undefined) throw new PdfSyntaxError(`object ${num} is not in object stream ${streamNum}`);
    return parseValue(objstm.data, at).value;
  }

  /** Follows references until a direct value. */
  resolve(value: PdfValue): PdfValue {
    let current = value;
    for (let hops = 0; current instanceof PdfRef; hops += 1) {
      if (hops > 32) throw new PdfSyntaxError('reference loop');
      current = this.object(current.num);
    }
    return current;
  }

  dict(value: PdfValue | undefined): PdfDict | null {
    const resolved = this.resolve(value ?? null);
    if (resolved instanceof PdfDict) return resolved;
    if (resolved instanceof PdfStream) return resolved.dict;
    return null;
  }

  catalog(): { ref: PdfRef; dict: PdfDict } {
    const root = this.trailer?.get('Root');
    if (!(root instanceof PdfRef)) throw new PdfSyntaxError('the trailer names no catalog');
    const dict = this.dict(root);
    if (dict === null) throw new PdfSyntaxError('the catalog is missing');
    return { ref: root, dict };
  }

  /**
   * The first page object in the page tree (§7.7.3), or null: a depth-first walk that stops at the
   * first leaf, so a long document's other pages are never parsed (a 3000-page file's whole walk
   * took tens of milliseconds on the event loop). Bounded against loops and depth.
   */
  firstPage(): PdfRef | null {
    const seen = new Set<number>();
    const walk = (ref: PdfValue | undefined, depth: number): PdfRef | null => {
      if (!(ref instanceof PdfRef) || seen.has(ref.num) || depth > 64) return null;
      seen.add(ref.num);
      const node = this.dict(ref);
      if (node === null) return null;
      if (node.name('Type') === 'Page' || (node.get('Kids') === undefined && node.name('Type') !== 'Pages')) return ref;
      const kids = this.resolve(node.get('Kids') ?? null);
      if (!Array.isArray(kids)) return null;
      for (const kid of kids) {
        const found = walk(kid, depth + 1);
        if (found !== null) return found;
      }
      return null;
    };
    return walk(this.catalog().dict.get('Pages'), 0);
  }
}
