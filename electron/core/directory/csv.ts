/** RFC 4180 CSV: quoted fields may hold separators, quotes ("") and line breaks. */

/** `lines[i]` is the physical line (1-based, a quoted line break counts) on which `rows[i]` starts. */
export type CsvParse = { ok: true; rows: string[][]; lines: number[] } | { ok: false; problem: 'unbalancedQuotes'; line: number };

export function parseCsv(text: string): CsvParse {
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Spreadsheets in many European locales save with semicolons: the header line tells which.
  const header = input.slice(0, input.search(/[\r\n]|$/));
  const separator = header.includes(';') && !header.includes(',') ? ';' : ',';
  const endRow = (): void => {
    row.push(field);
    if (row.some((cell) => cell.trim() !== '')) {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
    field = '';
  };
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i] as string;
    if (char === '\n' || (char === '\r' && input[i + 1] !== '\n')) line += 1;
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += char;
    } else if (char === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') {
        i += 1;
        line += 1;
      }
      endRow();
      rowLine = line;
    } else field += char;
  }
  if (quoted) return { ok: false, problem: 'unbalancedQuotes', line: quoteLine };
  if (field !== '' || row.length > 0) endRow();
  return { ok: true, rows, lines };
}

/** Physical line (1-based) of `index` in `text`, counting \r\n, \n and \r as one break each. */
export function lineAt(text: string, index: number): number {
  const before = text.slice(0, index);
  return 1 + (before.match(/\r\n|\n|\r/g)?.length ?? 0);
}

/**
 * A field as CSV. Values a spreadsheet would run as a formula (=, @, or + / - not followed by
 * a number) get a leading apostrophe (OWASP "CSV injection"); phone numbers stay as they are. A
 * value that itself starts with an apostrophe gets one more, so `csvValue` can always take the
 * first one off and an export imports back exactly.
 */
export function csvField(value: string): string {
  const safe = /^[=@\t\r']/.test(value) || /^[+-](?![\d ]+$)/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The value a `csvField` cell stands for: a leading apostrophe (the spreadsheet text marker) is taken off. */
export function csvValue(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
