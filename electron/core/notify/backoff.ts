/** When a message whose sending failed is tried again: 30 s, doubling, at most an hour apart. */
export const BACKOFF = { firstMs: 30_000, maxMs: 60 * 60_000, maxAttempts: 10 } as const;

/** The wait after the `attempts`-th failed try (1 = the first failure). */
export function backoffMs(attempts: number, policy: { firstMs: number; maxMs: number } = BACKOFF): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2^(n-1) grows past the cap long before it overflows; stop doubling there.
  return n > 30 ? policy.maxMs : Math.min(policy.maxMs, policy.firstMs * 2 ** (n - 1));
}

/** Whether a message that failed `attempts` times is given up (failed, until someone retries it). */
export function givenUp(attempts: number, maxAttempts: number = BACKOFF.maxAttempts): boolean {
  return attempts >= maxAttempts;
}
