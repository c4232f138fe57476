/** Every query answer checked against a plain filter over all events, for random filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditOutcome } from '../../shared/schemas/audit';
import { openTestLog, sampleEvent } from '../../../test/support/audit';
import { random } from '../../../test/support/tamper';
import type { AuditIndex } from './audit-index';
import type { AuditLog } from './audit-log';
import { exportMatches, holderSummary, operatorIdsNamed, queryPage, type AuditQuery } from './audit-queries';
import { entryMatches, type EntryReader } from './entry-reader';

const start = Date.parse('2026-01-01T00:00:00Z');
let clock = start;
let log: AuditLog;
let index: AuditIndex;
let reader: EntryReader;
let all: AuditEntry[];

beforeAll(async () => {
  ({ log } = openTestLog(undefined, { now: () => clock, checkpointEvery: 37, segmentBytes: 16 * 1024 }));
  for (let i = 0; i < 600; i += 1) {
    clock += 60_000 * (1 + (i % 5));
    await log.record(sampleEvent(i, i % 17 === 0 ? { reason: 'Needle in the HAYSTACK' } : {}));
  }
  ({ index, reader } = await log.index());
  // Every event, newest first, read straight from the index in pages.
  all = [];
  let before: number | undefined;
  for (;;) {
    const page = await queryPage(index, reader, { limit: 200, count: false, ...(before === undefined ? {} : { before }) });
    all.push(...page.entries);
    if (page.nextCursor === null) break;
    before = page.nextCursor;
  }
});

afterAll(() => log.close());

function naive(query: Partial<AuditQuery>): AuditEntry[] {
  return all.filter(
    (e) =>
      (query.from === undefined || Date.parse(e.time) >= Date.parse(query.from)) &&
      (query.to === undefined || Date.parse(e.time) < Date.parse(query.to)) &&
      (query.actor === undefined || e.actor.id === query.actor) &&
      (query.holderId === undefined || e.holderId === query.holderId) &&
      (query.actions === undefined || query.actions.includes(e.action as never)) &&
      (query.outcome === undefined || e.outcome === query.outcome) &&
      (query.text === undefined || entryMatches(e, query.text)) &&
      (query.before === undefined || e.seq < query.before) &&
      (query.after === undefined || e.seq > query.after),
  );
}

describe('audit queries', () => {
  it('holds every event once, newest first', () => {
    expect(all).toHaveLength(600);
    expect(all.map((e) => e.details['n'])).toEqual(Array.from({ length: 600 }, (_, i) => 599 - i));
  });

  it('answers random filters exactly as a plain filter would, page by page', async () => {
    const pick = random(42);
    const iso = (ms: number) => new Date(ms).toISOString();
    const span = clock - start;
    for (let trial = 0; trial < 200; trial += 1) {
      const from = start + pick(span);
      const query: AuditQuery = {
        limit: 1 + pick(60),
        count: true,
        ...(pick(2) === 0 ? { from: iso(from) } : {}),
        ...(pick(2) === 0 ? { to: iso(from + pick(span)) } : {}),
        ...(pick(4) === 0 ? { actor: `op${pick(4)}` } : {}),
        ...(pick(3) === 0 ? { holderId: `H${pick(8)}` } : {}),
        ...(pick(4) === 0 ? { actions: [all[pick(all.length)]?.action, all[pick(all.length)]?.action] as AuditQuery['actions'] } : {}),
        ...(pick(2) === 0 ? { outcome: (['success', 'failure'] as AuditOutcome[])[pick(2)] } : {}),
        ...(pick(6) === 0 ? { text: pick(2) === 0 ? 'needle in' : 'op2' } : {}),
        ...(pick(5) === 0 ? { after: all[pick(all.length)]?.seq ?? 0 } : {}),
      };
      const expected = naive(query);
      const pages: AuditEntry[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await queryPage(index, reader, { ...query, ...(before === undefined ? {} : { before }) });
        expect(page.entries.length).toBeLessThanOrEqual(query.limit);
        expect(page.total, JSON.stringify(query)).toBe(query.text === undefined ? naive({ ...query, after: undefined }).length : null);
        pages.push(...page.entries);
        if (page.nextCursor === null) break;
        before = page.nextCursor;
      }
      expect(pages.map((e) => e.seq), JSON.stringify(query)).toEqual(expected.map((e) => e.seq));
    }
  });

  it('summarises one holder: counts in the range, last access overall, filtered list', async () => {
    const holder = 'H3';
    const mine = all.filter((e) => e.holderId === holder);
    const from = new Date(start + (clock - start) / 3).toISOString();
    const summary = await holderSummary(index, reader, { holderId: holder, from, outcome: 'failure', limit: 5 });
    const inRange = mine.filter((e) => e.time >= from);
    expect(summary).toMatchObject({
      holderId: holder,
      total: inRange.length,
      successful: inRange.filter((e) => e.outcome === 'success').length,
      failed: inRange.filter((e) => e.outcome === 'failure').length,
      lastAccess: mine[0]?.time,
    });
    expect(summary.entries.map((e) => e.seq)).toEqual(inRange.filter((e) => e.outcome === 'failure').slice(0, 5).map((e) => e.seq));
    expect(await holderSummary(index, reader, { holderId: 'nobody', limit: 5 })).toMatchObject({ total: 0, lastAccess: null, entries: [] });
  });

  it('exports matches oldest first, and stops at the limit', async () => {
    const rows: AuditEntry[] = [];
    const result = await exportMatches(index, reader, { outcome: 'failure' }, 1000, (entries) => void rows.push(...entries));
    expect(rows.map((e) => e.seq)).toEqual(naive({ outcome: 'failure' }).map((e) => e.seq).reverse());
    expect(result).toEqual({ rows: rows.length, truncated: false });
    const limited = await exportMatches(index, reader, {}, 10, () => undefined);
    expect(limited).toEqual({ rows: 10, truncated: true });
  });

  it('filters by operator name: every account so named (any part, ignoring case), or by its id; no such operator matches nothing', async () => {
    const accounts = [
      { id: 'op0', name: 'Ada Lovelace' },
      { id: 'op1', name: 'Grace Hopper' },
      { id: 'op2', name: 'Ada Byron' },
    ];
    const ids = (name: string) => operatorIdsNamed(accounts, name);
    expect(ids('ada')).toEqual(['op0', 'op2']);
    expect(ids('  HOPPER ')).toEqual(['op1']);
    expect(ids('op1')).toEqual(['op1']);
    expect(ids('Turing')).toEqual([]);
    const ada = await queryPage(index, reader, { operator: 'ada', limit: 200, count: true }, ids);
    const expected = all.filter((e) => e.actor.id === 'op0' || e.actor.id === 'op2');
    expect(expected.length).toBeGreaterThan(0);
    expect(ada.entries.map((e) => e.seq)).toEqual(expected.slice(0, 200).map((e) => e.seq));
    expect(ada.total).toBe(expected.length);
    // With the other filters: narrowed as they narrow.
    const failures = await queryPage(index, reader, { operator: 'Lovelace', outcome: 'failure', limit: 200, count: true }, ids);
    expect(failures.entries.map((e) => e.seq)).toEqual(naive({ actor: 'op0', outcome: 'failure' }).map((e) => e.seq));
    expect(await queryPage(index, reader, { operator: 'Turing', limit: 10, count: true }, ids)).toEqual({ entries: [], nextCursor: null, total: 0 });
    // Without a directory to ask, a name means no one.
    expect((await queryPage(index, reader, { operator: 'ada', limit: 10, count: false })).entries).toEqual([]);
    const rows: AuditEntry[] = [];
    await exportMatches(index, reader, { operator: 'grace' }, 1000, (entries) => void rows.push(...entries), ids);
    expect(rows.map((e) => e.seq)).toEqual(naive({ actor: 'op1' }).map((e) => e.seq).reverse());
  });
});
