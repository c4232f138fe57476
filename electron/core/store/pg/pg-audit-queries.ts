/**
 * The access-history page (audit-queries.ts's `queryPage`) answered from the team database:
 * filters on the columns audit-ddl.ts indexes, newest first by `before` cursor, `after` for live
 * updates, a count when asked. Free text is searched as the embedded log does it (entryMatches on
 * the entries read back), on candidates fetched in rounds.
 */
import type pg from 'pg';
import type { AuditEntry, AuditFilter, AuditPage } from '../../../shared/schemas/audit';
import type { EventRecord } from '../../audit/audit-record';
import type { AuditQuery } from '../../audit/audit-queries';
import { entryMatches, toEntry } from '../../audit/entry-reader';

const TEXT_BATCH = 512;

/** The WHERE clause and its values for a filter (without the cursor). */
function where(args: AuditFilter & Pick<AuditQuery, 'after'>): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const terms = ["type = 'event'"];
  const add = (term: (n: number) => string, value: unknown): void => {
    values.push(value);
    terms.push(term(values.length));
  };
  // `from` inclusive, `to` exclusive, as the embedded index bounds them.
  if (args.from !== undefined) add((n) => `at >= $${n}::timestamptz`, args.from);
  if (args.to !== undefined) add((n) => `at < $${n}::timestamptz`, args.to);
  if (args.actor !== undefined) add((n) => `actor_id = $${n}`, args.actor);
  if (args.holderId !== undefined) add((n) => `holder_id = $${n}`, args.holderId);
  if (args.actions !== undefined) add((n) => `action = ANY($${n}::text[])`, args.actions);
  if (args.outcome !== undefined) add((n) => `outcome = $${n}`, args.outcome);
  if (args.after !== undefined) add((n) => `seq > $${n}`, args.after);
  return { sql: terms.join(' AND '), values };
}

async function candidates(pool: pg.Pool, args: AuditQuery, before: number | undefined, limit: number): Promise<AuditEntry[]> {
  const { sql, values } = where(args);
  const cursor = before === undefined ? '' : ` AND seq < $${values.length + 1}`;
  const params = before === undefined ? [...values, limit] : [...values, before, limit];
  const { rows } = await pool.query<{ line: string }>(`SELECT line FROM audit_events WHERE ${sql}${cursor} ORDER BY seq DESC LIMIT $${params.length}`, params);
  return rows.map((row) => toEntry(JSON.parse(row.line) as EventRecord));
}

export async function queryPgAuditPage(pool: pg.Pool, args: AuditQuery): Promise<AuditPage> {
  const entries: AuditEntry[] = [];
  let more = false;
  if (args.text === undefined) {
    const found = await candidates(pool, args, args.before, args.limit + 1);
    more = found.length > args.limit;
    entries.push(...found.slice(0, args.limit));
  } else {
    let before = args.before;
    for (;;) {
      const found = await candidates(pool, args, before, TEXT_BATCH);
      for (const entry of found) {
        if (!entryMatches(entry, args.text)) continue;
        if (entries.length === args.limit) {
          more = true;
          break;
        }
        entries.push(entry);
      }
      if (more || found.length < TEXT_BATCH) break;
      before = found.at(-1)?.seq;
    }
  }
  let total: number | null = null;
  if (args.count && args.text === undefined) {
    const { sql, values } = where({ ...args, after: undefined });
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE ${sql}`, values);
    total = Number(rows[0]?.n ?? 0);
  }
  return { entries, nextCursor: more ? (entries.at(-1)?.seq ?? null) : null, total };
}

const EXPORT_BATCH = 1000;

/** Every entry `filter` matches, oldest first, in chunks (audit-queries.ts's `exportMatches`, from the database). */
export async function exportPgAuditMatches(pool: pg.Pool, filter: AuditFilter, limit: number, onEntries: (entries: AuditEntry[]) => void | Promise<void>): Promise<{ rows: number; truncated: boolean }> {
  let rows = 0;
  let after = 0;
  for (;;) {
    const { sql, values } = where({ ...filter, after });
    const { rows: found } = await pool.query<{ seq: string; line: string }>(`SELECT seq, line FROM audit_events WHERE ${sql} ORDER BY seq ASC LIMIT $${values.length + 1}`, [...values, EXPORT_BATCH]);
    if (found.length === 0) return { rows, truncated: false };
    after = Number(found.at(-1)?.seq);
    let entries = found.map((row) => toEntry(JSON.parse(row.line) as EventRecord));
    if (filter.text !== undefined) entries = entries.filter((entry) => entryMatches(entry, filter.text ?? ''));
    if (rows + entries.length > limit) {
      await onEntries(entries.slice(0, limit - rows));
      return { rows: limit, truncated: true };
    }
    rows += entries.length;
    if (entries.length > 0) await onEntries(entries);
    if (found.length < EXPORT_BATCH) return { rows, truncated: false };
  }
}
