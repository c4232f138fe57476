import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { holderLanguages } from '../../../shared/enums';
import { builtInTemplateFile } from './contract-resources';
import { checkTemplate, parseTemplate, TEMPLATE_PLACEHOLDERS } from './template';
import { CONTRACT_RESOURCES } from './test-data';

const lines = (...text: string[]): string => text.join('\n');

describe('checkTemplate', () => {
  it.each(holderLanguages)('passes the built-in %s template, which uses every placeholder', (language) => {
    const text = readFileSync(builtInTemplateFile(CONTRACT_RESOURCES, language), 'utf8');
    expect(checkTemplate(text)).toEqual([]);
    for (const name of Object.keys(TEMPLATE_PLACEHOLDERS)) {
      if (name === 'holder.givenName' || name === 'holder.surname') continue; // the built-in ones print the full name
      expect(text, `${language} uses {{${name}}}`).toContain(`{{${name}}}`);
    }
  });

  it('reports an unknown placeholder with its line', () => {
    const problems = checkTemplate(lines('# Title', '', 'Dear {{holder.givenName}},', 'your PIN is {{card.pin}}.'));
    expect(problems).toEqual([{ line: 4, code: 'unknownPlaceholder', message: 'Unknown placeholder {{card.pin}}.' }]);
  });

  it('reports syntax errors with their lines', () => {
    const problems = checkTemplate(
      lines(
        '# Title',
        'An open {{holder.surname and **bold',
        '{{/certificates}}',
        '| a | b |',
        '| only one |',
        '### too deep',
        '{{certificate.serialNumber}} outside its block',
        '{{#certificates}}',
        '{{#certificates}}',
        'text',
      ),
    );
    expect(problems.map((problem) => [problem.line, problem.code])).toEqual([
      [2, 'syntax'],
      [2, 'syntax'],
      [3, 'syntax'],
      [5, 'syntax'],
      [6, 'syntax'],
      [7, 'syntax'],
      [8, 'syntax'],
      [9, 'syntax'],
    ]);
    expect(problems.find((problem) => problem.line === 5)?.message).toContain('line 4');
    expect(problems.find((problem) => problem.line === 8)?.message).toContain('not closed');
  });

  it('refuses an unknown repeated block, a second title and control characters', () => {
    expect(checkTemplate(lines('# A', '{{#holders}}', '{{/holders}}', '# B', 'bell\u0007')).map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(checkTemplate('')).toEqual([{ line: 1, code: 'syntax', message: 'The template is empty.' }]);
  });

  it('ignores comments, including placeholders in them', () => {
    expect(checkTemplate(lines('%% {{nothing.here}}', '# Title', 'Text.'))).toEqual([]);
  });

  it('parses the certificates block inside a table as repeated rows', () => {
    const parsed = parseTemplate(lines('| Use | Serial |', '{{#certificates}}', '| {{certificate.profile}} | {{certificate.serialNumber}} |', '{{/certificates}}', '', 'After.'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.blocks[0]).toMatchObject({ kind: 'table', rows: [{ kind: 'certificates', rows: [{ kind: 'row' }] }] });
    expect(parsed.blocks[1]).toMatchObject({ kind: 'paragraph' });
  });

  it('keeps placeholders as pieces: values cannot become structure', () => {
    const parsed = parseTemplate('Holder: **{{holder.fullName}}**');
    expect(parsed.blocks).toEqual([{ kind: 'paragraph', text: { line: 1, pieces: [{ text: 'Holder: ', bold: false }, { placeholder: 'holder.fullName', bold: true }] } }]);
  });
});
