/**
 * `npm run soak:events [trials]`: the long run of issue 11 §2's change-event kills (default 1,000
 * SIGKILLs: 200 per operation — holder import, certificate issue, revoke, suspend, card
 * registration — a third right after the vault write, a third right after the event write, the
 * rest at random moments). `npm test` runs 20 per operation (test/integration/change-events-kill.test.ts).
 */
import { changeTrials } from '../test/support/change-kill';
import { CHANGE_OPERATIONS } from '../test/support/change-operations';

const trials = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(trials) || trials < CHANGE_OPERATIONS.length) throw new Error(`usage: tsx scripts/soak-events.ts [trials, at least ${CHANGE_OPERATIONS.length}]`);
const { trials: done, seconds } = await changeTrials(Math.ceil(trials / CHANGE_OPERATIONS.length), (line) => console.log(line));
const acknowledged = done.reduce((sum, trial) => sum + trial.acknowledged, 0);
const recovered = done.reduce((sum, trial) => sum + trial.recovered, 0);
console.log(`soak: ${done.length} SIGKILLs, ${acknowledged} acknowledged changes; every change in the vault had exactly one event (${recovered} written on recovery), ${seconds.toFixed(0)} s`);
