/**
 * Audit entries as CSV (RFC 4180): a header row, CRLF line ends, cells quoted when they hold a
 * comma, quote or line break. A cell a spreadsheet would run as a formula (starting with = + - @,
 * tab or carriage return) gets a leading apostrophe, so an event text can never become code
 * in the auditor's spreadsheet (OWASP "CSV injection").
 */
import type { AuditEntry } from '../../shared/schemas/audit';

export const csvColumns = ['seq', 'time', 'actorKind', 'actor', 'channel', 'action', 'outcome', 'reason', 'holder', 'card', 'certificate', 'details'] as const;

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const csvHeader = csvRow(csvColumns);

export function csvEntry(entry: AuditEntry): string {
  return csvRow([
    String(entry.seq),
    entry.time,
    entry.actor.kind,
    entry.actor.id,
    entry.channel,
    entry.action,
    entry.outcome,
    entry.reason ?? '',
    entry.holderId ?? '',
    entry.cardSerial ?? '',
    entry.certificateSerial ?? '',
    [...Object.entries(entry.details), ...(entry.recovered === true ? [['recovered', true] as const] : [])]
      .map(([key, value]) => `${key}=${String(value)}`)
      .join('; '),
  ]);
}
