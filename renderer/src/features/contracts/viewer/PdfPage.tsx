import { useEffect, useRef, useState } from 'react';
import { Box, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { AnnotationMode, TextLayer, type PDFDocumentProxy, type RenderTask } from 'pdfjs-dist';
import { findInItems, highlightHits } from './search';
import { viewerTestIds } from './testIds';
import './textLayer.css';

/** A link annotation as the viewer shows it: a box over the page, never something that navigates. */
interface LinkBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly target: string | null;
}

interface LinkAnnotation {
  subtype?: unknown;
  rect?: unknown;
  url?: unknown;
  unsafeUrl?: unknown;
  action?: unknown;
}

function linkTarget(annotation: LinkAnnotation): string | null {
  for (const value of [annotation.url, annotation.unsafeUrl, annotation.action]) {
    if (typeof value === 'string' && value !== '') return value.slice(0, 200);
  }
  return null;
}

interface Drawn {
  readonly key: string;
  readonly state: 'rendering' | 'rendered' | 'failed';
  readonly size: { readonly width: number; readonly height: number; readonly scale: number } | null;
  readonly links: readonly LinkBox[];
  readonly textLayer: TextLayer | null;
}

export interface PdfPageProps {
  readonly document: PDFDocumentProxy;
  readonly pageNumber: number;
  readonly pageCount: number;
  /** The box the page is fitted into, in CSS pixels. */
  readonly width: number;
  readonly height: number;
  readonly query: string;
  /** The active search hit's index among this page's hits, or -1. */
  readonly activeHit: number;
  /** Thumbnails draw the canvas only: no text layer, no links. */
  readonly thumbnail?: boolean;
  /** Not drawn yet (its slot is kept): the page in view is drawn first, the others after it. */
  readonly waiting?: boolean;
  /** Called once the page is drawn (canvas and text layer), or could not be. */
  readonly onRendered?: (pageNumber: number) => void;
}

/**
 * One page: canvas, pdf.js text layer (selectable, searchable, highlighted) and link boxes. It is
 * mounted only while near the visible part of the document and cancels its rendering when unmounted.
 */
export function PdfPage({ document, pageNumber, pageCount, width, height, query, activeHit, thumbnail = false, waiting = false, onRendered }: PdfPageProps) {
  const { t } = useTranslation();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  // What was drawn, tagged with the box it was drawn for: a new size reads as 'rendering' until redrawn.
  const renderKey = `${pageNumber}/${width}/${height}`;
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const current = drawn !== null && drawn.key === renderKey ? drawn : null;
  const state = current?.state ?? 'rendering';
  const size = current?.size ?? null;
  const links = current?.links ?? [];
  const textLayer = current?.textLayer ?? null;

  const renderedRef = useRef(onRendered);
  useEffect(() => {
    renderedRef.current = onRendered;
  });

  useEffect(() => {
    if (waiting) return undefined;
    let cancelled = false;
    let renderTask: RenderTask | null = null;
    let layer: TextLayer | null = null;
    const canvas = canvasRef.current;
    const textContainer = textRef.current;
    const key = `${pageNumber}/${width}/${height}`;
    void (async () => {
      const page = await document.getPage(pageNumber);
      if (cancelled) return;
      const natural = page.getViewport({ scale: 1 });
      const scale = Math.min(width / natural.width, height / natural.height);
      const viewport = page.getViewport({ scale });
      const size = { width: viewport.width, height: viewport.height, scale };
      setDrawn({ key, state: 'rendering', size, links: [], textLayer: null });
      if (canvas === null) return;
      const outputScale = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.floor(viewport.width * outputScale));
      canvas.height = Math.max(1, Math.floor(viewport.height * outputScale));
      // The worker extracts the text and the links while the canvas is painted on this thread.
      const extras = thumbnail ? null : Promise.all([page.getTextContent(), page.getAnnotations({ intent: 'display' }) as Promise<LinkAnnotation[]>]);
      // Awaited after the canvas; a cancelled render must not leave them rejected with nobody listening.
      extras?.catch(() => undefined);
      renderTask = page.render({
        canvas,
        viewport,
        // Appearance streams are drawn; nothing interactive (forms, links, scripts) is created.
        annotationMode: AnnotationMode.ENABLE,
        ...(outputScale === 1 ? {} : { transform: [outputScale, 0, 0, outputScale, 0, 0] }),
      });
      await renderTask.promise;
      if (cancelled || extras === null || textContainer === null) {
        if (!cancelled) {
          setDrawn({ key, state: 'rendered', size, links: [], textLayer: null });
          renderedRef.current?.(pageNumber);
        }
        return;
      }
      textContainer.replaceChildren();
      const [content, annotations] = await extras;
      layer = new TextLayer({ textContentSource: content, container: textContainer, viewport });
      await layer.render();
      if (cancelled) return;
      const links = annotations
          .filter((annotation) => annotation.subtype === 'Link' && Array.isArray(annotation.rect) && annotation.rect.length === 4)
          .map((annotation) => {
            const [ax1, ay1, ax2, ay2] = annotation.rect as [number, number, number, number];
            const [x1, y1] = viewport.convertToViewportPoint(ax1, ay1) as [number, number];
            const [x2, y2] = viewport.convertToViewportPoint(ax2, ay2) as [number, number];
          return { left: Math.min(x1, x2), top: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1), target: linkTarget(annotation) };
        });
      setDrawn({ key, state: 'rendered', size, links, textLayer: layer });
      renderedRef.current?.(pageNumber);
    })().catch((error: unknown) => {
      if (cancelled || (error instanceof Error && error.name === 'RenderingCancelledException')) return;
      setDrawn((previous) => ({ key, state: 'failed', size: previous?.key === key ? previous.size : null, links: [], textLayer: null }));
      renderedRef.current?.(pageNumber);
    });
    return () => {
      cancelled = true;
      renderTask?.cancel();
      layer?.cancel();
    };
  }, [document, pageNumber, width, height, thumbnail, waiting]);

  useEffect(() => {
    if (textLayer === null) return;
    const items = textLayer.textContentItemsStr;
    const active = highlightHits(textLayer.textDivs, items, findInItems(items, query), activeHit);
    active?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }, [textLayer, query, activeHit]);

  const label = t('contracts.viewer.pageLabel', { page: pageNumber, total: pageCount });
  return (
    <Box
      data-testid={thumbnail ? undefined : viewerTestIds.page(pageNumber)}
      data-state={state}
      role={thumbnail ? undefined : 'group'}
      aria-label={thumbnail ? undefined : label}
      aria-hidden={thumbnail ? true : undefined}
      sx={{ position: 'relative', width: size?.width ?? width, height: size?.height ?? height, bgcolor: '#fff', boxShadow: thumbnail ? 1 : 2, mx: 'auto' }}
      style={{ ['--total-scale-factor' as string]: String(size?.scale ?? 1) }}
    >
      <canvas ref={canvasRef} style={{ width: '100%', height: '100%', display: 'block' }} />
      {!thumbnail && <div ref={textRef} className="carddesk-textLayer" />}
      {links.map((link, index) => (
        <Box
          key={index}
          component="span"
          data-testid={viewerTestIds.link}
          title={link.target === null ? t('contracts.viewer.linkNotFollowed') : t('contracts.viewer.linkNotFollowedTo', { target: link.target })}
          sx={{ position: 'absolute', left: link.left, top: link.top, width: link.width, height: link.height, outline: '1px dashed', outlineColor: 'info.main', cursor: 'not-allowed', zIndex: 2 }}
        />
      ))}
      {state === 'failed' && (
        <Typography data-testid={viewerTestIds.pageError} color="error" sx={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', p: 2, textAlign: 'center' }}>
          {t('contracts.viewer.pageFailed')}
        </Typography>
      )}
    </Box>
  );
}
