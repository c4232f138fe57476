/**
 * The newest bytes this process appended to the log, kept in memory so the newest pages (the
 * screens' usual question, and every live screen after an append) are read without a trip to the
 * thread pool. One contiguous window of one segment: bytes that continue it are added at its end,
 * anything else (a new segment, another process's records in between) starts it anew; past its
 * size the oldest half is dropped. Only durable bytes come here (after their batch's data sync),
 * and a segment is only ever appended to, so a window's bytes are the bytes on disk at those
 * offsets (a log changed on disk behind the writer is verification's to find, not the screens').
 */

/** Bytes kept at most (the newest pages of a busy desk several times over). */
const WINDOW_BYTES = 4 * 1024 * 1024;

export class TailWindow {
  #segment: string | null = null;
  /** The segment offset of `#bytes[0]`, and how many bytes are held. */
  #start = 0;
  #length = 0;
  #bytes: Buffer = Buffer.alloc(0);
  readonly #max: number;

  constructor(maxBytes = WINDOW_BYTES) {
    this.#max = maxBytes;
  }

  /** `bytes` were made durable at `offset` of `segment`. */
  add(segment: string, offset: number, bytes: Buffer): void {
    if (bytes.length > this.#max) return this.clear();
    if (segment !== this.#segment || offset !== this.#start + this.#length) {
      this.#segment = segment;
      this.#start = offset;
      this.#length = 0;
    }
    if (this.#length + bytes.length > this.#bytes.length) this.#make(this.#length + bytes.length);
    bytes.copy(this.#bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Room for `needed` bytes: a larger buffer up to the maximum, then only the newest half kept. */
  #make(needed: number): void {
    if (needed <= this.#max) {
      const grown = Buffer.allocUnsafe(Math.min(this.#max, Math.max(needed, this.#bytes.length * 2, 64 * 1024)));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
      return;
    }
    if (this.#bytes.length < this.#max) this.#make(this.#max);
    const keep = Math.max(0, Math.min(this.#length, this.#max - (needed - this.#length), this.#max >> 1));
    this.#bytes.copy(this.#bytes, 0, this.#length - keep, this.#length);
    this.#start += this.#length - keep;
    this.#length = keep;
  }

  /** The bytes from `from` to `to` of `segment` when all of them are held (a copy), else null. */
  read(segment: string, from: number, to: number): Buffer | null {
    if (segment !== this.#segment || from < this.#start || to > this.#start + this.#length || to < from) return null;
    return Buffer.from(this.#bytes.subarray(from - this.#start, to - this.#start));
  }

  clear(): void {
    this.#segment = null;
    this.#start = 0;
    this.#length = 0;
    this.#bytes = Buffer.alloc(0);
  }
}
