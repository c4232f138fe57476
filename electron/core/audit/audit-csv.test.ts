import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/schemas/audit';
import { csvCell, csvEntry, csvHeader } from './audit-csv';

const entry: AuditEntry = {
  seq: 7,
  time: '2026-05-01T10:00:00.000Z',
  actor: { kind: 'operator', id: 'alice' },
  channel: 'desk',
  action: 'card.pinVerify',
  outcome: 'failure',
  reason: 'wrongPin, "twice"\nthen blocked',
  holderId: '=HYPERLINK("http://x")',
  cardSerial: null,
  certificateSerial: null,
  details: { reader: 'CardDesk Virtual Reader', triesLeft: 1 },
};

describe('audit CSV', () => {
  it('quotes what RFC 4180 requires and ends rows with CRLF', () => {
    expect(csvHeader).toBe('seq,time,actorKind,actor,channel,action,outcome,reason,holder,card,certificate,details\r\n');
    expect(csvEntry(entry)).toBe(
      '7,2026-05-01T10:00:00.000Z,operator,alice,desk,card.pinVerify,failure,"wrongPin, ""twice""\nthen blocked","\'=HYPERLINK(""http://x"")",,,reader=CardDesk Virtual Reader; triesLeft=1\r\n',
    );
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tcmd', '\rcmd'])('never lets %j start a formula', (value) => {
    expect(csvCell(value).replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('leaves ordinary text alone', () => {
    expect(csvCell('card.pinVerify')).toBe('card.pinVerify');
    expect(csvCell('')).toBe('');
  });
});
