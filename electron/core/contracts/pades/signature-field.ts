/**
 * Adds a signature field to a PDF as an incremental update with a placeholder for the CMS
 * (ISO 32000-1 §12.8.1): the signature dictionary with a fixed-width /ByteRange and a zero-filled
 * /Contents, an invisible widget on the first page, the field in the AcroForm with SigFlags 3.
 * The bytes outside /Contents are final once this returns; filling /Contents changes nothing else.
 */
import { CardDeskError } from '../../../shared/errors';
import { appendUpdate, ObjectAllocator, RawObject, type UpdateObject } from './incremental-writer';
import { PdfFile, type ObjectView } from './pdf-file';
import { PdfDict, PdfName, PdfRef, PdfString, serialize, textString, type PdfValue } from './pdf-syntax';


export interface PlacedField {
  /** The document with the placeholder in /Contents. */
  readonly bytes: Buffer;
  readonly byteRange: readonly [number, number, number, number];
  /** Offsets of the hex digits inside `<…>` (the placeholder the CMS goes into). */
  readonly contentsStart: number;
  readonly contentsEnd: number;
}

const BYTE_RANGE_WIDTH = 40;

function existingFieldNames(view: ObjectView, fields: PdfValue[]): Set<string> {
  const names = new Set<string>();
  for (const f of fields) {
    const t = view.dict(f)?.get('T');
    if (t instanceof PdfString) names.add(t.text());
  }
  return names;
}

/**
 * `entries` are the signature dictionary's other entries (Type, Filter, SubFilter, M, Reason…);
 * `contentsBytes` is the room for the DER (hex doubles it).
 */
export async function placeSignatureField(pdf: Buffer, fieldName: string, entries: PdfDict, contentsBytes: number): Promise<PlacedField> {
  const file = await PdfFile.open(pdf);
  const view = file.view();
  const catalog = view.catalog();
  const firstPage = view.firstPage();
  if (firstPage === null) throw new CardDeskError('MALFORMED_INPUT', 'The document has no page to put the signature field on.');
  const allocator = new ObjectAllocator(file);
  const sigRef = allocator.next();
  const widgetRef = allocator.next();
  const objects: UpdateObject[] = [];

  // The AcroForm: inline in the catalog or its own object; Fields inline or an array object.
  const acroFormValue = catalog.dict.get('AcroForm');
  const acroForm = new PdfDict(new Map(view.dict(acroFormValue)?.entries ?? []));
  const fieldsValue = view.resolve(acroForm.get('Fields') ?? null);
  const fields = Array.isArray(fieldsValue) ? [...fieldsValue] : [];
  if (existingFieldNames(view, fields).has(fieldName)) throw new CardDeskError('MALFORMED_INPUT', `The document already has a field named "${fieldName}".`);
  acroForm.set('Fields', [...fields, widgetRef]).set('SigFlags', 3);
  if (acroFormValue instanceof PdfRef) objects.push({ ref: acroFormValue, value: acroForm });
  else objects.push({ ref: catalog.ref, value: new PdfDict(new Map(catalog.dict.entries)).set('AcroForm', acroForm) });

  // The widget goes into the first page's /Annots (an array object is updated in place).
  const page = view.dict(firstPage);
  if (page === null) throw new CardDeskError('MALFORMED_INPUT', 'The first page cannot be read.');
  const annots = page.get('Annots');
  if (annots instanceof PdfRef) {
    const array = view.resolve(annots);
    objects.push({ ref: annots, value: [...(Array.isArray(array) ? array : []), widgetRef] });
  } else {
    objects.push({ ref: firstPage, value: new PdfDict(new Map(page.entries)).set('Annots', [...(Array.isArray(annots) ? annots : []), widgetRef]) });
  }

  const widget = new PdfDict()
    .set('Type', new PdfName('Annot'))
    .set('Subtype', new PdfName('Widget'))
    .set('FT', new PdfName('Sig'))
    .set('T', textString(fieldName))
    .set('V', sigRef)
    .set('P', firstPage)
    .set('Rect', [0, 0, 0, 0])
    .set('F', 132); // Print + Locked: an invisible signature
  objects.push({ ref: widgetRef, value: widget });

  const placeholder = `<</ByteRange [${' '.repeat(BYTE_RANGE_WIDTH)}] /Contents <${'0'.repeat(contentsBytes * 2)}> ${serialize(entries).slice(2, -2)}>>`;
  objects.push({ ref: sigRef, value: new RawObject(Buffer.from(placeholder, 'latin1')) });

  const written = appendUpdate(file, objects, allocator);
  const bytes = written.bytes;
  const sigAt = written.offsets.get(sigRef.num) as number;
  const rangeAt = bytes.indexOf('/ByteRange [', sigAt, 'latin1') + '/ByteRange ['.length;
  const contentsStart = bytes.indexOf('/Contents <', sigAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsStart + contentsBytes * 2 + 2;
  const byteRange = [0, contentsStart, contentsEnd, bytes.length - contentsEnd] as const;
  const rangeText = byteRange.join(' ');
  if (rangeText.length > BYTE_RANGE_WIDTH) throw new CardDeskError('MALFORMED_INPUT', 'The document is too large to sign.');
  bytes.write(rangeText.padEnd(BYTE_RANGE_WIDTH, ' '), rangeAt, 'latin1');
  return { bytes, byteRange, contentsStart: contentsStart + 1, contentsEnd: contentsEnd - 1 };
}

/** The signed bytes: everything but the `<…>` of /Contents. */
export function signedParts(field: PlacedField): Buffer[] {
  const [a, b, c, d] = field.byteRange;
  return [field.bytes.subarray(a, a + b), field.bytes.subarray(c, c + d)];
}

/** Writes the DER into the placeholder; refuses one that does not fit. */
export function fillContents(field: PlacedField, der: Buffer): Buffer {
  const room = (field.contentsEnd - field.contentsStart) / 2;
  if (der.length > room) throw new CardDeskError('MALFORMED_INPUT', `The signature (${der.length} bytes) does not fit the ${room} bytes reserved for it.`);
  const out = Buffer.from(field.bytes);
  out.write(der.toString('hex'), field.contentsStart, 'latin1');
  return out;
}
