/**
 * The PDF parser inflates compressed streams on zlib's thread pool before its synchronous parse
 * (issue 12 §1): the event loop keeps turning while a large object stream inflates, the 64 MiB
 * inflate cap holds for the whole file, and a damaged stream that nothing reads does not stop the
 * file from opening. The files are written here byte by byte: an object stream per page tree part
 * (FlateDecode, padded with spaces so it inflates to a chosen size) and an uncompressed
 * cross-reference stream.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PdfFile } from './pdf-file';

const MiB = 1024 * 1024;

interface Built {
  readonly pdf: Buffer;
}

/**
 * Objects 2 (pages) and 3 (the page) in object stream 10, object 1 (the catalog) in object stream 11,
 * each stream padded to inflate to about `pad` bytes; object 4 in stream 13, whose data is not zlib
 * (when `damaged`); object 12 the cross-reference stream.
 */
function build(pad: [number, number], damaged = false): Built {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets = new Map<number, number>();
  const add = (num: number, head: string, data?: Buffer): void => {
    offsets.set(num, length);
    const chunk = data === undefined ? Buffer.from(`${num} 0 obj\n${head}\nendobj\n`, 'latin1') : Buffer.concat([Buffer.from(`${num} 0 obj\n${head}\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
    parts.push(chunk);
    length += chunk.length;
  };
  const objectStream = (num: number, objects: [number, string][], padTo: number): void => {
    let body = '';
    const header: string[] = [];
    for (const [n, text] of objects) {
      header.push(`${n} ${body.length}`);
      body += `${text}\n`;
    }
    const first = `${header.join(' ')}\n`;
    const plain = Buffer.concat([Buffer.from(first + body, 'latin1'), Buffer.alloc(Math.max(0, padTo - first.length - body.length), ' ')]);
    const packed = deflateSync(plain);
    add(num, `<< /Type /ObjStm /N ${objects.length} /First ${first.length} /Filter /FlateDecode /Length ${packed.length} >>`, packed);
  };
  objectStream(10, [[2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'], [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>']], pad[0]);
  objectStream(11, [[1, '<< /Type /Catalog /Pages 2 0 R >>']], pad[1]);
  if (damaged) {
    const junk = Buffer.from('this is not zlib data at all', 'latin1');
    add(13, `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${junk.length} >>`, junk);
  }
  // Cross-reference stream, W [1 4 2], no filter: type 1 rows (offset, 0) and type 2 rows (stream, index).
  const size = 14;
  const rows = Buffer.alloc(size * 7);
  const row = (num: number, type: number, a: number, b: number): void => {
    rows.writeUInt8(type, num * 7);
    rows.writeUInt32BE(a, num * 7 + 1);
    rows.writeUInt16BE(b, num * 7 + 5);
  };
  row(0, 0, 0, 65535);
  row(1, 2, 11, 0);
  row(2, 2, 10, 0);
  row(3, 2, 10, 1);
  if (damaged) row(4, 2, 13, 0);
  for (const num of [10, 11, 13]) if (offsets.has(num)) row(num, 1, offsets.get(num)!, 0);
  const xrefAt = length;
  row(12, 1, xrefAt, 0);
  add(12, `<< /Type /XRef /W [1 4 2] /Size ${size} /Root 1 0 R /Length ${rows.length} >>`, rows);
  parts.push(Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  return { pdf: Buffer.concat(parts) };
}

describe('PdfFile.open', () => {
  it('reads object streams inflated off the loop: timers keep firing while a 48 MiB stream inflates', async () => {
    const { pdf } = build([48 * MiB, 1024]);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      const file = await PdfFile.open(pdf);
      expect(file.view().firstPage()?.num).toBe(3);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('holds the 64 MiB inflate cap for the whole file, not per stream', async () => {
    // Each stream alone is under the cap; together they are over it: whichever is inflated second is refused.
    const over = build([40 * MiB, 40 * MiB]).pdf;
    const file = await PdfFile.open(over);
    expect(() => file.view().firstPage()).toThrow(/64 MiB/);

    const under = await PdfFile.open(build([20 * MiB, 20 * MiB]).pdf);
    expect(under.view().firstPage()?.num).toBe(3);
  });

  it('opens a file with a damaged object stream nothing reads, and reports it where it is read', async () => {
    const file = await PdfFile.open(build([1024, 1024], true).pdf);
    const view = file.view();
    expect(view.firstPage()?.num).toBe(3);
    expect(() => view.object(4)).toThrow(/header|check|invalid|incorrect/i);
  });

  it('finds the first page without parsing the others: a later page that cannot be read does not matter', async () => {
    // Pages 3 (first) and 5 (its object is damaged syntax); a whole-tree walk would have to parse 5.
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
      '<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792',
    ];
    let body = '%PDF-1.7\n';
    const offsets: number[] = [];
    objects.forEach((text, i) => {
      offsets.push(body.length);
      body += `${i + 1} 0 obj\n${text}\nendobj\n`;
    });
    const xref = body.length;
    body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const view = (await PdfFile.open(Buffer.from(body, 'latin1'))).view();
    expect(view.firstPage()?.num).toBe(3);
    expect(() => view.object(5)).toThrow();
  });
});
