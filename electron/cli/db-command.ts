/**
 * `carddesk db init|migrate|status|import` (issue 18 §2): the team database on PostgreSQL. The URL
 * comes from --url or CARDDESK_DATABASE_URL and is shown only without its password.
 *
 * init, migrate and import change the team's shared state, so they are held to `ca.admin` like
 * the desk's other administration: they open this desk's vault to check the operator's roles and
 * record their event in its audit log. `import` also reads that vault (its lock keeps every
 * other CardDesk out while it is copied). `status` reads only the database.
 */
import type { Command } from 'commander';
import { CardDeskError } from '../shared/errors';
import { contractsDirOf } from '../core/contracts/contract-store';
import { databaseStatus, initDatabase, migrateDatabase, type DatabaseStatus } from '../core/store/pg/migrate';
import { redactUrl } from '../core/store/pg/connection';
import { importVault } from '../core/store/pg/vault-import';
import type { CliContext } from './cli-context';
import { printJson, withVault } from './vault-session';

const URL_HELP = 'the PostgreSQL URL, postgres://user:password@host:port/database (default: CARDDESK_DATABASE_URL)';

function databaseUrl(option: string | undefined): string {
  const url = option ?? process.env.CARDDESK_DATABASE_URL ?? '';
  if (url.trim() === '') throw new CardDeskError('DATABASE_UNREACHABLE', 'No database URL: give --url postgres://… or set CARDDESK_DATABASE_URL.');
  return url;
}

function formatStatus(status: DatabaseStatus): string {
  const lines = [
    `Database:         ${status.url}`,
    `Schema version:   ${status.schemaVersion}`,
    `This CardDesk:    ${status.buildVersion}`,
    `Pending steps:    ${status.pending.length === 0 ? 'none' : status.pending.map((step) => `${step.version} (${step.description})`).join(', ')}`,
  ];
  if (status.schemaVersion > status.buildVersion) lines.push(`                  the database is newer than this CardDesk: update CardDesk`);
  else if (status.pending.length > 0) lines.push('                  run carddesk db migrate');
  lines.push(`Stations:         ${status.stations.length === 0 ? 'none yet' : ''}`);
  for (const station of status.stations) lines.push(`  ${station.id.padEnd(32)} ${station.kind.padEnd(6)} schema ${station.schemaVersion}  last seen ${station.lastSeen}`);
  return `${lines.join('\n')}\n`;
}

export function registerDbCommand(program: Command, cli: CliContext): void {
  const db = program.command('db').description('the team database (PostgreSQL): create, upgrade, inspect, import a vault');

  db.command('init')
    .description('create the CardDesk tables in an empty PostgreSQL database (or apply what is pending in a CardDesk one)')
    .option('--url <url>', URL_HELP)
    .action((options: { url?: string }) =>
      withVault(cli, async (services) => {
        const url = databaseUrl(options.url);
        const result = await initDatabase(url);
        await services.audit.record({ action: 'database.init', outcome: 'success', details: { database: redactUrl(url), schemaVersion: String(result.to) }, ...cli.operation });
        cli.out(result.created ? `The team database is ready at schema version ${result.to}: ${redactUrl(url)}\n` : `This already is a CardDesk database; it is at schema version ${result.to}.\n`);
      }, { embedded: true }),
    );

  db.command('migrate')
    .description('apply the pending schema steps, each in one transaction (stations of an older CardDesk then refuse to write)')
    .option('--url <url>', URL_HELP)
    .action((options: { url?: string }) =>
      withVault(cli, async (services) => {
        const url = databaseUrl(options.url);
        const result = await migrateDatabase(url);
        if (result.applied.length > 0) {
          await services.audit.record({ action: 'database.migrate', outcome: 'success', details: { database: redactUrl(url), from: String(result.from), to: String(result.to) }, ...cli.operation });
          cli.out(`The team database was upgraded from schema version ${result.from} to ${result.to}.\n`);
        } else cli.out(`Nothing to do: the team database is at schema version ${result.to}.\n`);
      }, { embedded: true }),
    );

  db.command('status')
    .description('show the database’s schema version, this CardDesk’s, pending steps and the stations seen')
    .option('--url <url>', URL_HELP)
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { url?: string; json?: boolean }) => {
      const status = await databaseStatus(databaseUrl(options.url));
      if (options.json === true) printJson(cli, status);
      else cli.out(formatStatus(status));
    });

  db.command('import')
    .description("move this desk's vault (records, settings, contracts) into a new team database, in one transaction")
    .option('--url <url>', URL_HELP)
    .action((options: { url?: string }) =>
      withVault(cli, async (services) => {
        const url = databaseUrl(options.url);
        const counts = await importVault(url, services.access.storage(), contractsDirOf(cli.dataDir));
        await services.audit.record({ action: 'database.import', outcome: 'success', details: { database: redactUrl(url), records: String(counts.records), contracts: String(counts.blobs) }, ...cli.operation });
        const collections = Object.entries(counts.collections).map(([name, count]) => `${name} ${count}`).join(', ');
        cli.out(`The vault was imported into ${redactUrl(url)}: ${counts.records} records (${collections || 'none'}), ${counts.blobs} contract files, ${counts.pendingEvents} pending audit events.\n`);
      }, { embedded: true }),
    );
}
