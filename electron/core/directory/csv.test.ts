import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, toCsv } from './csv';

describe('CSV', () => {
  it('reads quoted fields with separators, quotes and line breaks', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n')).toEqual({ ok: true, rows: [['a', 'b', 'c'], ['x, y', 'say "hi"', 'two\nlines']], lines: [1, 2] });
  });

  it('reads semicolon files and skips blank lines and a BOM', () => {
    expect(parseCsv('\uFEFFa;b\n\n1;2\n')).toEqual({ ok: true, rows: [['a', 'b'], ['1', '2']], lines: [1, 3] });
  });

  it('reports an unbalanced quote', () => {
    expect(parseCsv('a,b\n"open,1\n')).toEqual({ ok: false, problem: 'unbalancedQuotes', line: 2 });
  });

  it('defuses spreadsheet formulas but leaves phone numbers alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+38344123456')).toBe('+38344123456');
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField("'quoted")).toBe("''quoted");
  });

  it('round-trips what it writes', () => {
    const rows = [['a', 'b'], ['x, y', 'line\nbreak']];
    expect(parseCsv(toCsv(rows))).toEqual({ ok: true, rows, lines: [1, 2] });
  });
});
