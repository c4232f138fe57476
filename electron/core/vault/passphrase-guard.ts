/**
 * Passphrase checks cannot stall or exhaust the desk (issue 11 §4):
 * - scrypt runs asynchronously, at most two at a time for the whole process (unlock, restore and
 *   passphrase change alike), so other sessions' requests and libuv's other threads stay free;
 * - each source (a browser session, a window, a CLI process) makes its attempts one after another,
 *   and after a wrong passphrase waits longer before the next: 0.5 s, 1 s, 2 s … up to 30 s.
 * A right passphrase clears the source's count.
 */
import { deriveKey, type KdfParams } from './sealing';

export const MAX_CONCURRENT_KDF = 2;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const MAX_SOURCES = 1000;

/** The wait before the next attempt after `failures` wrong passphrases in a row. */
export function backoffMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(FIRST_DELAY_MS * 2 ** (failures - 1), MAX_DELAY_MS);
}

interface SourceState {
  failures: number;
  notBefore: number;
  chain: Promise<unknown>;
}

export class PassphraseGuard {
  #running = 0;
  #peak = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #sources = new Map<string, SourceState>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** The most scrypt runs seen at once (for tests and the benchmark). */
  get peakConcurrency(): number {
    return this.#peak;
  }

  /** Derives a key with at most MAX_CONCURRENT_KDF derivations running in the process. */
  async derive(passphrase: Buffer, kdf: KdfParams): Promise<Buffer> {
    if (this.#running >= MAX_CONCURRENT_KDF) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    this.#peak = Math.max(this.#peak, this.#running);
    try {
      return await deriveKey(passphrase, kdf);
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }

  /**
   * Runs one passphrase attempt for `source`: after the source's earlier attempts, and after its
   * back-off. `attempt` answers whether the passphrase was right. Returns the result and, when it
   * was wrong, the failures in a row and the wait now imposed (for the audit record).
   */
  attempt<T>(source: string, attempt: () => Promise<{ ok: boolean; value: T }>): Promise<{ value: T; failures: number; nextDelayMs: number }> {
    const state = this.#state(source);
    const run = state.chain.then(async () => {
      const wait = state.notBefore - this.clock();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const result = await attempt();
      if (result.ok) {
        this.#sources.delete(source);
        return { value: result.value, failures: 0, nextDelayMs: 0 };
      }
      state.failures += 1;
      const nextDelayMs = backoffMs(state.failures);
      state.notBefore = this.clock() + nextDelayMs;
      return { value: result.value, failures: state.failures, nextDelayMs };
    });
    state.chain = run.catch(() => undefined);
    return run;
  }

  #state(source: string): SourceState {
    let state = this.#sources.get(source);
    if (state === undefined) {
      // Forget the oldest sources rather than grow without bound.
      if (this.#sources.size >= MAX_SOURCES) this.#sources.delete(this.#sources.keys().next().value as string);
      state = { failures: 0, notBefore: 0, chain: Promise.resolve() };
      this.#sources.set(source, state);
    }
    return state;
  }
}
