/**
 * The questions screens and exports ask of the log, answered from the index: a page of events
 * for filters (newest first, by cursor), a holder's summary, and every match for an export.
 * Free text is the one filter the index cannot answer: candidates are read back and searched.
 */
import type { z } from 'zod';
import type { AuditEntry, AuditFilter, AuditPage, AuditQueryArgsSchema, HolderSummary, HolderSummaryArgsSchema } from '../../shared/schemas/audit';
import { AuditIndex, type IndexQuery } from './audit-index';
import { entryMatches, type EntryReader } from './entry-reader';

export type AuditQuery = z.output<typeof AuditQueryArgsSchema>;
export type HolderSummaryQuery = z.output<typeof HolderSummaryArgsSchema>;

/** Candidates read back per round when searching text. */
const TEXT_BATCH = 512;

/**
 * The ids of the operator accounts whose name matches a typed name (the access history's operator
 * filter, issue 17 §5): case-insensitive, any part of the name; an exact id matches too.
 */
export type OperatorIdsOf = (name: string) => readonly string[];

/** The operator accounts a name filter means: `operators` named so (ignoring case, any part), or with that very id. */
export function operatorIdsNamed(operators: readonly { id: string; name: string }[], name: string): string[] {
  const wanted = name.trim().toLocaleLowerCase();
  return operators.filter((o) => o.id === name.trim() || o.name.toLocaleLowerCase().includes(wanted)).map((o) => o.id);
}

export function indexQueryOf(filter: AuditFilter, operatorIds?: OperatorIdsOf): IndexQuery {
  return {
    ...(filter.operator === undefined ? {} : { actors: operatorIds?.(filter.operator) ?? [] }),
    ...(filter.from === undefined ? {} : { fromMs: Date.parse(filter.from) }),
    ...(filter.to === undefined ? {} : { toMs: Date.parse(filter.to) }),
    ...(filter.actor === undefined ? {} : { actor: filter.actor }),
    ...(filter.holderId === undefined ? {} : { holder: filter.holderId }),
    ...(filter.actions === undefined ? {} : { actions: filter.actions }),
    ...(filter.outcome === undefined ? {} : { outcome: filter.outcome }),
  };
}

/** How many events match; the columns `AuditIndex.columnsOf(query)` must be read (`index.need`). */
export function countMatches(index: AuditIndex, query: IndexQuery): number {
  let count = 0;
  index.scan(query, () => {
    count += 1;
    return true;
  });
  return count;
}

/** The entries at these positions, read back from the segments. */
async function entriesAt(index: AuditIndex, reader: EntryReader, positions: readonly number[]): Promise<AuditEntry[]> {
  await index.needLocations(positions);
  return reader.read(positions.map((p) => index.location(p)));
}

/**
 * Up to `limit` matching entries, newest first, from `query.beforeSeq` down; `more` says whether
 * older matches exist. With `text`, candidates are read in rounds until enough match.
 */
async function collect(index: AuditIndex, reader: EntryReader, query: IndexQuery, limit: number, text: string | undefined): Promise<{ entries: AuditEntry[]; more: boolean }> {
  await index.need([...AuditIndex.columnsOf(query), ...(text === undefined ? [] : (['seq'] as const))]);
  if (text === undefined) {
    const positions: number[] = [];
    index.scan(query, (p) => positions.push(p) <= limit);
    const more = positions.length > limit;
    if (more) positions.pop();
    return { entries: await entriesAt(index, reader, positions), more };
  }
  const entries: AuditEntry[] = [];
  let before = query.beforeSeq;
  for (;;) {
    const positions: number[] = [];
    index.scan({ ...query, ...(before === undefined ? {} : { beforeSeq: before }) }, (p) => positions.push(p) < TEXT_BATCH);
    for (const entry of await entriesAt(index, reader, positions)) {
      if (!entryMatches(entry, text)) continue;
      if (entries.length === limit) return { entries, more: true };
      entries.push(entry);
    }
    if (positions.length < TEXT_BATCH) return { entries, more: false };
    before = index.seqAt(positions[positions.length - 1] ?? 0);
  }
}

export async function queryPage(index: AuditIndex, reader: EntryReader, args: AuditQuery, operatorIds?: OperatorIdsOf): Promise<AuditPage> {
  const filter = indexQueryOf(args, operatorIds);
  const query: IndexQuery = {
    ...filter,
    ...(args.before === undefined ? {} : { beforeSeq: args.before }),
    ...(args.after === undefined ? {} : { afterSeq: args.after }),
  };
  const { entries, more } = await collect(index, reader, query, args.limit, args.text);
  return {
    entries,
    nextCursor: more ? (entries.at(-1)?.seq ?? null) : null,
    total: args.count && args.text === undefined ? countMatches(index, filter) : null,
  };
}

export async function holderSummary(index: AuditIndex, reader: EntryReader, args: HolderSummaryQuery): Promise<HolderSummary> {
  const range = indexQueryOf({ holderId: args.holderId, ...(args.from === undefined ? {} : { from: args.from }), ...(args.to === undefined ? {} : { to: args.to }) });
  await index.need([...AuditIndex.columnsOf(range), 'outcome', 'time']);
  let total = 0;
  let failed = 0;
  index.scan(range, (p) => {
    total += 1;
    if (index.outcomeAt(p) === 'failure') failed += 1;
    return true;
  });
  const query: IndexQuery = { ...range, ...(args.outcome === undefined ? {} : { outcome: args.outcome }), ...(args.before === undefined ? {} : { beforeSeq: args.before }) };
  const { entries, more } = await collect(index, reader, query, args.limit, undefined);
  const last = index.lastOfHolder(args.holderId);
  return {
    holderId: args.holderId,
    total,
    successful: total - failed,
    failed,
    lastAccess: last === null ? null : new Date(index.timeAt(last)).toISOString(),
    entries,
    nextCursor: more ? (entries.at(-1)?.seq ?? null) : null,
  };
}

/**
 * Every matching entry, oldest first, handed over in chunks; stops after `limit`. Returns how
 * many were handed over and whether more matched.
 */
export async function exportMatches(
  index: AuditIndex,
  reader: EntryReader,
  filter: AuditFilter,
  limit: number,
  onEntries: (entries: AuditEntry[]) => void | Promise<void>,
  operatorIds?: OperatorIdsOf,
): Promise<{ rows: number; truncated: boolean }> {
  const query = indexQueryOf(filter, operatorIds);
  await index.need(AuditIndex.columnsOf(query));
  const positions: number[] = [];
  index.scan(query, (p) => positions.push(p) > 0);
  positions.reverse();
  let rows = 0;
  for (let start = 0; start < positions.length; start += 1000) {
    let entries = await entriesAt(index, reader, positions.slice(start, start + 1000));
    if (filter.text !== undefined) entries = entries.filter((entry) => entryMatches(entry, filter.text ?? ''));
    if (rows + entries.length > limit) {
      await onEntries(entries.slice(0, limit - rows));
      return { rows: limit, truncated: true };
    }
    rows += entries.length;
    if (entries.length > 0) await onEntries(entries);
  }
  return { rows, truncated: false };
}
