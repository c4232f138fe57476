/**
 * `npm run soak:audit-export [-- --trials N --events E]`: `carddesk audit export --output` killed
 * with SIGKILL at random moments, N times (default 1,000): a file is never left looking complete
 * when it is not, and a complete one has its audit.export event. Needs the build (dist/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { carddesk } from '../test/support/cli';
import { killExport, seedExportLog } from '../test/support/export-kill';
import { freshHome } from '../test/support/host-process';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '1000' }, events: { type: 'string', default: '20000' } } });
const trials = Number(values.trials);
const home = freshHome('carddesk-soak-export-');
await seedExportLog(home, Number(values.events));
const reference = join(home, 'reference.csv');
const started = performance.now();
const whole = await carddesk(['audit', 'export', '--csv', '--action', 'card.pinVerify', '--output', reference], { home, timeoutMs: 120_000 });
if (whole.code !== 0) throw new Error(whole.stderr);
const fullMs = performance.now() - started;
const text = readFileSync(reference, 'utf8');
let bad = 0;
let absent = 0;
for (let i = 0; i < trials; i += 1) {
  const trial = await killExport(home, join(home, 'out.csv'), text, Math.random() * fullMs * 1.1);
  if (!trial.fileExists) absent += 1;
  if ((trial.fileExists && (!trial.complete || trial.exportEvents !== 1)) || trial.exportEvents > 1) {
    bad += 1;
    console.log(`BAD ${JSON.stringify(trial)}`);
  }
  if ((i + 1) % 50 === 0) console.log(`${i + 1}/${trials}: ${bad} bad, ${absent} killed before the file was complete`);
}
console.log(`${trials} trials in ${home}: ${bad} left a file looking complete when it was not (or without its event); ${absent} killed before completion.`);
process.exitCode = bad === 0 ? 0 : 1;
