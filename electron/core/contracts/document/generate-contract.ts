/**
 * Turns a contract template and the holder's data into a PDF (pdf-lib): A4 pages, DejaVu Sans
 * embedded as a subset (ToUnicode included, so the text can be searched and extracted), a footer
 * on every page with the contract id and "page X of Y".
 *
 * Nothing is reserved for the signature: the holder's signature is an invisible PAdES signature
 * that the signer adds later as an incremental update, which leaves these bytes as they are.
 *
 * Deterministic: the creation and modification dates come from the data, the document ID from the
 * contract id, the font subset's tag from the text; pdf-lib's own "random" numbers come from a
 * fixed seed. The same data and template give the same bytes (the store and the audit log record
 * their SHA-256). The file uses a classic cross-reference table, which every PDF signer can append to.
 */
import { createHash } from 'node:crypto';
import { PDFDocument, PDFHexString, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { CardDeskError } from '../../../shared/errors';
import { CONTRACT_WORDS, certificateValues, documentValues, type ContractData, type ContractLanguage } from './contract-data';
import { CONTRACT_FONT_NAMES, type ContractFontSet } from './contract-fonts';
import { parseTemplate, type TemplateBlock, type TemplateRow, type TemplateText } from './template';

export interface GeneratedContract {
  readonly bytes: Uint8Array;
  readonly pages: number;
  /** SHA-256 (hex) of `bytes`. */
  readonly sha256: string;
}

/** A piece of text with its face. */
interface Run {
  readonly text: string;
  readonly bold: boolean;
}

type Block =
  | { readonly kind: 'title' | 'heading' | 'paragraph' | 'bullet'; readonly runs: readonly Run[] }
  | { readonly kind: 'table'; readonly header: readonly (readonly Run[])[]; readonly rows: readonly (readonly (readonly Run[])[])[] };

type Values = Readonly<Record<string, string>>;

function fill(text: TemplateText, values: Values): Run[] {
  return text.pieces.map((piece) => ('text' in piece ? { text: piece.text, bold: piece.bold } : { text: values[piece.placeholder] ?? '', bold: piece.bold }));
}

/** Puts the data into the parsed template: the certificates block repeats once per certificate. */
function render(blocks: readonly TemplateBlock[], data: ContractData, language: ContractLanguage): Block[] {
  const base: Values = documentValues(data, language);
  const perCertificate = data.certificates.map((certificate) => ({ ...base, ...certificateValues(certificate, language) }));
  const rowsOf = (rows: readonly TemplateRow[], values: Values): (readonly Run[])[][] =>
    rows.flatMap((row) => (row.kind === 'row' ? [row.cells.map((cell) => fill(cell, values))] : perCertificate.flatMap((v) => rowsOf(row.rows, v))));
  const walk = (list: readonly TemplateBlock[], values: Values): Block[] =>
    list.flatMap((block): Block[] => {
      switch (block.kind) {
        case 'certificates':
          return perCertificate.flatMap((v) => walk(block.blocks, v));
        case 'table':
          return [{ kind: 'table', header: block.header.map((cell) => fill(cell, values)), rows: rowsOf(block.rows, values) }];
        default:
          return [{ kind: block.kind, runs: fill(block.text, values) }];
      }
    });
  return walk(blocks, base);
}

// A4 in points, and the page's frame.
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN_X = 62;
const MARGIN_TOP = 64;
const MARGIN_BOTTOM = 72;
const FOOTER_Y = 38;
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;

const STYLE = {
  title: { size: 17, leading: 22, before: 0, after: 12 },
  heading: { size: 11.5, leading: 15, before: 12, after: 5 },
  paragraph: { size: 9.8, leading: 13.6, before: 0, after: 7 },
  bullet: { size: 9.8, leading: 13.6, before: 0, after: 3.5 },
  table: { size: 9, leading: 12, before: 2, after: 9 },
  footer: { size: 7.5 },
} as const;
const BULLET_INDENT = 14;
const CELL_PAD = 4;
const TEXT_COLOUR = rgb(0.1, 0.1, 0.12);
const RULE_COLOUR = rgb(0.55, 0.57, 0.6);
const HEADER_FILL = rgb(0.92, 0.93, 0.95);
const MUTED = rgb(0.35, 0.36, 0.4);

/** A word (or part of one) with whether a space comes before it. */
interface Token {
  readonly text: string;
  readonly bold: boolean;
  readonly space: boolean;
  readonly width: number;
}

/** A laid-out line: tokens with widths at size 1. */
type Line = readonly Token[];

class Typesetter {
  constructor(private readonly fonts: ContractFontSet) {}

  width(text: string, bold: boolean): number {
    return this.fonts.face(bold).width(text);
  }

  /** Breaks runs into lines no wider than `maxWidth` at `size`; a word longer than a line is cut. */
  wrap(runs: readonly Run[], size: number, maxWidth: number): Line[] {
    const limit = maxWidth / size;
    const tokens: Token[] = [];
    let pendingSpace = false;
    for (const run of runs) {
      const parts = run.text.split(/(\s+)/);
      for (const part of parts) {
        if (part === '') continue;
        if (/^\s+$/.test(part)) {
          pendingSpace = tokens.length > 0;
          continue;
        }
        tokens.push({ text: part, bold: run.bold, space: pendingSpace, width: this.width(part, run.bold) });
        pendingSpace = false;
      }
    }
    const lines: Token[][] = [];
    let line: Token[] = [];
    let x = 0;
    const spaceWidth = (bold: boolean): number => this.width(' ', bold);
    for (const token of tokens) {
      const gap = line.length > 0 && token.space ? spaceWidth(token.bold) : 0;
      if (line.length > 0 && x + gap + token.width > limit) {
        lines.push(line);
        line = [];
        x = 0;
      }
      if (token.width > limit) {
        // A word wider than the line (a long serial number): cut it where it has to be.
        let rest = token.text;
        while (rest !== '') {
          let take = rest.length;
          while (take > 1 && x + this.width(rest.slice(0, take), token.bold) > limit) take -= 1;
          const piece = rest.slice(0, take);
          const width = this.width(piece, token.bold);
          line.push({ text: piece, bold: token.bold, space: false, width });
          rest = rest.slice(take);
          if (rest !== '') {
            lines.push(line);
            line = [];
            x = 0;
          } else {
            x += width;
          }
        }
        continue;
      }
      line.push(line.length === 0 ? { ...token, space: false } : token);
      x += (line.length > 1 && token.space ? spaceWidth(token.bold) : 0) + token.width;
    }
    if (line.length > 0) lines.push(line);
    return lines;
  }

  /** The widest single word of the runs, at size 1. */
  longestWord(runs: readonly Run[]): number {
    let widest = 0;
    for (const run of runs) for (const word of run.text.split(/\s+/)) if (word !== '') widest = Math.max(widest, this.width(word, run.bold));
    return widest;
  }

  naturalWidth(runs: readonly Run[]): number {
    return runs.reduce((sum, run) => sum + this.width(run.text, run.bold), 0);
  }
}

class PageWriter {
  readonly pages: PDFPage[] = [];
  #page: PDFPage | null = null;
  /** Distance of the next line's top from the page's top. */
  #y = MARGIN_TOP;

  constructor(
    private readonly document: PDFDocument,
    private readonly faces: { regular: PDFFont; bold: PDFFont },
    private readonly type: Typesetter,
  ) {}

  get page(): PDFPage {
    if (this.#page === null) this.newPage();
    return this.#page as PDFPage;
  }

  newPage(): void {
    this.#page = this.document.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.pages.push(this.#page);
    this.#y = MARGIN_TOP;
  }

  /** Room left on the current page (points). */
  get room(): number {
    return this.#page === null ? PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM : PAGE_HEIGHT - MARGIN_BOTTOM - this.#y;
  }

  get atTop(): boolean {
    return this.#page === null || this.#y === MARGIN_TOP;
  }

  ensure(height: number): void {
    if (this.#page === null || height > this.room) this.newPage();
  }

  space(points: number): void {
    if (!this.atTop) this.#y += points;
  }

  /** Draws one line with its top at the current position, `x` from the left edge; tokens of one face go in one text operation. */
  drawLine(line: Line, x: number, size: number, leading: number, top = this.#y): void {
    const page = this.page;
    const baseline = PAGE_HEIGHT - top - (leading + size * 0.72) / 2;
    let cursor = x;
    let segment = '';
    let segmentBold = line[0]?.bold ?? false;
    let segmentX = cursor;
    const flush = (): void => {
      if (segment !== '') page.drawText(segment, { x: segmentX, y: baseline, size, font: segmentBold ? this.faces.bold : this.faces.regular, color: TEXT_COLOUR });
      segment = '';
    };
    for (const token of line) {
      const gap = token.space ? this.type.width(' ', token.bold) * size : 0;
      if (segment !== '' && token.bold === segmentBold) {
        segment += (token.space ? ' ' : '') + token.text;
      } else {
        flush();
        segmentX = cursor + gap;
        segmentBold = token.bold;
        segment = token.text;
      }
      cursor += gap + token.width * size;
    }
    flush();
  }

  advance(points: number): void {
    this.#y += points;
  }

  get y(): number {
    return this.#y;
  }
}

function layOutText(writer: PageWriter, type: Typesetter, runs: readonly Run[], style: { size: number; leading: number; before: number; after: number }, indent = 0, bullet = false): void {
  const lines = type.wrap(runs, style.size, TEXT_WIDTH - indent);
  writer.space(style.before);
  lines.forEach((line, index) => {
    writer.ensure(style.leading);
    if (bullet && index === 0) writer.drawLine([{ text: '•', bold: false, space: false, width: type.width('•', false) }], MARGIN_X + 3, style.size, style.leading);
    writer.drawLine(line, MARGIN_X + indent, style.size, style.leading);
    writer.advance(style.leading);
  });
  writer.advance(style.after);
}

/** Column widths: each column's natural width when they fit, otherwise shrunk towards its longest word. */
function columnWidths(type: Typesetter, table: Extract<Block, { kind: 'table' }>, size: number): number[] {
  const columns = table.header.length;
  const all = [table.header, ...table.rows];
  const natural = Array.from({ length: columns }, (_, c) => Math.max(...all.map((row) => type.naturalWidth(row[c] ?? []) * size)) + 2 * CELL_PAD + 1);
  const minimum = Array.from({ length: columns }, (_, c) => Math.min(natural[c] ?? 0, Math.max(...all.map((row) => type.longestWord(row[c] ?? []) * size)) + 2 * CELL_PAD + 1));
  const totalNatural = natural.reduce((a, b) => a + b, 0);
  if (totalNatural <= TEXT_WIDTH) return natural.map((w) => (w * TEXT_WIDTH) / totalNatural);
  const totalMinimum = minimum.reduce((a, b) => a + b, 0);
  if (totalMinimum >= TEXT_WIDTH) return minimum.map((w) => (w * TEXT_WIDTH) / totalMinimum);
  const slack = totalNatural - totalMinimum;
  return natural.map((w, c) => (minimum[c] ?? 0) + ((w - (minimum[c] ?? 0)) * (TEXT_WIDTH - totalMinimum)) / slack);
}

function layOutTable(writer: PageWriter, type: Typesetter, table: Extract<Block, { kind: 'table' }>): void {
  const { size, leading, before, after } = STYLE.table;
  const widths = columnWidths(type, table, size);
  const wrapRow = (row: readonly (readonly Run[])[], bold: boolean): Line[][] => widths.map((width, c) => type.wrap((row[c] ?? []).map((run) => ({ ...run, bold: bold || run.bold })), size, width - 2 * CELL_PAD));
  const heightOf = (cells: Line[][]): number => Math.max(1, ...cells.map((lines) => lines.length)) * leading + 2 * CELL_PAD;
  const header = wrapRow(table.header, true);
  const headerHeight = heightOf(header);
  const drawRow = (cells: Line[][], height: number, isHeader: boolean): void => {
    const page = writer.page;
    const top = writer.y;
    const bottom = PAGE_HEIGHT - top - height;
    if (isHeader) page.drawRectangle({ x: MARGIN_X, y: bottom, width: TEXT_WIDTH, height, color: HEADER_FILL });
    let x = MARGIN_X;
    cells.forEach((lines, c) => {
      lines.forEach((line, index) => writer.drawLine(line, x + CELL_PAD, size, leading, top + CELL_PAD + index * leading));
      x += widths[c] ?? 0;
    });
    page.drawLine({ start: { x: MARGIN_X, y: bottom }, end: { x: MARGIN_X + TEXT_WIDTH, y: bottom }, thickness: 0.5, color: RULE_COLOUR });
    if (isHeader) page.drawLine({ start: { x: MARGIN_X, y: bottom + height }, end: { x: MARGIN_X + TEXT_WIDTH, y: bottom + height }, thickness: 0.8, color: RULE_COLOUR });
    writer.advance(height);
  };
  writer.space(before);
  const rows = table.rows.map((row) => wrapRow(row, false));
  // The header never stands alone at the foot of a page.
  writer.ensure(headerHeight + (rows[0] === undefined ? 0 : heightOf(rows[0])));
  drawRow(header, headerHeight, true);
  for (const cells of rows) {
    const height = heightOf(cells);
    if (height > writer.room) {
      writer.newPage();
      drawRow(header, headerHeight, true);
    }
    drawRow(cells, height, false);
  }
  writer.advance(after);
}

/** A subset tag (six capitals, ISO 32000-1 §9.6.4) that depends only on the text drawn in a face. */
function subsetTag(text: string, name: string): string {
  const digest = createHash('sha256').update(name).update('\0').update(text).digest();
  return Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
}

/**
 * Generates the contract PDF. `template` is the template's text (checked here too: a template
 * with problems is refused with MALFORMED_INPUT, whatever let it through).
 */
export async function generateContract(data: ContractData, template: string, language: ContractLanguage, fonts: ContractFontSet): Promise<GeneratedContract> {
  const parsed = parseTemplate(template);
  if (parsed.problems.length > 0) {
    const first = parsed.problems[0];
    throw new CardDeskError('MALFORMED_INPUT', `The ${language} contract template cannot be used: line ${first?.line}: ${first?.message}`);
  }
  const created = new Date(data.generatedAt);
  if (Number.isNaN(created.getTime())) throw new CardDeskError('MALFORMED_INPUT', `The contract date ${data.generatedAt} is not a date.`);
  const blocks = render(parsed.blocks, data, language);
  const words = CONTRACT_WORDS[language];

  const document = await PDFDocument.create({ updateMetadata: false });
  document.registerFontkit(fonts.fontkit());
  // The text each face draws names its subset; digits cover every page number.
  const texts = { regular: ['0123456789', words.footer(data.contractId), words.pageOf(0, 0), '•'], bold: [] as string[] };
  const collect = (runs: readonly Run[], forceBold = false): void => {
    for (const run of runs) (run.bold || forceBold ? texts.bold : texts.regular).push(run.text);
  };
  for (const block of blocks) {
    if (block.kind === 'table') {
      block.header.forEach((cell) => collect(cell, true));
      block.rows.forEach((row) => row.forEach((cell) => collect(cell)));
    } else collect(block.runs, block.kind === 'title' || block.kind === 'heading');
  }
  const regularText = texts.regular.join('\n');
  const boldText = texts.bold.join('\n');
  const [regular, bold] = await Promise.all([
    document.embedFont(fonts.regular.bytes, { subset: true, customName: `${subsetTag(regularText, CONTRACT_FONT_NAMES.regular)}+${CONTRACT_FONT_NAMES.regular}` }),
    document.embedFont(fonts.bold.bytes, { subset: true, customName: `${subsetTag(boldText, CONTRACT_FONT_NAMES.bold)}+${CONTRACT_FONT_NAMES.bold}` }),
  ]);
  const missing = fonts.missingGlyphs(`${regularText}${boldText}`);
  if (missing.length > 0) throw new CardDeskError('MALFORMED_INPUT', `The contract's font cannot print these characters: ${missing.join(' ')}`);

  const type = new Typesetter(fonts);
  const writer = new PageWriter(document, { regular, bold }, type);
  for (const block of blocks) {
    switch (block.kind) {
      case 'title':
        layOutText(writer, type, block.runs.map((run) => ({ ...run, bold: true })), STYLE.title);
        break;
      case 'heading': {
        // A heading keeps its first lines of text with it.
        writer.space(STYLE.heading.before);
        writer.ensure(STYLE.heading.leading * 2 + STYLE.paragraph.leading * 2);
        layOutText(writer, type, block.runs.map((run) => ({ ...run, bold: true })), { ...STYLE.heading, before: 0 });
        break;
      }
      case 'paragraph':
        layOutText(writer, type, block.runs, STYLE.paragraph);
        break;
      case 'bullet':
        layOutText(writer, type, block.runs, STYLE.bullet, BULLET_INDENT, true);
        break;
      case 'table':
        layOutTable(writer, type, block);
        break;
    }
  }

  const total = writer.pages.length;
  const footer = words.footer(data.contractId);
  writer.pages.forEach((page, index) => {
    const size = STYLE.footer.size;
    page.drawLine({ start: { x: MARGIN_X, y: FOOTER_Y + 12 }, end: { x: PAGE_WIDTH - MARGIN_X, y: FOOTER_Y + 12 }, thickness: 0.4, color: RULE_COLOUR });
    page.drawText(footer, { x: MARGIN_X, y: FOOTER_Y, size, font: regular, color: MUTED });
    const pageText = words.pageOf(index + 1, total);
    page.drawText(pageText, { x: PAGE_WIDTH - MARGIN_X - type.width(pageText, false) * size, y: FOOTER_Y, size, font: regular, color: MUTED });
  });

  document.setTitle(`${words.title} – ${data.holder.givenName} ${data.holder.surname}`.trim(), { showInWindowTitleBar: false });
  document.setAuthor(data.issuer.organisation);
  document.setSubject(footer);
  document.setLanguage(words.locale);
  document.setCreator('CardDesk');
  document.setProducer('CardDesk');
  document.setCreationDate(created);
  document.setModificationDate(created);
  // ISO 32000-1 §14.4: the first ID is permanent, the second changes with each version; both start equal.
  const id = createHash('sha256').update('carddesk-contract\0').update(data.contractId).digest('hex').slice(0, 32).toUpperCase();
  document.context.trailerInfo.ID = document.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);

  const bytes = await document.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
  return { bytes, pages: total, sha256: createHash('sha256').update(bytes).digest('hex') };
}
