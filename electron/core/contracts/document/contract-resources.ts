/**
 * Where the built-in contract templates and fonts are: `resources/contracts` in the repository,
 * or a copy beside the bundles. The composition root names the folder it ships; this only looks
 * through the usual places in order and takes the first that has both the templates and the fonts.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { CardDeskError } from '../../../shared/errors';
import { CONTRACT_FONT_FILES } from './contract-fonts';

export const builtInTemplateFile = (resourcesDir: string, language: string): string => join(resourcesDir, 'templates', `contract.${language}.txt`);

/** The places a bundle (dist/*.cjs), a packaged app or a checkout keep resources/contracts. */
export function contractResourceCandidates(bundleDir: string, cwd: string = process.cwd()): string[] {
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  return [
    join(bundleDir, 'contracts'),
    join(bundleDir, '..', 'resources', 'contracts'),
    ...(packaged === undefined ? [] : [join(packaged, 'contracts')]),
    join(cwd, 'resources', 'contracts'),
  ];
}

/** The first candidate with the English template and both fonts. */
export async function locateContractResources(candidates: readonly string[]): Promise<string> {
  for (const dir of candidates) {
    try {
      await Promise.all([access(builtInTemplateFile(dir, 'en')), access(join(dir, 'fonts', CONTRACT_FONT_FILES.regular)), access(join(dir, 'fonts', CONTRACT_FONT_FILES.bold))]);
      return dir;
    } catch {
      // not here
    }
  }
  throw new CardDeskError('INTERNAL', `The contract templates and fonts were not found (looked in ${candidates.join(', ')}).`);
}
