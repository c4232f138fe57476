import { describe, expect, it } from 'vitest';
import { decodeLine, encodeRecord, type AuditRecord } from './audit-record';
import { EventLineCheck } from './event-line-check';

const prev = 'ab'.repeat(32);
const event: AuditRecord = {
  seq: 1234,
  time: '2026-05-01T10:00:00.000Z',
  type: 'event',
  prev,
  actor: { kind: 'operator', id: 'operator-1' },
  channel: 'desk',
  action: 'card.pinVerify',
  outcome: 'success',
  holder: 'holder-9',
  details: { reader: 'Reader “é”', triesLeft: 3 },
};

function check(line: string): { seq: number | null; hash: string; prev: string } {
  const bytes = Buffer.from(`xx${line}`);
  const shortcut = new EventLineCheck();
  const seq = shortcut.check(bytes, 2, bytes.length - 1);
  return { seq, hash: Buffer.from(shortcut.hash).toString('hex'), prev: Buffer.from(shortcut.prev).toString('hex') };
}

describe('EventLineCheck', () => {
  it('reads an intact event line as the full decoder does', () => {
    const { line, hash } = encodeRecord(event);
    const decoded = decodeLine(line.trimEnd());
    expect(decoded.ok && decoded.hashMatches).toBe(true);
    expect(check(line)).toEqual({ seq: 1234, hash, prev });
  });

  it('leaves every other line to the full decoder', () => {
    const { line } = encodeRecord(event);
    const changed = line.replace('operator-1', 'operator-2');
    const checkpoint = encodeRecord({ seq: 5, time: event.time, type: 'checkpoint', prev, keyId: 'k', signature: 'c2ln' }).line;
    const repair = encodeRecord({ ...event, action: 'audit.repair', outcome: 'failure', actor: { kind: 'system', id: 'audit-log' } }).line;
    const leadingZero = line.replace('{"seq":1234', '{"seq":01234');
    const upperHex = line.replace(`"prev":"${prev}"`, `"prev":"${prev.toUpperCase()}"`);
    for (const other of [changed, checkpoint, repair, leadingZero, upperHex, line.slice(0, 40), '']) expect(check(other).seq, other).toBeNull();
  });
});
