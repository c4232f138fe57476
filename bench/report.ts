/** Shared printing for benchmarks: what was measured, its anchor, and the ratio, on one line. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

/**
 * Prints one comparison. `better` says which direction wins ('lower' for times, 'higher' for
 * rates); `goal` is the target ratio CardDesk/anchor in that direction, if the issue sets one.
 */
export function compare(options: {
  what: string;
  ours: number;
  anchor: number;
  anchorName: string;
  unit: string;
  better: 'lower' | 'higher';
  goal?: { ratio: number; text: string };
}): boolean {
  const { what, ours, anchor, anchorName, unit, better, goal } = options;
  const ratio = better === 'lower' ? anchor / ours : ours / anchor;
  const met = goal === undefined ? true : ratio >= goal.ratio;
  console.log(
    `${what}: CardDesk ${ours.toFixed(2)} ${unit} | ${anchorName} ${anchor.toFixed(2)} ${unit} | ` +
      `${better === 'higher' ? `CardDesk is ${ratio.toFixed(2)}× the rate` : ratio >= 1 ? `CardDesk is ${ratio.toFixed(2)}× faster` : `CardDesk takes ${(1 / ratio).toFixed(2)}× as long`}` +
      (goal === undefined ? '' : ` | goal ${goal.text}: ${met ? 'met' : 'NOT met'}`),
  );
  return met;
}

export function absolute(options: { what: string; value: number; unit: string; goal?: { max: number; text: string } }): boolean {
  const met = options.goal === undefined ? true : options.value <= options.goal.max;
  console.log(
    `${options.what}: ${options.value.toFixed(2)} ${options.unit}` +
      (options.goal === undefined ? '' : ` | goal ${options.goal.text}: ${met ? 'met' : 'NOT met'}`),
  );
  return met;
}
