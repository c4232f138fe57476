import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContractFontSet } from './contract-fonts';
import { builtInTemplateFile } from './contract-resources';
import { contractTemplatesDirOf, TemplateLibrary } from './template-library';
import { CONTRACT_RESOURCES } from './test-data';

let dataDir: string;
let library: TemplateLibrary;
const fonts = ContractFontSet.load(CONTRACT_RESOURCES);

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'carddesk-templates-'));
  library = new TemplateLibrary(dataDir, CONTRACT_RESOURCES, () => fonts);
});

const CUSTOM = '# Accordo\n\nTitolare: {{holder.fullName}}, carta {{card.serial}}.\n';

describe('TemplateLibrary', () => {
  it('uses the built-in template until one is replaced, then the custom one, until reset', async () => {
    const builtIn = await readFile(builtInTemplateFile(CONTRACT_RESOURCES, 'it'), 'utf8');
    expect(await library.get('it')).toMatchObject({ source: 'builtIn', text: builtIn, rejectedCustom: null });

    const replaced = await library.replace('it', CUSTOM);
    expect(replaced).toMatchObject({ ok: true });
    expect(await library.get('it')).toMatchObject({ source: 'custom', text: CUSTOM });
    expect(await readFile(join(contractTemplatesDirOf(dataDir), 'contract.it.txt'), 'utf8')).toBe(CUSTOM);
    if (process.platform !== 'win32') expect((await stat(library.customPath('it'))).mode & 0o777).toBe(0o600);
    // The other languages are untouched.
    expect((await library.get('en')).source).toBe('builtIn');

    const listing = await library.list();
    expect(listing.map((entry) => [entry.language, entry.source])).toEqual([
      ['en', 'builtIn'],
      ['sq', 'builtIn'],
      ['it', 'custom'],
      ['nl', 'builtIn'],
    ]);
    expect(listing[2]?.customUpdatedAt).not.toBeNull();

    expect(await library.reset('it')).toEqual({ removed: true });
    expect(await library.get('it')).toMatchObject({ source: 'builtIn', text: builtIn });
    expect(await library.reset('it')).toEqual({ removed: false });
  });

  it('refuses a template with unknown placeholders and leaves the one in use as it was', async () => {
    await library.replace('sq', CUSTOM);
    const result = await library.replace('sq', '# Marrëveshje\n\nPIN-i juaj: {{card.pin}}\n');
    expect(result).toEqual({ ok: false, problems: [{ line: 3, code: 'unknownPlaceholder', message: 'Unknown placeholder {{card.pin}}.' }] });
    expect((await library.get('sq')).text).toBe(CUSTOM);
    // No temporary file left behind.
    expect(await readdir(contractTemplatesDirOf(dataDir))).toEqual(['contract.sq.txt']);
  });

  it('refuses characters the contract font cannot print, by line', async () => {
    const result = await library.replace('en', '# Agreement\n\nSigned in 東京.\n');
    expect(result).toMatchObject({ ok: false, problems: [{ line: 3, code: 'unprintableCharacter' }] });
  });

  it('does not use a custom file broken on disk, and says why', async () => {
    await library.replace('nl', CUSTOM);
    await writeFile(library.customPath('nl'), '# Overeenkomst\n{{#certificates}}\n');
    const template = await library.get('nl');
    expect(template.source).toBe('builtIn');
    expect(template.rejectedCustom?.problems[0]).toMatchObject({ line: 2, code: 'syntax' });
    expect((await library.list()).find((entry) => entry.language === 'nl')).toMatchObject({ source: 'builtIn', rejectedCustom: { problems: [{ line: 2 }] } });
  });
});
