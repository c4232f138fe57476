/** RFC 4180 CSV: quoted fields may hold separators, quotes ("") and line breaks. */

export type CsvParse = { ok: true; rows: string[][] } | { ok: false; problem: 'unbalancedQuotes' };

export function parseCsv(text: string): CsvParse {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Spreadsheets in many European locales save with semicolons: the header line tells which.
  const header = input.slice(0, input.search(/[\r\n]|$/));
  const separator = header.includes(';') && !header.includes(',') ? ';' : ',';
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i] as string;
    if (quoted) {
      if (char === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && input[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) return { ok: false, problem: 'unbalancedQuotes' };
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return { ok: true, rows: rows.filter((r) => r.some((cell) => cell.trim() !== '')) };
}

/**
 * A field as CSV. Values a spreadsheet would run as a formula (=, @, or + / - not followed by
 * a number) get a leading apostrophe (OWASP "CSV injection"); phone numbers stay as they are.
 */
export function csvField(value: string): string {
  const safe = /^[=@\t\r]/.test(value) || /^[+-](?![\d ]+$)/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
