export { PdfViewer, type PdfViewerProps } from './PdfViewer';
export { viewerTestIds, signatureTestIds } from './testIds';
export { useWarmPdfWorker } from './usePdfDocument';
