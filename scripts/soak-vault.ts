/**
 * `npx tsx scripts/soak-vault.ts [trials]`: the long crash-safety run (default 1,000 SIGKILLs at
 * random moments). `npm test` runs 200 of the same trials (test/integration/vault-crash.test.ts).
 */
import { crashTrials } from '../test/support/crash-harness';

const trials = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(trials) || trials <= 0) throw new Error('usage: tsx scripts/soak-vault.ts [trials]');
const started = Date.now();
const summary = await crashTrials(trials, (line) => console.log(line));
console.log(
  `soak: ${summary.trials} SIGKILLs, ${summary.acknowledged} acknowledged writes all found after reopening ` +
    `(the in-flight write had landed ${summary.inFlightLanded} times), ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
