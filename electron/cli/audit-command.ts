/**
 * `carddesk audit verify|export|head|acknowledge-loss`: proves the audit log is as written (against
 * the vault's anchor, and an exported witness head), exports it and its signed head, and lets an
 * administrator acknowledge a lost log. Each is recorded in the log itself.
 */
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { auditActions, AuditFilterSchema, type AuditFilter, type AuditVerifyReport } from '../shared/schemas/audit';
import { csvEntry, csvHeader } from '../core/audit/audit-csv';
import { formatWitness, parseWitness } from '../core/audit/audit-anchor';
import { recordExport, verifyAndRecord } from '../core/audit/audit-handlers';
import { writeExportFile } from '../core/audit/export-file';
import type { SignedHead } from '../core/audit/head-file';
import type { AuditStore } from '../core/audit/audit-store';
import { teamDatabaseUrl } from '../core/audit/desk-audit-log';
import type { OperationContext } from '../core/operation-context';
import { readVaultAuditAnchor } from '../core/vault/vault-audit-anchor';
import type { CliContext } from './cli-context';
import { unlockVault, withVault } from './vault-session';
import { strictInstant } from './messages';
import { FORCE_HELP, PRIVATE_FILE_MODE, streamOutputFile } from './output-file';

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

function describeHead(head: SignedHead): string {
  return `Signed head  record ${head.seq}, hash ${head.hash}\n  Time       ${head.time}\n  Key        ${head.keyId}\n`;
}

async function readWitness(path: string): Promise<SignedHead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`The witness file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: error });
  }
  return parseWitness(text);
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

/**
 * `audit export`: the matching events to standard output, or to `options.output` through a
 * temporary file. The `audit.export` event (naming the file) is recorded once the temporary file
 * is complete and on disk, BEFORE it takes the name: a file under the name always has its one
 * event; a stop between the two leaves the event and no file (the data did leave the log).
 */
export async function exportAudit(log: Pick<AuditStore, 'exportMatches' | 'record' | 'changeEventsIn'>, operation: OperationContext, filter: AuditFilter, options: Pick<ExportOptions, 'json' | 'output' | 'force'>): Promise<number> {
  const produce = async (out: Writable): Promise<number> => {
    if (options.json !== true) await write(out, csvHeader);
    const { rows } = await log.exportMatches(filter, Number.POSITIVE_INFINITY, (entries) =>
      write(out, entries.map((entry) => (options.json === true ? `${JSON.stringify(entry)}\n` : csvEntry(entry))).join('')),
    );
    return rows;
  };
  if (options.output === undefined) {
    const rows = await produce(process.stdout);
    await recordExport(log, operation, filter, rows);
    return rows;
  }
  let rows = 0;
  const target = resolve(options.output);
  await streamOutputFile(
    target,
    { mode: PRIVATE_FILE_MODE, force: options.force },
    async (out) => {
      rows = await produce(out);
    },
    () => recordExport(log, operation, filter, rows, basename(target)),
  );
  return rows;
}

export function registerAuditCommands(program: Command, cli: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit log: verify it, export it');

  audit
    .command('verify')
    .description('check every record, checkpoint signature and the signed head; pinpoint anything changed, removed, reordered or cut off')
    .option('--json', 'print the report as JSON')
    .option('--witness <file>', 'also check the log still holds the head exported to this file (carddesk audit head --export)')
    .action(async (options: { json?: boolean; witness?: string }) => {
      const witness = options.witness === undefined ? undefined : await readWitness(options.witness);
      // The vault's anchor is read from vault.json without its lock: verify runs beside the app.
      // In team mode the vault is in the database, and the log checks its key there (pg-audit-log.ts).
      const vault = teamDatabaseUrl() === null ? await readVaultAuditAnchor(cli.dataDir) : null;
      const report = await cli.withAudit(async (log) => {
        if (vault !== null) log.setDeskKeyId(vault.deskKeyId);
        return verifyAndRecord(log, cli.operation, { ...(vault === null ? {} : { vault }), ...(witness === undefined ? {} : { witness }) });
      });
      cli.out(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(cli.audit.where, report));
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
        const rows = await exportAudit(log, cli.operation, filter, options);
        if (options.output !== undefined) process.stderr.write(`${rows} events written to ${options.output}\n`);
      });
    });

  audit
    .command('head')
    .description("show the log's signed head (record number, hash, time, signature, key fingerprint); --export prints it as a witness to keep away from the desk")
    .option('--export', 'print the head as a printable witness (recorded as audit.headExport); check the log against it later with verify --witness')
    .option('--output <file>', 'write it to this file instead of standard output')
    .action(async (options: { export?: boolean; output?: string }) => {
      const vault = await readVaultAuditAnchor(cli.dataDir);
      const head = await cli.withAudit((log) => log.exportHead(vault, cli.operation, options.export === true));
      const text = options.export === true ? formatWitness(head) : describeHead(head);
      if (options.output === undefined) cli.out(text);
      else {
        await writeExportFile(options.output, text);
        process.stderr.write(`The signed head (record ${head.seq}) was written to ${options.output}\n`);
      }
    });

  audit
    .command('acknowledge-loss')
    .description('after the log was found lost (deleted, emptied, cut back or replaced): record that an administrator knows, and anchor the log as it is now (asks for the vault passphrase)')
    .action(async () => {
      await withVault(cli, async (services) => {
        await unlockVault(cli, services);
        await cli.audit.acknowledgeLoss(cli.operation);
      });
      cli.out('The loss of the audit log was acknowledged and recorded; the vault anchors the log as it is now.\n');
    });
}
