/**
 * The export kill test's victim (issue 11 §2): `audit export --output` as the CLI runs it
 * (`exportAudit`), which SIGKILLs itself at a kill point — for this test writer only, through a
 * wrapper around the audit log (the product has none): CARDDESK_TEST_KILL_AT=file just before the
 * `audit.export` event is recorded (the temporary file is complete and on disk), =event just after
 * it is recorded (before the file takes its name).
 *
 * Run as a bundled script: node export-writer.cjs <dataDir> <target>.
 */
import type { AuditEventInput } from '../../electron/core/audit/audit-trail';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { exportAudit } from '../../electron/cli/audit-command';
import { operator } from './vault-fixtures';

const [dataDir, target] = process.argv.slice(2);
if (dataDir === undefined || target === undefined) throw new Error('usage: export-writer <dataDir> <target>');
const killAt = process.env['CARDDESK_TEST_KILL_AT'] ?? '';
const die = (): void => {
  process.kill(process.pid, 'SIGKILL');
};

async function main(dir: string, file: string): Promise<void> {
  const log = createDeskAuditLog(dir);
  const killing = {
    exportMatches: log.exportMatches.bind(log),
    changeEventsIn: (ids: ReadonlySet<string>, sinceMs: number) => log.changeEventsIn(ids, sinceMs),
    record: async (event: AuditEventInput) => {
      if (event.action === 'audit.export' && killAt === 'file') die();
      await log.record(event);
      if (event.action === 'audit.export' && killAt === 'event') die();
    },
  };
  await exportAudit(killing, operator, { actions: ['card.pinVerify'] }, { output: file });
  await log.close();
}

main(dataDir, target).catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
