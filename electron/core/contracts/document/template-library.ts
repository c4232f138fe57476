/**
 * The contract templates the desk uses, one per language: the built-in one (resources/contracts/
 * templates), unless an administrator has put their own in the data folder
 * (`<CARDDESK_HOME>/templates/contracts/contract.<language>.txt`, through Settings or
 * `carddesk contract template …`). A replacement is accepted only when it passes checkTemplate and
 * the contract's font can print every character; it is written atomically and durably. A custom
 * file someone broke by editing it on disk is not used: the built-in template is, and `get` and
 * `list` say why.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { holderLanguages } from '../../../shared/enums';
import { fsyncDirDurably, PRIVATE_DIR_MODE, writeFileDurably } from '../../files/safe-file';
import type { ContractLanguage } from './contract-data';
import type { ContractFontSet } from './contract-fonts';
import { builtInTemplateFile } from './contract-resources';
import { checkTemplate, type TemplateProblem } from './template';

/** A template larger than this is not a contract (and would not be laid out in time). */
export const MAX_TEMPLATE_BYTES = 256 * 1024;

export function contractTemplatesDirOf(dataDir: string): string {
  return join(dataDir, 'templates', 'contracts');
}

export interface ContractTemplate {
  readonly language: ContractLanguage;
  /** Which template is in use. */
  readonly source: 'builtIn' | 'custom';
  readonly text: string;
  /** SHA-256 (hex) of the text in use (UTF-8), for the audit log. */
  readonly sha256: string;
  /** A custom file that is present but not used, and what is wrong with it. */
  readonly rejectedCustom: { readonly problems: readonly TemplateProblem[] } | null;
}

export interface TemplateListing {
  readonly language: ContractLanguage;
  readonly source: 'builtIn' | 'custom';
  /** When the custom template was last replaced (its file's time), else null. */
  readonly customUpdatedAt: string | null;
  readonly rejectedCustom: { readonly problems: readonly TemplateProblem[] } | null;
}

export type TemplateReplaceResult = { readonly ok: true; readonly sha256: string } | { readonly ok: false; readonly problems: readonly TemplateProblem[] };

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class TemplateLibrary {
  readonly #dir: string;

  constructor(
    dataDir: string,
    /** The folder of the built-in templates, or how to find it (located once, when first needed). */
    private readonly builtInDir: string | (() => Promise<string>),
    /** The contract's fonts, to refuse text they cannot print; without them only the template's syntax is checked. */
    private readonly fonts: (() => Promise<ContractFontSet>) | null = null,
  ) {
    this.#dir = contractTemplatesDirOf(dataDir);
  }

  #builtInDir(): Promise<string> {
    return typeof this.builtInDir === 'string' ? Promise.resolve(this.builtInDir) : this.builtInDir();
  }

  customPath(language: ContractLanguage): string {
    return join(this.#dir, `contract.${language}.txt`);
  }

  /** The problems of a template text: syntax, unknown placeholders, characters the font cannot print, size. */
  async check(text: string): Promise<TemplateProblem[]> {
    if (Buffer.byteLength(text, 'utf8') > MAX_TEMPLATE_BYTES) {
      return [{ line: 1, code: 'syntax', message: `The template is larger than ${MAX_TEMPLATE_BYTES / 1024} KB.` }];
    }
    const problems = checkTemplate(text);
    if (this.fonts !== null) {
      const fonts = await this.fonts();
      text.split(/\r?\n/).forEach((line, index) => {
        if (line.trimStart().startsWith('%%')) return;
        const missing = fonts.missingGlyphs(line);
        if (missing.length > 0) problems.push({ line: index + 1, code: 'unprintableCharacter', message: `The contract's font cannot print ${missing.join(' ')}.` });
      });
      problems.sort((a, b) => a.line - b.line);
    }
    return problems;
  }

  async #readCustom(language: ContractLanguage): Promise<string | null> {
    try {
      return await readFile(this.customPath(language), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** The template in use for `language`. */
  async get(language: ContractLanguage): Promise<ContractTemplate> {
    const custom = await this.#readCustom(language);
    let rejectedCustom: ContractTemplate['rejectedCustom'] = null;
    if (custom !== null) {
      const problems = await this.check(custom);
      if (problems.length === 0) return { language, source: 'custom', text: custom, sha256: sha256(custom), rejectedCustom: null };
      rejectedCustom = { problems };
    }
    const text = await readFile(builtInTemplateFile(await this.#builtInDir(), language), 'utf8');
    return { language, source: 'builtIn', text, sha256: sha256(text), rejectedCustom };
  }

  /** The built-in template, for an administrator to start from. */
  async builtIn(language: ContractLanguage): Promise<string> {
    return readFile(builtInTemplateFile(await this.#builtInDir(), language), 'utf8');
  }

  /** Replaces the template for `language` when it passes the checks; otherwise nothing changes. */
  async replace(language: ContractLanguage, text: string): Promise<TemplateReplaceResult> {
    const problems = await this.check(text);
    if (problems.length > 0) return { ok: false, problems };
    await mkdir(this.#dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileDurably(this.customPath(language), text);
    return { ok: true, sha256: sha256(text) };
  }

  /** Goes back to the built-in template; says whether there was a custom one. */
  async reset(language: ContractLanguage): Promise<{ readonly removed: boolean }> {
    const existed = (await this.#readCustom(language)) !== null;
    if (existed) {
      await rm(this.customPath(language), { force: true });
      await fsyncDirDurably(this.#dir);
    }
    return { removed: existed };
  }

  /** Every language, with the template it uses. */
  async list(): Promise<TemplateListing[]> {
    return Promise.all(
      holderLanguages.map(async (language) => {
        const template = await this.get(language);
        let customUpdatedAt: string | null = null;
        try {
          customUpdatedAt = (await stat(this.customPath(language))).mtime.toISOString();
        } catch {
          // no custom template
        }
        return { language, source: template.source, customUpdatedAt, rejectedCustom: template.rejectedCustom };
      }),
    );
  }
}
