/**
 * The one place pdf.js is configured. The contract viewer shows documents that may come from
 * anywhere (an operator can open any PDF to check its signatures), so pdf.js runs as a document
 * *renderer* only: no scripting, no network, no eval, no navigation.
 */
import { getDocument, GlobalWorkerOptions, InvalidPDFException, PasswordException, PDFWorker, type PDFDocumentProxy } from 'pdfjs-dist';
// A local file from 'self' (CSP worker-src 'self'), fingerprinted by Vite; never a CDN.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

/** Opening must not hang the screen: a file the worker cannot parse in this time is reported as such. */
export const OPEN_TIMEOUT_MS = 4_000;

export type OpenFailure = 'notPdf' | 'damaged' | 'passwordProtected' | 'timeout';

export class PdfOpenError extends Error {
  constructor(readonly reason: OpenFailure) {
    super(`The PDF could not be opened: ${reason}`);
    this.name = 'PdfOpenError';
  }
}

/** Files pdf.js fetches by name (copied by vite.config.ts's pdfjsAssets), resolved against the page. */
function localAsset(path: string): string {
  return new URL(`./pdfjs/${path}`, document.baseURI).href;
}

/**
 * Each document gets a worker of its own (a hostile file's worker is terminated with it and never
 * serves another file), but starting one (loading and compiling pdf.js's worker script) took most
 * of the time to a first page. So the next document's worker is started ahead: when a screen that
 * shows PDFs opens, and again once a document's first page is drawn.
 */
let spare: PDFWorker | null = null;

/** Starts the next document's worker now, if none is waiting. */
export function prepareWorker(): void {
  if (spare === null || spare.destroyed) spare = new PDFWorker();
}

function takeWorker(): PDFWorker {
  const worker = spare !== null && !spare.destroyed ? spare : new PDFWorker();
  spare = null;
  return worker;
}

export interface OpenedPdf {
  readonly document: PDFDocumentProxy;
  /** Closes the document and terminates its worker. */
  readonly close: () => void;
  /** Page 1's size at scale 1 (CSS pixels): every page's slot in the viewer has its proportions. */
  readonly firstPage: { readonly width: number; readonly height: number };
}

/**
 * Opens `data` (copied: pdf.js transfers the buffer it is given to the worker, and the caller
 * still needs its bytes for the download). Rejects with PdfOpenError; on timeout the loading
 * task is destroyed and its worker terminated, so a hostile file cannot keep a core busy.
 */
export async function openPdf(data: Uint8Array, timeoutMs = OPEN_TIMEOUT_MS): Promise<OpenedPdf> {
  const worker = takeWorker();
  const task = getDocument({
    data: data.slice(),
    worker,
    // pdf.js 6 has no eval-based code path left (font glyphs are Path2D, PostScript functions are
    // interpreted), so the option is gone from its types; it is still passed in case an older
    // build is ever bundled, and the CSP (no 'unsafe-eval') would refuse eval regardless.
    ...{ isEvalSupported: false },
    // WebAssembly off: the CSP keeps script-src at 'self' without 'wasm-unsafe-eval', which would
    // let any script in the renderer compile WebAssembly. Contracts are text and vector graphics;
    // the rare JPEG 2000 / JBIG2 image is decoded by pdf.js's JavaScript fallbacks (shipped
    // locally) and ICC profiles fall back to the alternate colour space. Slower, never unsafe.
    useWasm: false,
    wasmUrl: localAsset('wasm/'),
    // Base-14 fonts from our own files, never the network; no CMaps are shipped (CJK-only).
    standardFontDataUrl: localAsset('standard_fonts/'),
    useSystemFonts: false,
    enableXfa: false,
    // Rendering stays on the main thread: the renderer worker would be a second script to ship.
    disableWorkerRendering: true,
    // Hostile images cannot exhaust memory: 100 megapixels is far above any scanned A4 page.
    maxImageSize: 100_000_000,
    stopAtErrors: false,
  });
  // A worker handed in is not ended with its document: both go together here.
  const close = (): void => {
    void task.destroy().finally(() => worker.destroy());
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PdfOpenError('timeout')), timeoutMs);
  });
  try {
    // Page 1 is part of opening: a file whose page tree cannot be read is as broken as no file.
    const opened = task.promise.then(async (document) => {
      const { width, height } = (await document.getPage(1)).getViewport({ scale: 1 });
      return { document, close, firstPage: { width, height } };
    });
    return await Promise.race([opened, timeout]);
  } catch (error) {
    close();
    if (error instanceof PdfOpenError) throw error;
    if (error instanceof PasswordException) throw new PdfOpenError('passwordProtected');
    if (error instanceof InvalidPDFException) throw new PdfOpenError(looksLikePdf(data) ? 'damaged' : 'notPdf');
    throw new PdfOpenError(looksLikePdf(data) ? 'damaged' : 'notPdf');
  } finally {
    clearTimeout(timer);
  }
}

/** ISO 32000-1 §7.5.2: the header `%PDF-` within the first 1024 bytes. */
export function looksLikePdf(data: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(data.subarray(0, 1024));
  return head.includes('%PDF-');
}
