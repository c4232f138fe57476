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

interface Word {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly right: number;
  readonly bottom: number;
}

/** Every word with its box in millimetres from the page's top left, as poppler's pdftotext -bbox finds it. */
function words(pdf: Uint8Array, name: string): Word[] {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const html = execFileSync('pdftotext', ['-bbox', file, '-']).toString('utf8');
  const mm = (pt: string): number => (Number(pt) * 25.4) / 72;
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x: mm(m[1]!),
    y: mm(m[2]!),
    right: mm(m[3]!),
    bottom: mm(m[4]!),
    text: m[5]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"'),
  }));
}

/** DIN 5008 form B address field (mm): 20 from the left, 45 from the top, 85 × 45; the return address in its first 17.7 mm. */
const field = { left: 20, top: 45, right: 105, bottom: 90, recipientTop: 62.7 };
const inside = (word: Word, box: { left: number; top: number; right: number; bottom: number }): boolean =>
  word.x >= box.left && word.right <= box.right && word.y >= box.top && word.bottom <= box.bottom;

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

describe('letters in a window envelope', () => {
  const addressed = {
    ...base('it'),
    recipient: { name: 'Drita Krasniqi', addressLines: ['Example Org', 'Via Roma 1', '00184 Roma', 'ITALIA'] },
  };

  it('puts the recipient in the DIN 5008 address field, the return address above it, and the PIN outside the window', async () => {
    const pdf = await pinLetter({ ...addressed, cardSerial: '31415926', pin: Buffer.from('482916'), puk: Buffer.from('73920461') });
    const found = words(pdf, 'window.pdf');
    const recipientZone = { left: field.left, top: field.recipientTop, right: field.right, bottom: field.bottom };
    for (const text of ['Drita', 'Krasniqi', 'Example', 'Org', 'Via', 'Roma', '00184', 'ITALIA']) {
      const word = found.find((w) => w.text === text && inside(w, recipientZone));
      expect(word, `${text} in the address zone`).toBeDefined();
    }
    const returnZone = { left: field.left, top: field.top, right: field.right, bottom: field.recipientTop };
    expect(found.filter((w) => inside(w, returnZone)).map((w) => w.text).join(' ')).toContain('Card Desk Prishtina');
    // Nothing secret shows through any window (a DIN 680 window, with a margin for the letter shifting in the envelope).
    const window = { left: 10, top: 35, right: 115, bottom: 100 };
    for (const secret of ['482916', '73920461']) {
      const word = found.find((w) => w.text === secret);
      expect(word, secret).toBeDefined();
      expect(word!.y > window.bottom || word!.bottom < window.top || word!.x > window.right, `${secret} outside the window`).toBe(true);
    }
  });

  it('shortens an address line too long for the window instead of printing past it', async () => {
    const long = { ...addressed, recipient: { name: 'Drita Krasniqi', addressLines: ['Rruga e Dëshmorëve të Kombit dhe e Pavarësisë së Republikës 123', '10000 Prishtinë'] } };
    const found = words(await userNumberLetter({ ...long, userNumber: '12345678901234' }), 'long.pdf');
    const street = found.filter((w) => w.y > field.recipientTop && w.bottom < field.bottom && w.x >= field.left && w.x < field.right);
    expect(street.map((w) => w.text)).toContain('Rruga');
    for (const word of street) expect(word.right, word.text).toBeLessThanOrEqual(field.right);
  });
});

describe('letter texts', () => {
  it('prints every holder’s name as written, beyond the standard fonts’ characters (ć, č, ő, ł, ș)', async () => {
    const name = 'Mileva Marić-Čolaković Ősz Łukasz Ștefan';
    const pdf = await pinLetter({ ...base('sq'), recipient: { name, addressLines: ['Ulica Kralja Petra 7', '11000 Beograd'] }, holderName: name, cardSerial: '5060', pin: Buffer.from('12345678'), puk: Buffer.from('87654321') });
    const { text: shown } = text(pdf, 'names.pdf');
    expect(squash(shown)).toContain(name);
    expect(shown).toContain('12345678');
  });

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
