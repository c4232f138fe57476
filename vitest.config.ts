import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, run one group after the other: unit tests (in parallel), then integration
 * tests and end-to-end tests one file at a time, because they share pcscd's virtual readers.
 * A failed browser test leaves its pages' screenshots and console logs in test-results/.
 */
export default defineConfig({
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'electron/shared') } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/unit/**/*.test.ts'],
          // Files run side by side on two cores: a card issuance on a virtual card that takes 3 s alone
          // takes over 5 s (vitest's default) when the machine is busy. Speed goals live in the benchmarks.
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/save-on-failure.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/support/save-on-failure.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
