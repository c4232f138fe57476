/**
 * `npm run bench -- team [--seconds S] [--recorders C]`: team mode on PostgreSQL beside the
 * embedded store in the same run (issue 18 §7). Each case is in its own bench/team-*.ts file.
 */
import { parseArgs } from 'node:util';
import type { Benchmark } from './run';
import { teamAuditAppends } from './team-audit';

export const benchmark: Benchmark = {
  description: 'team mode on PostgreSQL beside the embedded store: durable audit appends from 3 stations',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { seconds: { type: 'string', default: '5' }, recorders: { type: 'string', default: '256' } }, strict: false });
    await teamAuditAppends(Number(values.seconds), Number(values.recorders));
  },
};
