/**
 * PIN letters: the user number and the PIN/PUK go out separately (VECOZO's practice), each
 * addressed to its own recipient (holder, contact person). A4 PDFs, in the holder's language,
 * each saying "we will never ask for your PIN". The PIN letter is only ever written to the
 * outbox; it is never shown on a screen.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { CONTRACT_FONT_FILES } from '../contracts/document/contract-fonts';
import { loadFontkit } from '../files/fontkit-loader';
import { contractResourceCandidates, locateContractResources } from '../contracts/document/contract-resources';
import { letterTexts, type LetterLanguage } from './letter-texts';

export interface LetterRecipient {
  readonly name: string;
  /** Organisation, street, postcode and city, country: printed under the name in the window. */
  readonly addressLines: readonly string[];
}

export interface LetterSender {
  /** The issuing organisation, printed at the top. */
  readonly organisation: string;
  readonly addressLines: readonly string[];
}

interface LetterBase {
  readonly language: LetterLanguage;
  readonly sender: LetterSender;
  readonly recipient: LetterRecipient;
  readonly holderName: string;
  readonly date: Date;
}

const A4: [number, number] = [595.28, 841.89];
const MM = 72 / 25.4;
/** Left and right text margins (DIN 5008: 25 mm and 20 mm). */
const MARGIN = 25 * MM;
const RIGHT = 20 * MM;

/**
 * DIN 5008 form B: the address field is 85 × 45 mm, 20 mm from the left edge and 45 mm from the
 * top, with a 5 mm inner margin; its first 17.7 mm hold the return address, the rest (27.3 mm)
 * the recipient. Folded in three (marks at 105 and 210 mm), it sits in the window of a C5/6 (DL)
 * or C6 window envelope (DIN 680: window 90 × 45 mm, 20 mm from the left, 15 mm from the top).
 */
export const addressField = { left: 20 * MM, top: 45 * MM, width: 85 * MM, height: 45 * MM, returnZone: 17.7 * MM } as const;

/** Word-wraps `text` to `width` points in `font` at `size`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (font.widthOfTextAtSize(candidate, size) > width && line !== '') {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Shortens `text` with an ellipsis until it fits `width` (an address line must stay inside the window). */
function fit(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let cut = text;
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}…`, size) > width) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

class Writer {
  y: number;

  constructor(
    readonly page: PDFPage,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.y = A4[1] - MARGIN;
  }

  text(text: string, options: { size?: number; bold?: boolean; gap?: number } = {}): void {
    const size = options.size ?? 11;
    const font = options.bold === true ? this.bold : this.regular;
    for (const line of wrap(text, font, size, A4[0] - MARGIN - RIGHT)) {
      this.page.drawText(line, { x: MARGIN, y: this.y, size, font, color: rgb(0.1, 0.1, 0.1) });
      this.y -= size * 1.4;
    }
    this.y -= options.gap ?? 0;
  }

  /** A framed box with labelled values (user number, or PIN and PUK). */
  box(rows: readonly [label: string, value: string][]): void {
    const height = rows.length * 28 + 16;
    this.page.drawRectangle({ x: MARGIN, y: this.y - height + 10, width: A4[0] - MARGIN - RIGHT, height, borderColor: rgb(0.12, 0.31, 0.55), borderWidth: 1.5 });
    let y = this.y - 16;
    for (const [label, value] of rows) {
      this.page.drawText(label, { x: MARGIN + 16, y, size: 11, font: this.regular });
      this.page.drawText(value, { x: MARGIN + 200, y: y - 2, size: 18, font: this.bold, color: rgb(0.05, 0.05, 0.05) });
      y -= 28;
    }
    this.y -= height + 12;
  }

  /** The address field: the return address on one small line, then the recipient (at most six lines). */
  addressField(sender: LetterSender, recipient: LetterRecipient): void {
    const x = addressField.left + 5 * MM;
    const width = addressField.width - 10 * MM;
    const top = A4[1] - addressField.top;
    const returnLine = fit([sender.organisation, ...sender.addressLines].filter((part) => part !== '').join(' · '), this.regular, 7, width);
    this.page.drawText(returnLine, { x, y: top - addressField.returnZone + 3 * MM, size: 7, font: this.regular, color: rgb(0.3, 0.3, 0.3) });
    let y = top - addressField.returnZone - 4 * MM;
    for (const line of [recipient.name, ...recipient.addressLines].filter((part) => part !== '').slice(0, 6)) {
      this.page.drawText(fit(line, this.regular, 10, width), { x, y, size: 10, font: this.regular, color: rgb(0, 0, 0) });
      y -= 12;
    }
  }

  /** Fold marks (105 and 210 mm) and the punch mark (148.5 mm) at the left edge, as DIN 5008 form B has them. */
  marks(): void {
    for (const [mm, length] of [[105, 5], [210, 5], [148.5, 7]] as const) {
      const y = A4[1] - mm * MM;
      this.page.drawLine({ start: { x: 3 * MM, y }, end: { x: (3 + length) * MM, y }, thickness: 0.4, color: rgb(0.5, 0.5, 0.5) });
    }
  }
}

/**
 * The letters' typeface: DejaVu Sans, as the contracts use, embedded (subset), so every holder's
 * name prints as written (ć, č, ő, ł …), which the PDF standard fonts' WinAnsi cannot encode.
 */
let fontBytes: Promise<{ regular: Uint8Array; bold: Uint8Array }> | null = null;
function letterFonts(): Promise<{ regular: Uint8Array; bold: Uint8Array }> {
  fontBytes ??= (async () => {
    const dir = await locateContractResources(contractResourceCandidates(typeof __dirname === 'string' ? __dirname : process.cwd()));
    const [regular, bold] = await Promise.all([readFile(join(dir, 'fonts', CONTRACT_FONT_FILES.regular)), readFile(join(dir, 'fonts', CONTRACT_FONT_FILES.bold))]);
    return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
  })().catch((error: unknown) => {
    fontBytes = null;
    throw error;
  });
  return fontBytes;
}

async function letter(base: LetterBase, subject: string, fill: (writer: Writer) => void): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const document = await PDFDocument.create();
  document.setTitle(subject);
  document.setCreator('CardDesk');
  document.setProducer('CardDesk');
  document.setLanguage(base.language);
  const page = document.addPage(A4);
  document.registerFontkit(await loadFontkit());
  const fonts = await letterFonts();
  const writer = new Writer(page, await document.embedFont(fonts.regular, { subset: true }), await document.embedFont(fonts.bold, { subset: true }));
  // The letterhead, above the address field.
  writer.y = A4[1] - 18 * MM;
  writer.text(base.sender.organisation, { bold: true, size: 13 });
  for (const line of base.sender.addressLines) writer.text(line, { size: 9 });
  writer.addressField(base.sender, base.recipient);
  writer.marks();
  // The date in the information block beside the address field.
  const date = `${texts.dateLabel}: ${base.date.toISOString().slice(0, 10)}`;
  page.drawText(date, { x: 125 * MM, y: A4[1] - 50 * MM - 10, size: 10, font: writer.regular, color: rgb(0.1, 0.1, 0.1) });
  // The body begins below the address field (DIN 5008: the subject at about 98 mm).
  writer.y = A4[1] - 98.4 * MM;
  writer.text(subject, { bold: true, size: 15, gap: 4 });
  writer.text(texts.forHolder(base.holderName), { size: 10, gap: 12 });
  writer.text(texts.greeting(base.recipient.name), { gap: 6 });
  fill(writer);
  writer.text(texts.closing, { gap: 20 });
  // The promise every letter makes, set apart at the foot of the page.
  page.drawLine({ start: { x: MARGIN, y: 96 }, end: { x: A4[0] - RIGHT, y: 96 }, thickness: 0.8, color: rgb(0.6, 0.6, 0.6) });
  for (const [i, line] of wrap(texts.neverAsk, writer.bold, 10, A4[0] - MARGIN - RIGHT).entries()) {
    page.drawText(line, { x: MARGIN, y: 76 - i * 13, size: 10, font: writer.bold, color: rgb(0.6, 0.1, 0.1) });
  }
  if (writer.y < 110) throw new Error(`the ${base.language} letter does not fit on one page`);
  return document.save();
}

export function userNumberLetter(base: LetterBase & { userNumber: string }): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const grouped = base.userNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
  return letter(base, texts.userNumberSubject, (writer) => {
    writer.text(texts.userNumberIntro, { gap: 10 });
    writer.box([[texts.userNumberLabel, grouped]]);
    writer.text(texts.userNumberUse, { gap: 14 });
  });
}

/**
 * The PIN letter (with the PUK at issuance; without it after a PIN reset, which keeps the PUK).
 * With `pin` null (the holder chooses the PIN at the desk) it is the PUK letter: it says so and
 * carries the PUK only. `pin` and `puk` are Buffers the caller zeroes afterwards; the returned PDF
 * holds them too, so the caller writes it to the outbox and zeroes it as well.
 */
export function pinLetter(base: LetterBase & { cardSerial: string; pin: Buffer | null; puk: Buffer | null }): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const { pin, puk } = base;
  if (pin === null && puk === null) throw new Error('a PIN letter needs a PIN or a PUK');
  return letter(base, pin === null ? texts.pukSubject : texts.pinSubject, (writer) => {
    writer.text(pin === null ? texts.pukOnlyIntro : texts.pinIntro, { gap: 8 });
    const rows: [string, string][] = [[texts.cardLabel, base.cardSerial]];
    if (pin !== null) rows.push([texts.pinLabel, pin.toString('latin1')]);
    if (puk !== null) rows.push([texts.pukLabel, puk.toString('latin1')]);
    writer.box(rows);
    writer.text(texts.pinAdvice, { gap: 4 });
    if (puk !== null) writer.text(texts.pukAdvice, { gap: 4 });
    writer.text(texts.separately, { gap: 12 });
  });
}

/**
 * The Emergency Recovery Code letter (issue 15): the code alone, in its own letter, never with the
 * PIN, never on a screen, never in email. `code` is a Buffer (the compact code, printed in groups
 * of four) the caller zeroes; the PDF holds it too, so the caller writes it to the outbox, which zeroes it.
 */
export function recoveryCodeLetter(base: LetterBase & { code: Buffer }): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const grouped = base.code.toString('latin1').replace(/(.{4})(?=.)/g, '$1-');
  return letter(base, texts.recoverySubject, (writer) => {
    writer.text(texts.recoveryIntro, { gap: 10 });
    // The code is too long for the box's value column: label above, code below, in one frame.
    const height = 64;
    writer.page.drawRectangle({ x: MARGIN, y: writer.y - height + 10, width: A4[0] - MARGIN - RIGHT, height, borderColor: rgb(0.12, 0.31, 0.55), borderWidth: 1.5 });
    writer.page.drawText(texts.recoveryLabel, { x: MARGIN + 16, y: writer.y - 14, size: 11, font: writer.regular });
    writer.page.drawText(grouped, { x: MARGIN + 16, y: writer.y - 40, size: 17, font: writer.bold, color: rgb(0.05, 0.05, 0.05) });
    writer.y -= height + 12;
    writer.text(texts.recoveryUse, { gap: 4 });
    writer.text(texts.recoveryOnce, { gap: 12 });
  });
}
