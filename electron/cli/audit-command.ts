/**
 * `carddesk audit verify|export`: proves the audit log is as written, and exports it for
 * auditors. Both are recorded in the log themselves (audit.verify, audit.export).
 */
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { auditActions, AuditFilterSchema, type AuditFilter, type AuditVerifyReport } from '../shared/schemas/audit';
import { csvEntry, csvHeader } from '../core/audit/audit-csv';
import { recordExport, verifyAndRecord } from '../core/audit/audit-handlers';
import { exportMatches } from '../core/audit/audit-queries';
import type { CliContext } from './cli-context';
import { strictInstant } from './messages';
import { FORCE_HELP, PRIVATE_FILE_MODE, streamOutputFile } from './output-file';
import { nameDeskAuditKey } from './vault-session';

/** Exit codes of `audit verify`: 0 intact, 1 error, 2 problems found. */
const EXIT_PROBLEMS = 2;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatReport(dir: string, report: AuditVerifyReport): string {
  const lines = [
    `Audit log  ${dir}`,
    `  Records  ${count(report.records)} in ${report.segments} segment(s): ${count(report.events)} events, ${count(report.checkpoints)} checkpoints; last record ${report.lastSeq ?? 'none'}`,
    `  Signed   through record ${report.signedThrough ?? 'none'}; key ${report.keyIds.at(-1) ?? 'none'}`,
    `  Checked  in ${(report.durationMs / 1000).toFixed(2)} s`,
  ];
  if (report.unsigned > 0) lines.push(`  Note     ${count(report.unsigned)} record(s) after the last signature are not yet signed (the vault has been locked since); the next unlock signs them`);
  if (report.unfinishedBytes > 0) lines.push(`  Note     ${report.unfinishedBytes} bytes of an unfinished last line (a write in progress, or a crash; never acknowledged)`);
  if (report.intact) {
    lines.push('INTACT: no record was changed, removed, reordered, duplicated or cut off, and every signature verifies.');
  } else {
    lines.push(`NOT INTACT: ${report.problemCount} problem(s)${report.problemCount > report.problems.length ? `; the first ${report.problems.length}:` : ':'}`);
    for (const problem of report.problems) {
      const where = problem.segment === null ? '' : ` [${problem.segment}${problem.line === null ? '' : ` line ${problem.line}`}]`;
      lines.push(`  ${problem.kind.padEnd(10)} ${problem.message}${where}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface ExportOptions {
  from?: string;
  to?: string;
  actor?: string;
  holder?: string;
  action?: string[];
  outcome?: 'success' | 'failure';
  text?: string;
  output?: string;
  force?: boolean;
  json?: boolean;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export function registerAuditCommands(program: Command, cli: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit log: verify it, export it');

  audit
    .command('verify')
    .description('check every record, checkpoint signature and the signed head; pinpoint anything changed, removed, reordered or cut off')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await cli.withAudit(async (log) => {
        await nameDeskAuditKey(cli, log);
        return verifyAndRecord(log, cli.operation);
      });
      cli.out(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(cli.audit.dir, report));
      if (!report.intact) process.exitCode = EXIT_PROBLEMS;
    });

  audit
    .command('export')
    .description('write the events that match the filters, oldest first, as CSV (default) or JSON lines')
    .option('--csv', 'RFC 4180 CSV (the default)')
    .option('--json', 'one JSON object per line instead of CSV')
    .option('--from <time>', 'from this date (YYYY-MM-DD, UTC) or ISO time, inclusive', strictInstant)
    .option('--to <time>', 'up to this date or ISO time, exclusive', strictInstant)
    .option('--actor <id>', 'only this operator, holder or component')
    .option('--holder <id>', 'only events about this holder')
    .addOption(new Option('--action <action...>', 'only these actions').choices(auditActions))
    .addOption(new Option('--outcome <outcome>', 'only successes or failures').choices(['success', 'failure']))
    .option('--text <text>', 'only events containing this text')
    .option('--output <file>', 'write to this file instead of standard output (mode 0600; it appears only when complete)')
    .option('--force', FORCE_HELP)
    .action(async (options: ExportOptions) => {
      const filter: AuditFilter = AuditFilterSchema.parse({
        from: options.from,
        to: options.to,
        actor: options.actor,
        holderId: options.holder,
        actions: options.action,
        outcome: options.outcome,
        text: options.text,
      });
      await cli.withAudit(async (log) => {
        const { index, reader } = await log.index();
        const produce = async (out: Writable): Promise<number> => {
          if (options.json !== true) await write(out, csvHeader);
          const { rows } = await exportMatches(index, reader, filter, Number.POSITIVE_INFINITY, (entries) =>
            write(out, entries.map((entry) => (options.json === true ? `${JSON.stringify(entry)}\n` : csvEntry(entry))).join('')),
          );
          return rows;
        };
        let rows = 0;
        if (options.output === undefined) rows = await produce(process.stdout);
        else
          await streamOutputFile(resolve(options.output), { mode: PRIVATE_FILE_MODE, force: options.force }, async (out) => {
            rows = await produce(out);
          });
        await recordExport(log, cli.operation, filter, rows);
        if (options.output !== undefined) process.stderr.write(`${rows} events written to ${options.output}\n`);
      });
    });
}
