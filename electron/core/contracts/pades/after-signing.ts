/**
 * What changed after a signed range (ETSI EN 319 142-1 §5.4, ISO 32000-2 §12.8.2.2): the
 * verifier compares every object the later incremental updates define with the same object as of
 * the signed revision. Allowed: validation data (DSS, VRI and their data streams) and document
 * time-stamps (their signature dictionary, widget, the field added to the AcroForm, the widget
 * added to a page's /Annots), and the catalog gaining /DSS or a changed /AcroForm of that kind.
 * Anything else (a new annotation, new page content, a replaced or freed object) is a change.
 */
import type { ObjectView, PdfFile } from './pdf-file';
import { isWhite, PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './pdf-syntax';

export type AfterSigning = 'nothing' | 'validationDataOnly' | 'changed';

/** A serialisation with sorted keys, so equal objects written by another tool compare equal. */
function canonical(value: PdfValue | undefined): string {
  if (value === undefined) return '∅';
  if (value instanceof PdfDict) return `<<${[...value.entries.keys()].sort().map((k) => `/${k} ${canonical(value.get(k))}`).join(' ')}>>`;
  if (value instanceof PdfStream) return `${canonical(value.dict)}stream:${value.data.toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(' ')}]`;
  if (value instanceof PdfName) return `/${value.name}`;
  if (value instanceof PdfString) return `<${value.bytes.toString('hex')}>`;
  if (value instanceof PdfRef) return `${value.num} ${value.gen} R`;
  return String(value);
}

function equalExcept(a: PdfDict, b: PdfDict, ignored: readonly string[]): boolean {
  const strip = (d: PdfDict): PdfDict => new PdfDict(new Map([...d.entries].filter(([k]) => !ignored.includes(k))));
  return canonical(strip(a)) === canonical(strip(b));
}

const VRI_KEYS = new Set(['Cert', 'CRL', 'OCSP', 'TU', 'TS', 'Type']);

export function changesAfter(file: PdfFile, signedEnd: number): AfterSigning {
  const bytes = file.bytes;
  let rest = signedEnd;
  while (rest < bytes.length && isWhite(bytes[rest])) rest += 1;
  if (rest >= bytes.length) return 'nothing';
  const later = file.sections.filter((s) => s.offset >= signedEnd);
  if (later.length === 0) return 'changed';
  // Bytes after the last %%EOF that no update accounts for.
  const lastEof = bytes.lastIndexOf('%%EOF', bytes.length, 'latin1');
  if (lastEof < signedEnd || bytes.subarray(lastEof + 5).some((b) => !isWhite(b))) return 'changed';
  try {
    const before = file.view(signedEnd);
    const after = file.view();
    const checker = new ChangeChecker(before, after);
    for (const section of later) {
      for (const [num, entry] of section.entries) {
        if (entry.type === 0) {
          if (num !== 0) return 'changed';
          continue;
        }
        if (!checker.allowed(num)) return 'changed';
      }
    }
    return 'validationDataOnly';
  } catch {
    return 'changed';
  }
}

class ChangeChecker {
  readonly #catalogNum: number;

  constructor(
    private readonly before: ObjectView,
    private readonly after: ObjectView,
  ) {
    this.#catalogNum = before.catalog().ref.num;
  }

  allowed(num: number): boolean {
    const now = this.after.object(num);
    const was = this.before.entries.has(num) ? this.before.object(num) : undefined;
    if (was !== undefined && canonical(was) === canonical(now)) return true;
    if (now instanceof PdfStream && (now.dict.name('Type') === 'XRef' || now.dict.name('Type') === 'ObjStm')) return true;
    if (was === undefined) return this.#allowedNew(now);
    if (num === this.#catalogNum && was instanceof PdfDict && now instanceof PdfDict) return this.#allowedCatalog(was, now);
    if (was instanceof PdfDict && now instanceof PdfDict) {
      if (was.name('Type') === 'DSS' && now.name('Type') === 'DSS') return true;
      if (now.name('Type') === 'Page' && was.name('Type') === 'Page') return equalExcept(was, now, ['Annots']) && this.#onlyTimestampWidgetsAdded(was.get('Annots'), now.get('Annots'));
      if (this.#isAcroForm(num)) return this.#allowedAcroForm(was, now);
    }
    // An /Annots or /Fields array kept as its own object.
    if (Array.isArray(was) && Array.isArray(now)) return this.#onlyTimestampWidgetsAdded(was, now);
    return false;
  }

  #allowedNew(value: PdfValue): boolean {
    // The DSS's certificate, CRL and OCSP streams carry no /Type.
    if (value instanceof PdfStream) return value.dict.get('Type') === undefined && value.dict.get('Subtype') === undefined;
    if (Array.isArray(value)) return value.every((v) => v instanceof PdfRef);
    if (!(value instanceof PdfDict)) return false;
    const type = value.name('Type');
    if (type === 'DSS' || type === 'DocTimeStamp') return true;
    if (this.#isTimestampWidget(value)) return true;
    // A VRI dictionary (keyed by signature hashes) or one of its entries.
    if (type === null && [...value.entries.keys()].every((k) => /^[0-9A-F]{40}$/.test(k) || VRI_KEYS.has(k))) return true;
    return false;
  }

  #isTimestampWidget(value: PdfValue | undefined): boolean {
    const widget = this.after.dict(value);
    if (widget === null || widget.name('FT') !== 'Sig') return false;
    const sig = this.after.dict(widget.get('V'));
    return sig !== null && (sig.name('Type') === 'DocTimeStamp' || sig.name('SubFilter') === 'ETSI.RFC3161');
  }

  #onlyTimestampWidgetsAdded(was: PdfValue | undefined, now: PdfValue | undefined): boolean {
    const a = this.before.resolve(was ?? null);
    const b = this.after.resolve(now ?? null);
    const oldItems = Array.isArray(a) ? a.map(canonical) : [];
    const newItems = Array.isArray(b) ? b : [];
    const remaining = [...oldItems];
    for (const item of newItems) {
      const at = remaining.indexOf(canonical(item));
      if (at >= 0) remaining.splice(at, 1);
      else if (!this.#isTimestampWidget(item)) return false;
    }
    return remaining.length === 0;
  }

  #isAcroForm(num: number): boolean {
    const form = this.before.catalog().dict.get('AcroForm');
    return form instanceof PdfRef && form.num === num;
  }

  #allowedAcroForm(was: PdfDict, now: PdfDict): boolean {
    return equalExcept(was, now, ['Fields', 'SigFlags']) && this.#onlyTimestampWidgetsAdded(was.get('Fields'), now.get('Fields'));
  }

  #allowedCatalog(was: PdfDict, now: PdfDict): boolean {
    if (!equalExcept(was, now, ['DSS', 'AcroForm', 'Extensions'])) return false;
    const formBefore = was.get('AcroForm');
    const formAfter = now.get('AcroForm');
    if (canonical(formBefore) === canonical(formAfter)) return true;
    if (formAfter instanceof PdfRef) return formBefore instanceof PdfRef && formBefore.num === formAfter.num;
    const a = this.before.dict(formBefore) ?? new PdfDict();
    const b = this.after.dict(formAfter);
    return b !== null && this.#allowedAcroForm(a, b);
  }
}
