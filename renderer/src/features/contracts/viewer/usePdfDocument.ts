import { useEffect, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { openPdf, PdfOpenError, prepareWorker, type OpenFailure } from './pdfjs';

export type PdfDocumentState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly document: PDFDocumentProxy; readonly firstPage: { readonly width: number; readonly height: number } }
  | { readonly status: 'failed'; readonly reason: OpenFailure };

/** Opens `data` and closes it (terminating its worker) when the data changes or the viewer goes. */
export function usePdfDocument(data: Uint8Array): PdfDocumentState {
  // Tagged with the bytes it belongs to: new bytes read as 'loading' until they are open.
  const [opened, setOpened] = useState<{ data: Uint8Array; state: PdfDocumentState } | null>(null);
  useEffect(() => {
    let cancelled = false;
    let close: (() => void) | null = null;
    openPdf(data)
      .then(({ document, close: closeDocument, firstPage }) => {
        close = closeDocument;
        if (cancelled) return close();
        setOpened({ data, state: { status: 'ready', document, firstPage } });
      })
      .catch((error: unknown) => {
        if (!cancelled) setOpened({ data, state: { status: 'failed', reason: error instanceof PdfOpenError ? error.reason : 'damaged' } });
      });
    return () => {
      cancelled = true;
      close?.();
    };
  }, [data]);
  return opened !== null && opened.data === data ? opened.state : { status: 'loading' };
}

/** For a screen that may show a PDF soon: the viewer's worker starts now, so the first page comes sooner. */
export function useWarmPdfWorker(): void {
  useEffect(() => {
    const timer = setTimeout(prepareWorker, 0);
    return () => clearTimeout(timer);
  }, []);
}
