/**
 * One open of a big audit log (or SQLite database) in a fresh process, as the app does at start,
 * up to its first page (the newest 50 events) so both sides do the same work:
 * `tsx bench/audit-open.ts log <dataDir>` or `… sqlite <file>`; prints the milliseconds as JSON.
 * The log reads its index's columns in the background after the header, so the first page is
 * part of what is timed: a query that needs a column before then reads it at once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog } from '../electron/core/audit/audit-log';
import { queryPage } from '../electron/core/audit/audit-queries';

const [what, path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: audit-open.ts log|sqlite <path>');
const started = performance.now();
if (what === 'log') {
  // No signer, as the app opens its log while the vault is locked: the open writes nothing.
  const log = new AuditLog({ dir: join(path, 'audit') });
  const { index, reader } = await log.index();
  const page = await queryPage(index, reader, { limit: 50, count: false });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, events: index.count, page: page.entries.length })}\n`);
  await log.close();
} else {
  const db = new Database(path);
  const rows = db.prepare('SELECT * FROM events ORDER BY time DESC LIMIT 50').all();
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, events: rows.length })}\n`);
  db.close();
}
