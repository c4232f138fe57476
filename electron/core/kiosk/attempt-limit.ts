/**
 * A sliding-window limit on attempts by key (a kiosk window's call source, a personal number): at
 * most `limit` in any `windowMs`. In memory: it slows down guessing at one desk process; what must
 * survive a restart (wrong recovery codes per holder) is counted in the vault instead.
 */
export interface AttemptLimitOptions {
  readonly limit: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

export class AttemptLimit {
  readonly #attempts = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(private readonly options: AttemptLimitOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Counts an attempt for `key`; false (and not counted) when the key is over its limit. */
  take(key: string): boolean {
    const now = this.#now();
    const recent = (this.#attempts.get(key) ?? []).filter((at) => now - at < this.options.windowMs);
    if (recent.length >= this.options.limit) {
      this.#attempts.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#attempts.set(key, recent);
    // Forget keys whose attempts are all old, so the map stays small.
    if (this.#attempts.size > 10_000) for (const [k, times] of this.#attempts) if (times.every((at) => now - at >= this.options.windowMs)) this.#attempts.delete(k);
    return true;
  }
}
