/**
 * Requests per source address: a token bucket each (`capacity` at once, refilled at `perSecond`).
 * Idle buckets are forgotten, so a scan of many addresses cannot grow the map without end.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxAddresses = 10_000,
  ) {}

  /** 0 when the request may go ahead (a token is taken), else the seconds until one is free. */
  take(address: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(address) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.#buckets.delete(address);
    if (this.#buckets.size >= this.maxAddresses) this.#sweep(now);
    this.#buckets.set(address, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  /** Drops full buckets (addresses quiet long enough), oldest first, and the oldest if still too many. */
  #sweep(now: number): void {
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.capacity) this.#buckets.delete(address);
    }
    while (this.#buckets.size >= this.maxAddresses) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
  }
}
