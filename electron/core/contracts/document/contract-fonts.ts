/**
 * The contract's typeface: DejaVu Sans (regular and bold), shipped in resources/contracts/fonts
 * with its licence. It covers Latin Extended (ë, ç, à, è, ì, ò, ù, ĳ …), so every language the
 * desk writes contracts in renders with its own letters; the standard PDF fonts (WinAnsi) do not
 * carry all of them and are not embedded. The font is embedded as a subset of the glyphs used.
 *
 * A ContractFontSet parses each font once and shapes each word once (fontkit's shaping is what a
 * contract's generation spent its time on): generating a contract then pays for layout and
 * subsetting, not for parsing 700 KB of font or shaping the same words again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Font as FontkitFont } from '@pdf-lib/fontkit';
import type { PDFDocument } from 'pdf-lib';
import { loadFontkit, type Fontkit as FontkitEngine } from '../../files/fontkit-loader';

/** What pdf-lib takes as its font engine. */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

export const CONTRACT_FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
export const CONTRACT_FONT_NAMES = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold' } as const;

/** Words shaped are kept up to this many per face, then the memo starts again. */
const WORD_MEMO_LIMIT = 50_000;

type Glyphs = ReturnType<FontkitFont['layout']>['glyphs'];

class Face {
  readonly font: FontkitFont;
  /** The font as pdf-lib gets it: the same parsed font, shaping text word by word from the memo. */
  readonly drawing: FontkitFont;
  readonly #words = new Map<string, { readonly glyphs: Glyphs; readonly width: number }>();
  readonly #scale: number;

  constructor(
    engine: FontkitEngine,
    readonly bytes: Uint8Array,
  ) {
    this.font = engine.create(bytes);
    this.#scale = 1 / this.font.unitsPerEm;
    const drawing = Object.create(this.font) as FontkitFont;
    drawing.layout = ((text: string) => ({ glyphs: this.glyphs(text) })) as unknown as FontkitFont['layout'];
    this.drawing = drawing;
  }

  /**
   * One word (or run of spaces) shaped by fontkit (ligatures and other substitutions), once.
   * Shaping is what costs in making a contract, and a contract's words repeat.
   */
  #word(word: string): { readonly glyphs: Glyphs; readonly width: number } {
    let shaped = this.#words.get(word);
    if (shaped === undefined) {
      const glyphs = this.font.layout(word).glyphs;
      shaped = { glyphs, width: glyphs.reduce((sum, glyph) => sum + glyph.advanceWidth, 0) * this.#scale };
      if (this.#words.size >= WORD_MEMO_LIMIT) this.#words.clear();
      this.#words.set(word, shaped);
    }
    return shaped;
  }

  /**
   * The glyphs of `text`, shaped word by word: what pdf-lib writes. Nothing in Latin text is
   * substituted across a space; kerning across one does not apply either, since pdf-lib draws
   * glyphs at their advance widths (no positioning), which is what `width` measures too.
   */
  glyphs(text: string): Glyphs {
    return text
      .split(/( +)/)
      .filter((part) => part !== '')
      .flatMap((part) => this.#word(part).glyphs);
  }

  /** The advance width of `text` at size 1, as pdf-lib draws it (the sum of its glyphs' advances). */
  width(text: string): number {
    let width = 0;
    for (const part of text.split(/( +)/)) if (part !== '') width += this.#word(part).width;
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

  private constructor(
    private readonly engine: FontkitEngine,
    regular: Uint8Array,
    bold: Uint8Array,
  ) {
    this.regular = new Face(engine, regular);
    this.bold = new Face(engine, bold);
  }

  /** Reads the fonts from a resources folder (resources/contracts). */
  static async load(resourcesDir: string): Promise<ContractFontSet> {
    const [engine, regular, bold] = await Promise.all([loadFontkit(), readFile(join(resourcesDir, 'fonts', CONTRACT_FONT_FILES.regular)), readFile(join(resourcesDir, 'fonts', CONTRACT_FONT_FILES.bold))]);
    return new ContractFontSet(engine, new Uint8Array(regular), new Uint8Array(bold));
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
        if (bytes === this.regular.bytes) return this.regular.drawing;
        if (bytes === this.bold.bytes) return this.bold.drawing;
        return this.engine.create(bytes, postscriptName);
      },
    };
  }
}
