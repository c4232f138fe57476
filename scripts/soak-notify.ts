/**
 * `npm run soak:notify [trials]`: the long run of the notification sender's kills (default 200
 * trials of 30 messages, half killed right after the SMTP server accepted a message, half at
 * random moments). `npm test` runs 20 (test/integration/notify-kill.test.ts).
 */
import { killSummary, notifyKillTrials } from '../test/support/notify-kill';

const trials = Number(process.argv[2] ?? 200);
if (!Number.isInteger(trials) || trials < 1) throw new Error('usage: tsx scripts/soak-notify.ts [trials]');
const { trials: done, seconds } = await notifyKillTrials(trials, { onLine: (line) => console.log(line) });
console.log(killSummary(done, seconds));
