import { createContext, use, type ComponentType } from 'react';
import type { PdfVerifyReport } from '@shared/schemas/contracts';

/**
 * The contract viewer and the signature panel, handed in by the app (KioskApp): the kiosk shows
 * the desk's own components, read-only, without reaching into the contracts feature's internals.
 */
export interface KioskDocumentViews {
  /** onDownload null: the kiosk does not allow files, and the viewer offers no download. */
  readonly Viewer: ComponentType<{ data: Uint8Array; fileName: string; onDownload: (() => void) | null; height?: number | string }>;
  readonly Signatures: ComponentType<{ report: PdfVerifyReport }>;
}

export const KioskDocumentViewsContext = createContext<KioskDocumentViews | null>(null);

export function useKioskDocumentViews(): KioskDocumentViews {
  const views = use(KioskDocumentViewsContext);
  if (views === null) throw new Error('useKioskDocumentViews outside KioskDocumentViewsContext');
  return views;
}

/** A download's base64 as bytes, for the viewer. */
export function bytesOf(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}
