/** PIN letters, read back with poppler's pdftotext and pdfinfo (independent of the writer). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterTexts, type LetterLanguage } from './letter-texts';
import { pinLetter, userNumberLetter } from './pin-letters';

const dir = mkdtempSync(join(tmpdir(), 'carddesk-letters-'));
const base = (language: LetterLanguage) => ({
  language,
  sender: { organisation: 'Card Desk Prishtina', addressLines: ['Rruga e Dëshmorëve 1', '10000 Prishtinë'] },
  recipient: { name: 'Arbër Çela', addressLines: ['Rruga B 12', '10000 Prishtinë'] },
  holderName: 'Arbër Çela',
  date: new Date('2026-11-22T10:00:00Z'),
});

function text(pdf: Uint8Array, name: string): { text: string; info: string } {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return {
    text: execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8'),
    info: execFileSync('pdfinfo', [file]).toString('utf8'),
  };
}

const squash = (value: string): string => value.replace(/\s+/g, ' ');

describe.each(Object.keys(letterTexts) as LetterLanguage[])('letters in %s', (language) => {
  const texts = letterTexts[language];

  it('the PIN letter carries the PIN, the PUK, the card serial and the promise, on one A4 page', async () => {
    const pdf = await pinLetter({ ...base(language), cardSerial: '31415926', pin: Buffer.from('482916'), puk: Buffer.from('73920461') });
    const { text: body, info } = text(pdf, `pin-${language}.pdf`);
    expect(info).toMatch(/Pages:\s+1/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89/);
    expect(body).toContain('482916');
    expect(body).toContain('73920461');
    expect(body).toContain('31415926');
    expect(squash(body)).toContain(squash(texts.neverAsk));
    expect(squash(body)).toContain('Arbër Çela');
  });

  it('the user-number letter carries the user number and no PIN', async () => {
    const pdf = await userNumberLetter({ ...base(language), userNumber: '12345678901234' });
    const { text: body } = text(pdf, `number-${language}.pdf`);
    expect(body).toContain('1234 5678 9012 34');
    expect(squash(body)).toContain(squash(texts.neverAsk));
    expect(body).not.toContain('482916');
    expect(squash(body)).not.toContain(texts.pinLabel + ' 4');
  });
});

describe('letter texts', () => {
  it('exist in every language, none empty, none copied from English', () => {
    const english = letterTexts.en;
    for (const language of ['sq', 'it', 'nl'] as const) {
      for (const key of Object.keys(english) as (keyof typeof english)[]) {
        const value = letterTexts[language][key];
        const rendered = typeof value === 'function' ? value('X') : value;
        expect(rendered.trim(), `${language}.${key}`).not.toBe('');
        const englishValue = english[key];
        const englishRendered = typeof englishValue === 'function' ? englishValue('X') : englishValue;
        if (!['pinLabel', 'pukLabel'].includes(key)) expect(rendered, `${language}.${key}`).not.toBe(englishRendered);
      }
    }
  });
});
