/**
 * Contract templates: plain UTF-8 text an administrator can read and replace, in a small
 * Markdown-like syntax, one block per line:
 *
 *   # Title                      the document's title (once, at the top)
 *   ## Heading                   a section heading
 *   - item                       a list item
 *   | a | b | c |                a table row; the first row of a table is its header
 *   {{#certificates}}            repeats the lines up to {{/certificates}} once per certificate
 *   text                         a paragraph (consecutive lines join; a blank line ends it)
 *   %% note                      a comment for whoever edits the template; never printed
 *
 * Inside text, `{{name}}` is a placeholder (TEMPLATE_PLACEHOLDERS) and `**bold**` is bold. The
 * structure is parsed before any value is put in, so a holder's data can never turn into a
 * heading, a table cell or a placeholder.
 */

/** Every placeholder a template may use, and what it stands for (shown to administrators). */
export const TEMPLATE_PLACEHOLDERS = {
  'holder.givenName': "the holder's given name",
  'holder.surname': "the holder's surname",
  'holder.fullName': "the holder's given name and surname",
  'holder.personalNumber': "the holder's personal number",
  'holder.userNumber': "the holder's 14-digit user number",
  'holder.organisation': "the holder's organisation",
  'card.serial': "the card's serial number",
  'issuer.organisation': 'the organisation issuing the card (the desk)',
  'contract.id': "the contract's identifier",
  'contract.date': 'the date the contract was generated',
  'contract.kind': 'why the contract was made: issue of a new card, renewal or replacement',
  'certificate.serialNumber': "a certificate's serial number (inside {{#certificates}})",
  'certificate.profile': "a certificate's use: authentication, signature, encryption (inside {{#certificates}})",
  'certificate.validFrom': 'the first day a certificate is valid (inside {{#certificates}})',
  'certificate.validUntil': 'the last day a certificate is valid (inside {{#certificates}})',
} as const;
export type PlaceholderName = keyof typeof TEMPLATE_PLACEHOLDERS;

/** The one repeated block: the card's certificates. */
export const CERTIFICATES_SECTION = 'certificates';
const CERTIFICATE_PREFIX = 'certificate.';

export interface TemplateProblem {
  /** 1-based line in the template text. */
  readonly line: number;
  readonly code: 'unknownPlaceholder' | 'syntax' | 'unprintableCharacter';
  readonly message: string;
}

/** A run of text as written in the template: literal text or a placeholder, bold or not. */
export type TemplatePiece = { readonly text: string; readonly bold: boolean } | { readonly placeholder: PlaceholderName; readonly bold: boolean };

export interface TemplateText {
  readonly line: number;
  readonly pieces: readonly TemplatePiece[];
}

export type TemplateBlock =
  | { readonly kind: 'title' | 'heading' | 'paragraph' | 'bullet'; readonly text: TemplateText }
  | { readonly kind: 'table'; readonly header: readonly TemplateText[]; readonly rows: readonly TemplateRow[] }
  | { readonly kind: 'certificates'; readonly blocks: readonly TemplateBlock[] };

/** A table row, or the rows repeated per certificate. */
export type TemplateRow = { readonly kind: 'row'; readonly cells: readonly TemplateText[] } | { readonly kind: 'certificates'; readonly rows: readonly TemplateRow[] };

export interface ParsedTemplate {
  readonly blocks: readonly TemplateBlock[];
  readonly problems: readonly TemplateProblem[];
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SECTION_OPEN = /^\{\{\s*#\s*([A-Za-z.]+)\s*\}\}$/;
const SECTION_CLOSE = /^\{\{\s*\/\s*([A-Za-z.]+)\s*\}\}$/;

/** Tabs are allowed (as spaces); other C0 controls and DEL are not text. */
function hasControlCharacter(line: string): boolean {
  for (let i = 0; i < line.length; i += 1) {
    const code = line.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

const isPlaceholder = (name: string): name is PlaceholderName => Object.hasOwn(TEMPLATE_PLACEHOLDERS, name);

/** Splits one line's text into literal and placeholder pieces, with bold spans; reports what is wrong. */
function pieces(raw: string, line: number, inCertificates: boolean, problems: TemplateProblem[]): TemplatePiece[] {
  const out: TemplatePiece[] = [];
  const boldParts = raw.split('**');
  if (boldParts.length % 2 === 0) problems.push({ line, code: 'syntax', message: 'A ** (bold) is opened and not closed on this line.' });
  boldParts.forEach((part, index) => {
    const bold = index % 2 === 1;
    let last = 0;
    for (const match of part.matchAll(PLACEHOLDER)) {
      const before = part.slice(last, match.index);
      if (before !== '') out.push({ text: before, bold });
      last = match.index + match[0].length;
      const name = match[1] ?? '';
      if (name.startsWith('#') || name.startsWith('/')) {
        problems.push({ line, code: 'syntax', message: `{{${name}}} must stand alone on its own line.` });
      } else if (!isPlaceholder(name)) {
        problems.push({ line, code: 'unknownPlaceholder', message: `Unknown placeholder {{${name}}}.` });
      } else if (name.startsWith(CERTIFICATE_PREFIX) && !inCertificates) {
        problems.push({ line, code: 'syntax', message: `{{${name}}} is only known inside {{#certificates}} … {{/certificates}}.` });
      } else {
        out.push({ placeholder: name, bold });
      }
    }
    const rest = part.slice(last);
    if (rest.includes('{{') || rest.includes('}}')) problems.push({ line, code: 'syntax', message: 'A {{ or }} without its partner; placeholders are written {{name}}.' });
    if (rest !== '') out.push({ text: rest, bold });
  });
  return out;
}

function cellsOf(raw: string): string[] {
  return raw.slice(1, -1).split('|').map((cell) => cell.trim());
}

/** Parses a template; `problems` is empty when it can be used. */
export function parseTemplate(source: string): ParsedTemplate {
  const problems: TemplateProblem[] = [];
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const root: TemplateBlock[] = [];
  let target = root;
  let section: { line: number; blocks: TemplateBlock[] } | null = null;
  let paragraph: { line: number; parts: { line: number; text: string }[] } | null = null;
  let table: { header: TemplateText[]; rows: TemplateRow[]; width: number; headerLine: number } | null = null;
  /** The rows repeated per certificate while a section is open inside a table. */
  let tableSection: TemplateRow[] | null = null;
  let titleSeen = false;

  const flushParagraph = (): void => {
    if (paragraph === null) return;
    // Each line is checked on its own, so a problem is reported on its line; lines join with a space.
    const inSection = section !== null;
    const joined = paragraph.parts.flatMap((part, index) => [...(index === 0 ? [] : [{ text: ' ', bold: false }]), ...pieces(part.text, part.line, inSection, problems)]);
    target.push({ kind: 'paragraph', text: { line: paragraph.line, pieces: joined } });
    paragraph = null;
  };
  const flushTable = (): void => {
    if (table === null) return;
    target.push({ kind: 'table', header: table.header, rows: table.rows });
    table = null;
  };

  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const text = rawLine.trim();
    if (hasControlCharacter(rawLine)) {
      problems.push({ line, code: 'syntax', message: 'The line holds a control character; templates are plain text.' });
      return;
    }
    if (text.startsWith('%%')) return;
    const open = SECTION_OPEN.exec(text);
    const close = SECTION_CLOSE.exec(text);
    if (open !== null || close !== null) {
      flushParagraph();
      const name = (open ?? close)?.[1] ?? '';
      if (name !== CERTIFICATES_SECTION) {
        problems.push({ line, code: 'syntax', message: `Unknown repeated block {{${open === null ? '/' : '#'}${name}}}; the only one is {{#certificates}}.` });
        return;
      }
      if (open !== null) {
        if (section !== null || tableSection !== null) {
          problems.push({ line, code: 'syntax', message: '{{#certificates}} cannot be opened inside another {{#certificates}}.' });
          return;
        }
        if (table !== null) {
          // Rows repeated inside a table: the table goes on after the block.
          tableSection = [];
          section = { line, blocks: [] };
          return;
        }
        section = { line, blocks: [] };
        target = section.blocks;
        return;
      }
      if (section === null) {
        problems.push({ line, code: 'syntax', message: '{{/certificates}} closes a block that was not opened.' });
        return;
      }
      if (tableSection !== null && table !== null) {
        table.rows.push({ kind: 'certificates', rows: tableSection });
        tableSection = null;
        section = null;
        return;
      }
      flushTable();
      root.push({ kind: 'certificates', blocks: section.blocks });
      target = root;
      section = null;
      return;
    }
    if (text.startsWith('|')) {
      flushParagraph();
      if (!text.endsWith('|') || text.length < 2) {
        problems.push({ line, code: 'syntax', message: 'A table row starts and ends with |.' });
        return;
      }
      const cells = cellsOf(text).map((cell) => ({ line, pieces: pieces(cell, line, section !== null, problems) }));
      if (table === null) {
        table = { header: cells, rows: [], width: cells.length, headerLine: line };
        return;
      }
      if (cells.length !== table.width) {
        problems.push({ line, code: 'syntax', message: `This table row has ${cells.length} cells; the table's header (line ${table.headerLine}) has ${table.width}.` });
        return;
      }
      (tableSection ?? table.rows).push({ kind: 'row', cells });
      return;
    }
    if (tableSection !== null) {
      problems.push({ line, code: 'syntax', message: 'Inside a table, {{#certificates}} may only repeat table rows.' });
      return;
    }
    flushTable();
    if (text === '') {
      flushParagraph();
      return;
    }
    const heading = /^(#{1,2})\s+(.*)$/.exec(text);
    if (heading !== null) {
      flushParagraph();
      const kind = heading[1] === '#' ? 'title' : 'heading';
      if (kind === 'title') {
        if (titleSeen) problems.push({ line, code: 'syntax', message: 'A template has one title (# …); use ## for sections.' });
        titleSeen = true;
      }
      target.push({ kind, text: { line, pieces: pieces(heading[2] ?? '', line, section !== null, problems) } });
      return;
    }
    if (/^#{3,}\s/.test(text)) {
      problems.push({ line, code: 'syntax', message: 'Only # (title) and ## (section) headings are known.' });
      return;
    }
    if (text.startsWith('- ')) {
      flushParagraph();
      target.push({ kind: 'bullet', text: { line, pieces: pieces(text.slice(2).trim(), line, section !== null, problems) } });
      return;
    }
    if (paragraph === null) paragraph = { line, parts: [] };
    paragraph.parts.push({ line, text });
  });
  flushParagraph();
  if (tableSection !== null || section !== null) {
    problems.push({ line: (section as { line: number } | null)?.line ?? lines.length, code: 'syntax', message: '{{#certificates}} is not closed by {{/certificates}}.' });
    if (tableSection === null && section !== null) root.push({ kind: 'certificates', blocks: (section as { blocks: TemplateBlock[] }).blocks });
  }
  flushTable();
  if (root.length === 0) problems.push({ line: 1, code: 'syntax', message: 'The template is empty.' });
  problems.sort((a, b) => a.line - b.line);
  return { blocks: root, problems };
}

/** What is wrong with a template: unknown placeholders and syntax errors, by line; empty when it can be used. */
export function checkTemplate(source: string): TemplateProblem[] {
  return [...parseTemplate(source).problems];
}
