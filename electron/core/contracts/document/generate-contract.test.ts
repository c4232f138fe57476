import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { holderLanguages } from '../../../shared/enums';
import { ContractFontSet } from './contract-fonts';
import { builtInTemplateFile } from './contract-resources';
import { generateContract } from './generate-contract';
import { CONTRACT_RESOURCES, sampleContract } from './test-data';

const run = promisify(execFile);

let fonts: ContractFontSet;
let dir: string;
const template = (language: string): Promise<string> => readFile(builtInTemplateFile(CONTRACT_RESOURCES, language), 'utf8');

async function pdfText(bytes: Uint8Array, name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  return (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
}

/** The text with line breaks and runs of spaces as single spaces (lines wrap where the layout says). */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

beforeAll(async () => {
  fonts = await ContractFontSet.load(CONTRACT_RESOURCES);
  dir = await mkdtemp(join(tmpdir(), 'carddesk-contract-'));
});

describe('generateContract', () => {
  it.each(holderLanguages)('writes a %s contract whose text pdftotext finds, with the names in their own letters', async (language) => {
    const contract = await generateContract(sampleContract, await template(language), language, fonts);
    const text = await pdfText(contract.bytes, `${language}.pdf`);
    expect(text).toContain('Ëndrit Çlirim Kërçova Àlvaro');
    expect(text).toContain('CDVC0011223344');
    for (const certificate of sampleContract.certificates) expect(text).toContain(certificate.serialNumber);
    expect(text).toContain('Ministria e Punëve të Brendshme');
    expect(text).toContain('40392817465012');
    expect(contract.pages).toBeGreaterThanOrEqual(2);
  });

  it('writes each language in its own words, dates and page numbers', async () => {
    const sq = flat(await pdfText((await generateContract(sampleContract, await template('sq'), 'sq', fonts)).bytes, 'sq-words.pdf'));
    expect(sq).toContain('lëshim i një karte të re');
    expect(sq).toContain('Nënshkrim digjital');
    expect(sq).toContain('6 dhjetor 2026');
    expect(sq).toMatch(/Faqja 1 nga \d/);
    const it = flat(await pdfText((await generateContract({ ...sampleContract, kind: 'replacement' }, await template('it'), 'it', fonts)).bytes, 'it-words.pdf'));
    expect(it).toContain('sostituzione di una carta smarrita, rubata o danneggiata');
    expect(it).toContain('Firma digitale');
    expect(it).toContain('6 dicembre 2026');
    const nl = flat(await pdfText((await generateContract({ ...sampleContract, kind: 'renewal' }, await template('nl'), 'nl', fonts)).bytes, 'nl-words.pdf'));
    expect(nl).toContain('vernieuwing van de certificaten op de kaart');
    expect(nl).toMatch(/Pagina 1 van \d/);
  });

  it('embeds its fonts as subsets with a ToUnicode map (pdffonts)', async () => {
    const contract = await generateContract(sampleContract, await template('sq'), 'sq', fonts);
    const file = join(dir, 'fonts.pdf');
    await writeFile(file, contract.bytes);
    const { stdout } = await run('pdffonts', [file]);
    const rows = stdout.split('\n').slice(2).filter((row) => row.trim() !== '');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatch(/^[A-Z]{6}\+DejaVuSans(-Bold)?\s/);
      // emb sub uni
      expect(row).toMatch(/\syes\s+yes\s+yes\s/);
    }
  });

  it('numbers every page "X of Y" and puts the contract id in each footer', async () => {
    const many = { ...sampleContract, certificates: Array.from({ length: 120 }, (_, i) => ({ ...sampleContract.certificates[i % 3]!, serialNumber: `SERIAL${String(i).padStart(4, '0')}` })) };
    const contract = await generateContract(many, await template('en'), 'en', fonts);
    expect(contract.pages).toBeGreaterThanOrEqual(5);
    const pages = (await pdfText(contract.bytes, 'pages.pdf')).split('\f').filter((page) => page.trim() !== '');
    expect(pages).toHaveLength(contract.pages);
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} of ${contract.pages}`);
      expect(page).toContain('Contract CTR-2026-000123');
    });
    const text = pages.join('');
    // Every certificate row is there once, and the table's header repeats on the pages it runs onto.
    for (let i = 0; i < 120; i += 1) expect(text.split(`SERIAL${String(i).padStart(4, '0')}`)).toHaveLength(2);
    expect(text.split('Serial number').length - 1).toBeGreaterThan(1);
  });

  it('gives the same bytes for the same data, and other bytes for other data', async () => {
    const text = await template('it');
    const first = await generateContract(sampleContract, text, 'it', fonts);
    const second = await generateContract(sampleContract, text, 'it', await ContractFontSet.load(CONTRACT_RESOURCES));
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    const other = await generateContract({ ...sampleContract, card: { serial: 'CDVC0011223345' } }, text, 'it', fonts);
    expect(other.sha256).not.toBe(first.sha256);
  });

  it('dates the document from the data and gives it a fixed document ID', async () => {
    const contract = await generateContract(sampleContract, await template('en'), 'en', fonts);
    const file = join(dir, 'info.pdf');
    await writeFile(file, contract.bytes);
    const { stdout } = await run('pdfinfo', ['-isodates', file]);
    expect(stdout).toMatch(/CreationDate:\s+2026-12-06T07:00:00/);
    const raw = Buffer.from(contract.bytes).toString('latin1');
    expect(raw).toMatch(/\/ID \[ <([0-9A-F]{32})> <\1> \]/);
    // Nothing reserved for a signature: no form, no signature field.
    expect(raw).not.toContain('/AcroForm');
    expect(raw).not.toContain('/Sig');
  });

  it('refuses a template with problems and text the font cannot print', async () => {
    await expect(generateContract(sampleContract, '# T\n{{card.pin}}', 'en', fonts)).rejects.toThrow(/line 2/);
    await expect(generateContract({ ...sampleContract, holder: { ...sampleContract.holder, surname: '\u6F22' } }, await template('en'), 'en', fonts)).rejects.toThrow(/cannot print/);
  });
});
