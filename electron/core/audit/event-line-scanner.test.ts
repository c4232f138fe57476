/** The byte scanner reads exactly what JSON.parse reads, and hands over what it cannot read. */
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../../test/support/audit';
import { encodeRecord, GENESIS_HASH, type AuditRecord, type EventRecord } from './audit-record';
import { eventFields } from './event-input';
import { EventLineScanner, Interner, parseEventLine, scanEvents, type ScannedEvent } from './event-line-scanner';

const names = () => ({ actors: new Interner(), holders: new Interner(), actions: new Interner() });
const blank = (): ScannedEvent => ({ seq: 0, timeMs: 0, actorKind: 0, actor: 0, channel: 0, action: 0, failure: false, holder: 0 });

function line(i: number, overrides: Partial<EventRecord> = {}): string {
  const record = { ...eventFields(sampleEvent(i)), seq: i + 1, time: new Date(Date.UTC(2026, 4, 1, 10, 0, i)).toISOString(), prev: GENESIS_HASH, ...overrides } as EventRecord;
  return encodeRecord(record).line.trimEnd();
}

/** What the scanner says, with names instead of ids. */
function read(scan: (out: ScannedEvent, n: ReturnType<typeof names>) => string | null) {
  const n = names();
  const out = blank();
  const kind = scan(out, n);
  return { kind, seq: out.seq, timeMs: out.timeMs, actorKind: out.actorKind, actor: n.actors.values[out.actor], channel: out.channel, action: n.actions.values[out.action], failure: out.failure, holder: n.holders.values[out.holder] };
}

describe('the event line scanner', () => {
  const tricky: [string, Partial<EventRecord>][] = [
    ['a plain event', {}],
    ['no holder', { holder: undefined }],
    ['a reason holding the holder key', { reason: 'x","holder":"mallory' }],
    ['a details key named holder', { holder: undefined, details: { a: 1, holder: 'mallory' } }],
    ['an escaped quote in the actor', { actor: { kind: 'operator', id: 'o"brien' } }],
    ['a backslash in the holder', { holder: 'a\\b' }],
    ['non-ASCII names', { actor: { kind: 'holder', id: 'Zoë Çela' }, holder: 'Ëndrit' }],
    ['a long reason with escapes', { reason: 'line1\nline2 "quoted" \\ done' }],
  ];

  it.each(tricky)('reads %s as JSON.parse does (or leaves it to JSON.parse)', (_, overrides) => {
    const text = line(7, overrides);
    const bytes = Buffer.from(text);
    const fast = read((out, n) => new EventLineScanner(bytes, n).scan(0, bytes.length, out));
    const sure = read((out, n) => parseEventLine(text, n, out));
    expect(sure.kind).toBe('event');
    if (fast.kind !== null) expect(fast).toEqual(sure);
  });

  it('takes plain lines itself', () => {
    const bytes = Buffer.from(line(3));
    expect(new EventLineScanner(bytes, names()).scan(0, bytes.length, blank())).toBe('event');
  });

  it('tells checkpoints and keys from events, and refuses what is not a record', () => {
    const checkpoint: AuditRecord = { seq: 9, time: '2026-05-01T10:00:00.000Z', type: 'checkpoint', prev: GENESIS_HASH, keyId: 'k', signature: 'c2ln' };
    for (const [text, kind] of [
      [encodeRecord(checkpoint).line.trimEnd(), 'other'],
      ['{"seq":1,"time":"nonsense"}', null],
      ['garbage', null],
    ] as const) {
      const bytes = Buffer.from(text);
      const n = names();
      expect(new EventLineScanner(bytes, n).scan(0, bytes.length, blank()) ?? parseEventLine(text, n, blank())).toBe(kind);
    }
  });

  it('scans a whole segment with byte offsets and lengths, the same as parsing line by line', () => {
    const lines = Array.from({ length: 200 }, (_, i) => line(i, i % 9 === 0 ? tricky[i % tricky.length]?.[1] : {}));
    const bytes = Buffer.from(`${lines.join('\n')}\n{"seq":201,"unfinished`);
    const seen: { seq: number; actor: string | undefined; holder: string | undefined; offset: number; length: number }[] = [];
    const n = names();
    const end = scanEvents(bytes, 1000, n, (event, offset, length) => seen.push({ seq: event.seq, actor: n.actors.values[event.actor], holder: n.holders.values[event.holder], offset, length }));
    expect(end).toBe(1000 + Buffer.byteLength(`${lines.join('\n')}\n`));
    const expected = lines.map((text) => JSON.parse(text) as EventRecord);
    expect(seen.map((e) => [e.seq, e.actor, e.holder || undefined])).toEqual(expected.map((r) => [r.seq, r.actor.id, r.holder]));
    for (const [i, e] of seen.entries()) expect(bytes.toString('utf8', e.offset - 1000, e.offset - 1000 + e.length)).toBe(`${lines[i]}\n`);
  });
});

describe('Interner', () => {
  it('gives each of 50,000 names one id, whether found by its bytes or its string, and again after loading', () => {
    const interner = new Interner();
    const names = Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? `holder-${i}` : i % 3 === 1 ? `opérateur.${i}` : `x${i}`));
    const text = Buffer.from(names.map((name) => `${name}"`).join(''));
    const byBytes: number[] = [];
    let at: number;
    for (let round = 0; round < 2; round += 1) {
      at = 0;
      for (let i = 0; i < names.length; i += 1) {
        const id = interner.idOfString(text, at, text.length);
        if (round === 0) byBytes.push(id);
        else expect(id).toBe(byBytes[i]);
        at = interner.after;
      }
    }
    expect(new Set(byBytes).size).toBe(names.length);
    names.forEach((name, i) => {
      expect(interner.id(name)).toBe(byBytes[i]);
      expect(interner.values[byBytes[i] ?? 0]).toBe(name);
    });
    // A loaded index's table (the values in id order) finds the same ids by bytes.
    const loaded = new Interner(interner.values.slice(1));
    at = 0;
    for (let i = 0; i < names.length; i += 1) {
      expect(loaded.idOfString(text, at, text.length)).toBe(byBytes[i]);
      at = loaded.after;
    }
    expect(loaded.find('nobody')).toBeUndefined();
    expect(loaded.idOfString(Buffer.from('nobody"'), 0, 7)).toBe(names.length + 1);
  });
});

