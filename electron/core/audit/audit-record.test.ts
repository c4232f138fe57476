import { describe, expect, it } from 'vitest';
import { decodeLine, encodeRecord, GENESIS_HASH, sha256Hex, splitLine, type EventRecord } from './audit-record';

const event: EventRecord = {
  seq: 1,
  time: '2026-05-01T10:00:00.000Z',
  type: 'event',
  prev: GENESIS_HASH,
  actor: { kind: 'operator', id: 'Zoë "the" operator' },
  channel: 'desk',
  action: 'card.pinChange',
  outcome: 'success',
  holder: 'H1',
  details: { reader: 'R', triesLeft: 3 },
};

describe('audit records', () => {
  it('hash the exact bytes of the line without its hash tail', () => {
    const { line, hash } = encodeRecord(event);
    expect(line.endsWith(`,"hash":"${hash}"}\n`)).toBe(true);
    const text = line.trimEnd();
    expect(splitLine(text)?.body).toBe(JSON.stringify(event));
    expect(sha256Hex(JSON.stringify(event))).toBe(hash);
    expect(decodeLine(text)).toEqual({ ok: true, record: { ...event, hash }, hash, hashMatches: true });
  });

  it('write fields in a fixed order, leaving out what is absent', () => {
    const { line } = encodeRecord({ ...event, details: undefined, holder: undefined });
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['seq', 'time', 'type', 'prev', 'actor', 'channel', 'action', 'outcome', 'hash']);
  });

  it('notice any change of a byte', () => {
    const text = encodeRecord(event).line.trimEnd();
    const changed = text.replace('"success"', '"failure"');
    expect(decodeLine(changed)).toMatchObject({ ok: true, hashMatches: false });
  });

  it.each(['', 'not json', '{"seq":1}', `{"seq":1,"hash":"${'g'.repeat(64)}"}`, `{"seq":"x","time":1,"type":"event","hash":"${'0'.repeat(64)}"}`])('refuse %j as a record', (text) => {
    expect(decodeLine(text).ok).toBe(false);
  });
});
