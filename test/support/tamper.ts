/**
 * Tampering with a copy of an audit log the four ways an attacker (or a broken disk) would:
 * change a field of a record, delete a record, swap two records, cut the end off. Each returns
 * what verification must report first: the kind, the sequence number and where.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allLines, rewriteSegment, segmentFiles } from './audit';

export type TamperKind = 'change' | 'delete' | 'swap' | 'truncate';

export interface Expectation {
  readonly kind: 'changed' | 'removed' | 'reordered' | 'truncated';
  readonly seq: number;
  readonly segment: string;
  readonly line: number;
  readonly what: string;
}

/** A small seeded generator, so a failing trial can be replayed. */
export function random(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

export function copyLog(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'carddesk-tamper-'));
  cpSync(dir, copy, { recursive: true });
  // The derived index plays no part in verification.
  rmSync(join(copy, 'index'), { recursive: true, force: true });
  return copy;
}

const seqOf = (text: string): number => (JSON.parse(text) as { seq: number }).seq;

/** Field edits that keep the line valid JSON, as someone editing the file by hand would. */
const edits: ((record: Record<string, unknown>) => void)[] = [
  (r) => (r['time'] = new Date(Date.parse(String(r['time'])) + 1000).toISOString()),
  (r) => (r['seq'] = Number(r['seq']) + 1000),
  (r) => (r['prev'] = String(r['prev']).replace(/^./, (c) => (c === '0' ? '1' : '0'))),
  (r) => (r['hash'] = String(r['hash']).replace(/^./, (c) => (c === '0' ? '1' : '0'))),
  (r) => (r['outcome'] = r['outcome'] === 'success' ? 'failure' : 'success'),
  (r) => (r['actor'] = { kind: 'operator', id: 'someone-else' }),
  (r) => (r['reason'] = 'edited'),
  (r) => (r['type'] = r['type'] === 'event' ? 'checkpoint' : 'event'),
];

export function tamper(dir: string, kind: TamperKind, pick: (n: number) => number): Expectation {
  const lines = allLines(dir);
  switch (kind) {
    case 'change': {
      const target = lines[pick(lines.length)];
      if (target === undefined) throw new Error('empty log');
      const record = JSON.parse(target.text) as Record<string, unknown>;
      const edit = edits[pick(edits.length)];
      edit?.(record);
      rewriteSegment(dir, target.segment, (all) => all.map((text, i) => (i === target.line - 1 ? JSON.stringify(record) : text)));
      return { kind: 'changed', seq: seqOf(target.text), segment: target.segment, line: target.line, what: `edit ${edits.indexOf(edit ?? edits[0]!)} of ${target.segment}:${target.line}` };
    }
    case 'delete': {
      const at = pick(lines.length);
      const target = lines[at];
      if (target === undefined) throw new Error('empty log');
      rewriteSegment(dir, target.segment, (all) => all.filter((_, i) => i !== target.line - 1));
      const next = lines[at + 1];
      const previous = lines[at - 1];
      if (next === undefined && previous !== undefined) {
        return { kind: 'truncated', seq: seqOf(target.text), segment: previous.segment, line: previous.line + 1, what: `delete the last line ${target.segment}:${target.line}` };
      }
      if (next === undefined) throw new Error('a log of one line');
      // The line after the deleted one moves up when it is in the same segment.
      return { kind: 'removed', seq: seqOf(target.text), segment: next.segment, line: next.segment === target.segment ? target.line : next.line, what: `delete ${target.segment}:${target.line}` };
    }
    case 'swap': {
      const a = pick(lines.length - 1);
      const b = a + 1 + pick(Math.min(lines.length - a - 1, pick(2) === 0 ? 1 : lines.length));
      const first = lines[a];
      const second = lines[b];
      if (first === undefined || second === undefined) throw new Error('not enough lines');
      rewriteSegment(dir, first.segment, (all) => all.map((text, i) => (i === first.line - 1 ? second.text : text)));
      rewriteSegment(dir, second.segment, (all) => all.map((text, i) => (i === second.line - 1 ? first.text : text)));
      return { kind: 'reordered', seq: seqOf(second.text), segment: first.segment, line: first.line, what: `swap ${first.segment}:${first.line} and ${second.segment}:${second.line}` };
    }
    case 'truncate': {
      const segments = segmentFiles(dir);
      const sizes = segments.map((segment) => statSync(join(dir, segment)).size);
      const total = sizes.reduce((a, b) => a + b, 0);
      // Somewhere after the first line, before the very end.
      const firstLine = Buffer.byteLength(lines[0]?.text ?? '') + 1;
      let cut = firstLine + pick(total - firstLine - 1);
      for (const [i, segment] of segments.entries()) {
        const size = sizes[i] ?? 0;
        const path = join(dir, segment);
        if (cut >= size) {
          cut -= size;
          continue;
        }
        if (cut > 0) truncateSync(path, cut);
        else rmSync(path);
        cut = 0;
      }
      // A last line without its "\n" is unfinished, not a record (the format's own rule).
      const lastSegment = segmentFiles(dir).at(-1) ?? '';
      const unfinished = !readRaw(dir, lastSegment).endsWith('\n');
      const survivors = allLines(dir).slice(0, unfinished ? -1 : undefined);
      const last = survivors.at(-1);
      if (last === undefined) throw new Error('cut too much');
      return { kind: 'truncated', seq: seqOf(last.text) + 1, segment: last.segment, line: last.line + 1, what: `cut after ${last.segment}:${last.line}` };
    }
  }
}

export function readRaw(dir: string, segment: string): string {
  return readFileSync(join(dir, segment), 'utf8');
}
