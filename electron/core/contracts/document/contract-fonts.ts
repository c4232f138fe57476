/**
 * The contract's typeface: DejaVu Sans (regular and bold), shipped in resources/contracts/fonts
 * with its licence. It covers Latin Extended (ë, ç, à, è, ì, ò, ù, ĳ …), so every language the
 * desk writes contracts in renders with its own letters; the standard PDF fonts (WinAnsi) do not
 * carry all of them and are not embedded. The font is embedded as a subset of the glyphs used.
 *
 * A ContractFontSet parses each font once and keeps text widths it has measured: generating a
 * contract then pays for layout and subsetting, not for parsing 700 KB of font per document.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fontkit, { type Font as FontkitFont } from '@pdf-lib/fontkit';
import type { PDFDocument } from 'pdf-lib';

/** What pdf-lib takes as its font engine. */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

export const CONTRACT_FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
export const CONTRACT_FONT_NAMES = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold' } as const;

/** Widths measured are kept up to this many texts per face, then the memo starts again. */
const WIDTH_MEMO_LIMIT = 50_000;

class Face {
  readonly font: FontkitFont;
  readonly #widths = new Map<string, number>();
  readonly #scale: number;

  constructor(readonly bytes: Uint8Array) {
    this.font = fontkit.create(bytes);
    this.#scale = 1 / this.font.unitsPerEm;
  }

  /** The advance width of `text` at size 1 (kerning included, as pdf-lib draws it). */
  width(text: string): number {
    let width = this.#widths.get(text);
    if (width === undefined) {
      width = this.font.layout(text).advanceWidth * this.#scale;
      if (this.#widths.size >= WIDTH_MEMO_LIMIT) this.#widths.clear();
      this.#widths.set(text, width);
    }
    return width;
  }

  missing(text: string): string[] {
    const out = new Set<string>();
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      if (code > 0x20 && !this.font.hasGlyphForCodePoint(code)) out.add(char);
    }
    return [...out];
  }
}

export class ContractFontSet {
  readonly regular: Face;
  readonly bold: Face;

  constructor(regular: Uint8Array, bold: Uint8Array) {
    this.regular = new Face(regular);
    this.bold = new Face(bold);
  }

  /** Reads the fonts from a resources folder (resources/contracts). */
  static async load(resourcesDir: string): Promise<ContractFontSet> {
    const [regular, bold] = await Promise.all([readFile(join(resourcesDir, 'fonts', CONTRACT_FONT_FILES.regular)), readFile(join(resourcesDir, 'fonts', CONTRACT_FONT_FILES.bold))]);
    return new ContractFontSet(new Uint8Array(regular), new Uint8Array(bold));
  }

  face(bold: boolean): Face {
    return bold ? this.bold : this.regular;
  }

  /** Characters of `text` neither face can draw (they would print as empty boxes). */
  missingGlyphs(text: string): string[] {
    return [...new Set([...this.regular.missing(text), ...this.bold.missing(text)])];
  }

  /** A fontkit for pdf-lib that hands out the parsed fonts instead of parsing the bytes again. */
  fontkit(): Fontkit {
    return {
      create: (bytes: Uint8Array, postscriptName?: string) => {
        if (bytes === this.regular.bytes) return this.regular.font;
        if (bytes === this.bold.bytes) return this.bold.font;
        return fontkit.create(bytes, postscriptName);
      },
    };
  }
}
