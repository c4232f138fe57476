/**
 * PIN letters: the user number and the PIN/PUK go out separately (VECOZO's practice), each
 * addressed to its own recipient (holder, contact person). A4 PDFs, in the holder's language,
 * each saying "we will never ask for your PIN". The PIN letter is only ever written to the
 * outbox; it is never shown on a screen.
 */
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { letterTexts, type LetterLanguage } from './letter-texts';

export interface LetterRecipient {
  readonly name: string;
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
const MARGIN = 64;

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
    for (const line of wrap(text, font, size, A4[0] - 2 * MARGIN)) {
      this.page.drawText(line, { x: MARGIN, y: this.y, size, font, color: rgb(0.1, 0.1, 0.1) });
      this.y -= size * 1.4;
    }
    this.y -= options.gap ?? 0;
  }

  /** A framed box with labelled values (user number, or PIN and PUK). */
  box(rows: readonly [label: string, value: string][]): void {
    const height = rows.length * 30 + 20;
    this.page.drawRectangle({ x: MARGIN, y: this.y - height + 10, width: A4[0] - 2 * MARGIN, height, borderColor: rgb(0.12, 0.31, 0.55), borderWidth: 1.5 });
    let y = this.y - 18;
    for (const [label, value] of rows) {
      this.page.drawText(label, { x: MARGIN + 16, y, size: 11, font: this.regular });
      this.page.drawText(value, { x: MARGIN + 200, y: y - 2, size: 18, font: this.bold, color: rgb(0.05, 0.05, 0.05) });
      y -= 30;
    }
    this.y -= height + 14;
  }
}

async function letter(base: LetterBase, subject: string, fill: (writer: Writer) => void): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const document = await PDFDocument.create();
  document.setTitle(subject);
  document.setCreator('CardDesk');
  document.setProducer('CardDesk');
  document.setLanguage(base.language);
  const page = document.addPage(A4);
  const writer = new Writer(page, await document.embedFont(StandardFonts.Helvetica), await document.embedFont(StandardFonts.HelveticaBold));
  writer.text(base.sender.organisation, { bold: true, size: 13 });
  for (const line of base.sender.addressLines) writer.text(line, { size: 9 });
  writer.y -= 28;
  writer.text(base.recipient.name);
  for (const line of base.recipient.addressLines) writer.text(line);
  writer.y -= 20;
  writer.text(`${texts.dateLabel}: ${base.date.toISOString().slice(0, 10)}`, { size: 10, gap: 18 });
  writer.text(subject, { bold: true, size: 15, gap: 6 });
  writer.text(texts.forHolder(base.holderName), { size: 10, gap: 14 });
  writer.text(texts.greeting(base.recipient.name), { gap: 8 });
  fill(writer);
  writer.text(texts.closing, { gap: 20 });
  // The promise every letter makes, set apart at the foot of the page.
  page.drawLine({ start: { x: MARGIN, y: 96 }, end: { x: A4[0] - MARGIN, y: 96 }, thickness: 0.8, color: rgb(0.6, 0.6, 0.6) });
  page.drawText(texts.neverAsk, { x: MARGIN, y: 76, size: 10, font: writer.bold, color: rgb(0.6, 0.1, 0.1) });
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
 * The PIN letter (with the PUK at issuance; without it after a PIN reset, which keeps the PUK). `pin` and `puk` are Buffers the caller zeroes afterwards; the returned PDF holds
 * them too, so the caller writes it to the outbox and zeroes it as well.
 */
export function pinLetter(base: LetterBase & { cardSerial: string; pin: Buffer; puk: Buffer | null }): Promise<Uint8Array> {
  const texts = letterTexts[base.language];
  const { puk } = base;
  return letter(base, texts.pinSubject, (writer) => {
    writer.text(texts.pinIntro, { gap: 10 });
    writer.box([[texts.cardLabel, base.cardSerial], [texts.pinLabel, base.pin.toString('latin1')], ...(puk === null ? [] : [[texts.pukLabel, puk.toString('latin1')] as [string, string]])]);
    writer.text(texts.pinAdvice, { gap: 6 });
    if (puk !== null) writer.text(texts.pukAdvice, { gap: 6 });
    writer.text(texts.separately, { gap: 14 });
  });
}
