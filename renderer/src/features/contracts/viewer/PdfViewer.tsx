import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type UIEvent } from 'react';
import { Alert, Box, CircularProgress, Divider, IconButton, InputAdornment, TextField, Toolbar, Tooltip, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import FitScreenIcon from '@mui/icons-material/FitScreen';
import KeyboardArrowDownIcon from '@mui/icons-material/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@mui/icons-material/KeyboardArrowUp';
import NavigateBeforeIcon from '@mui/icons-material/NavigateBefore';
import NavigateNextIcon from '@mui/icons-material/NavigateNext';
import SearchIcon from '@mui/icons-material/Search';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import { useTranslation } from 'react-i18next';
import { PdfPage } from './PdfPage';
import { PdfThumbnails } from './PdfThumbnails';
import { useDocumentSearch } from './useDocumentSearch';
import { usePdfDocument } from './usePdfDocument';
import { viewerTestIds } from './testIds';
import { prepareWorker, type OpenFailure } from './pdfjs';
import type { PDFDocumentProxy } from 'pdfjs-dist';

export interface PdfViewerProps {
  /** The document's bytes; the viewer never changes them (pdf.js gets a copy). */
  readonly data: Uint8Array;
  readonly fileName: string;
  readonly onDownload: () => void;
  /** The viewer's height; it scrolls inside it. */
  readonly height?: number | string;
}

const ZOOM_STEPS = [0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4] as const;
const PAGE_GAP = 16;
/** Browsers stop laying out boxes taller than about 33.5 million pixels; the page column stays below. */
const MAX_COLUMN_PX = 30_000_000;

const failureKeys: Record<OpenFailure, 'contracts.viewer.failure.notPdf' | 'contracts.viewer.failure.damaged' | 'contracts.viewer.failure.passwordProtected' | 'contracts.viewer.failure.timeout'> = {
  notPdf: 'contracts.viewer.failure.notPdf',
  damaged: 'contracts.viewer.failure.damaged',
  passwordProtected: 'contracts.viewer.failure.passwordProtected',
  timeout: 'contracts.viewer.failure.timeout',
};

/**
 * The contract viewer: pages (only those near the visible part are drawn, so a 20,000-page file
 * opens as fast as a short one), zoom and fit-to-width, search with highlighted hits, thumbnails,
 * keyboard navigation and download. Links in the PDF are outlined and never followed.
 */
export function PdfViewer({ data, fileName, onDownload, height = '75vh' }: PdfViewerProps) {
  const { t } = useTranslation();
  const state = usePdfDocument(data);
  return (
    <Box
      data-testid={viewerTestIds.viewer}
      data-state={state.status}
      role="region"
      aria-label={t('contracts.viewer.region', { fileName })}
      sx={{ display: 'flex', flexDirection: 'column', height, minHeight: 320, border: 1, borderColor: 'divider', borderRadius: 1, overflow: 'hidden' }}
    >
      {state.status === 'loading' && (
        <Box data-testid={viewerTestIds.loading} role="status" sx={{ display: 'flex', gap: 2, alignItems: 'center', justifyContent: 'center', flex: 1 }}>
          <CircularProgress size={24} aria-hidden />
          <Typography>{t('contracts.viewer.opening', { fileName })}</Typography>
        </Box>
      )}
      {state.status === 'failed' && (
        <Box sx={{ p: 2 }}>
          <Alert data-testid={viewerTestIds.error} data-reason={state.reason} severity="error" role="alert">
            {t(failureKeys[state.reason], { fileName })}
          </Alert>
        </Box>
      )}
      {state.status === 'ready' && <OpenDocument document={state.document} firstPage={state.firstPage} fileName={fileName} onDownload={onDownload} />}
    </Box>
  );
}

interface OpenDocumentProps {
  readonly document: PDFDocumentProxy;
  readonly firstPage: { readonly width: number; readonly height: number };
  readonly fileName: string;
  readonly onDownload: () => void;
}

function OpenDocument({ document, firstPage, fileName, onDownload }: OpenDocumentProps) {
  const { t, i18n } = useTranslation();
  const percent = new Intl.NumberFormat(i18n.resolvedLanguage, { style: 'percent', maximumFractionDigits: 0 });
  const pageCount = document.numPages;
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [zoom, setZoom] = useState<number | 'fitWidth'>('fitWidth');
  const [view, setView] = useState({ top: 0, height: 600, width: 800 });
  const [currentPage, setCurrentPage] = useState(1);
  const [pageInput, setPageInput] = useState('1');
  // The page in view is drawn first, alone; the pages around it and the thumbnails once it is there.
  const [leadDrawn, setLeadDrawn] = useState(false);
  const onLeadDrawn = useCallback(() => {
    setLeadDrawn(true);
    // The page is there: the worker for the next document starts now rather than when it is asked for.
    prepareWorker();
  }, []);

  const maxScale = Math.min(ZOOM_STEPS[ZOOM_STEPS.length - 1] ?? 4, MAX_COLUMN_PX / (pageCount * (firstPage.height + PAGE_GAP)));
  const fitScale = Math.max(0.1, (view.width - 2 * PAGE_GAP) / firstPage.width);
  const scale = Math.min(maxScale, zoom === 'fitWidth' ? fitScale : zoom);
  const slotWidth = Math.floor(firstPage.width * scale);
  const slotHeight = Math.floor(firstPage.height * scale);
  const stride = slotHeight + PAGE_GAP;

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element === null) return undefined;
    const measure = (): void => setView({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const goToPage = useCallback(
    (pageNumber: number) => {
      const target = Math.min(pageCount, Math.max(1, Math.round(pageNumber)));
      setCurrentPage(target);
      setPageInput(String(target));
      const element = scrollRef.current;
      if (element !== null) element.scrollTop = (target - 1) * stride;
    },
    [pageCount, stride],
  );

  const goToPageRef = useRef(goToPage);
  const search = useDocumentSearch(document, (hit) => goToPageRef.current(hit.page));
  // The same page stays in view when the zoom changes.
  const keepPage = useRef(currentPage);
  useEffect(() => {
    keepPage.current = currentPage;
    goToPageRef.current = goToPage;
  });
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element !== null) element.scrollTop = (keepPage.current - 1) * stride;
  }, [stride]);

  // The active search hit's page is brought into view; PdfPage then centres the hit itself.
  const activeHit = search.active === null ? null : (search.hits[search.active] ?? null);
  const stepSearch = (direction: 1 | -1): void => {
    const hit = search.step(direction);
    if (hit !== null) goToPage(hit.page);
  };

  const onScroll = (event: UIEvent<HTMLDivElement>): void => {
    const element = event.currentTarget;
    setView((previous) => ({ ...previous, top: element.scrollTop, height: element.clientHeight }));
    const middle = Math.min(pageCount, Math.max(1, Math.floor((element.scrollTop + element.clientHeight / 2) / stride) + 1));
    if (middle !== currentPage) {
      setCurrentPage(middle);
      setPageInput(String(middle));
    }
  };

  const zoomBy = (direction: 1 | -1): void => {
    const steps = ZOOM_STEPS.filter((step) => step <= maxScale);
    const next = direction > 0 ? steps.find((step) => step > scale + 0.001) : [...steps].reverse().find((step) => step < scale - 0.001);
    if (next !== undefined) setZoom(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    const typing = event.target instanceof HTMLInputElement;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
      event.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
      return;
    }
    if (typing) return;
    const keys: Record<string, () => void> = {
      PageDown: () => goToPage(currentPage + 1),
      PageUp: () => goToPage(currentPage - 1),
      Home: () => goToPage(1),
      End: () => goToPage(pageCount),
      '+': () => zoomBy(1),
      '=': () => zoomBy(1),
      '-': () => zoomBy(-1),
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  };

  const first = Math.max(0, Math.floor(view.top / stride) - 1);
  const last = Math.min(pageCount - 1, Math.floor((view.top + view.height) / stride) + 1);
  const shown: number[] = [];
  for (let index = first; index <= last; index += 1) shown.push(index + 1);

  return (
    <Box onKeyDown={onKeyDown} sx={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <Toolbar variant="dense" role="toolbar" aria-label={t('contracts.viewer.toolbar')} sx={{ gap: 0.5, flexWrap: 'wrap', borderBottom: 1, borderColor: 'divider' }}>
        <IconButton data-testid={viewerTestIds.previousPage} aria-label={t('contracts.viewer.previousPage')} onClick={() => goToPage(currentPage - 1)} disabled={currentPage <= 1}>
          <NavigateBeforeIcon />
        </IconButton>
        <TextField
          size="small"
          value={pageInput}
          onChange={(event) => setPageInput(event.target.value.replace(/\D/g, ''))}
          onKeyDown={(event) => {
            if (event.key === 'Enter') goToPage(Number(pageInput) || currentPage);
          }}
          onBlur={() => setPageInput(String(currentPage))}
          slotProps={{ htmlInput: { 'data-testid': viewerTestIds.pageInput, inputMode: 'numeric', 'aria-label': t('contracts.viewer.pageNumber'), style: { width: '5ch', textAlign: 'right' } } }}
        />
        <Typography data-testid={viewerTestIds.pageIndicator} aria-live="polite" sx={{ whiteSpace: 'nowrap' }}>
          {t('contracts.viewer.ofPages', { total: pageCount })}
        </Typography>
        <IconButton data-testid={viewerTestIds.nextPage} aria-label={t('contracts.viewer.nextPage')} onClick={() => goToPage(currentPage + 1)} disabled={currentPage >= pageCount}>
          <NavigateNextIcon />
        </IconButton>
        <Divider orientation="vertical" flexItem />
        <IconButton data-testid={viewerTestIds.zoomOut} aria-label={t('contracts.viewer.zoomOut')} onClick={() => zoomBy(-1)}>
          <ZoomOutIcon />
        </IconButton>
        <Typography data-testid={viewerTestIds.zoomLevel} sx={{ minWidth: '5ch', textAlign: 'center' }}>
          {percent.format(scale)}
        </Typography>
        <IconButton data-testid={viewerTestIds.zoomIn} aria-label={t('contracts.viewer.zoomIn')} onClick={() => zoomBy(1)}>
          <ZoomInIcon />
        </IconButton>
        <Tooltip title={t('contracts.viewer.fitWidth')}>
          <IconButton data-testid={viewerTestIds.fitWidth} aria-label={t('contracts.viewer.fitWidth')} aria-pressed={zoom === 'fitWidth'} onClick={() => setZoom('fitWidth')}>
            <FitScreenIcon />
          </IconButton>
        </Tooltip>
        <Divider orientation="vertical" flexItem />
        <TextField
          size="small"
          value={search.query}
          onChange={(event) => search.setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              stepSearch(event.shiftKey ? -1 : 1);
            }
          }}
          slotProps={{
            htmlInput: { ref: searchRef, 'data-testid': viewerTestIds.search, 'aria-label': t('contracts.viewer.search'), placeholder: t('contracts.viewer.searchPlaceholder') },
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
        <IconButton data-testid={viewerTestIds.searchPrevious} aria-label={t('contracts.viewer.previousMatch')} onClick={() => stepSearch(-1)} disabled={search.hits.length === 0}>
          <KeyboardArrowUpIcon />
        </IconButton>
        <IconButton data-testid={viewerTestIds.searchNext} aria-label={t('contracts.viewer.nextMatch')} onClick={() => stepSearch(1)} disabled={search.hits.length === 0}>
          <KeyboardArrowDownIcon />
        </IconButton>
        <Typography data-testid={viewerTestIds.searchStatus} role="status" variant="body2" sx={{ minWidth: '12ch' }}>
          {search.query.trim() === ''
            ? ''
            : search.searching
              ? t('contracts.viewer.searching', { found: search.hits.length })
              : search.hits.length === 0
                ? t('contracts.viewer.noMatches')
                : t('contracts.viewer.matchOf', { index: (search.active ?? 0) + 1, total: search.hits.length })}
        </Typography>
        <Box sx={{ flex: 1 }} />
        <IconButton data-testid={viewerTestIds.download} aria-label={t('contracts.viewer.download', { fileName })} onClick={onDownload}>
          <DownloadIcon />
        </IconButton>
      </Toolbar>
      <Box sx={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <PdfThumbnails document={document} pageCount={pageCount} aspect={firstPage.height / firstPage.width} currentPage={currentPage} onSelect={goToPage} waiting={!leadDrawn} />
        <Box
          ref={scrollRef}
          data-testid={viewerTestIds.pages}
          tabIndex={0}
          aria-label={t('contracts.viewer.pages')}
          role="document"
          onScroll={onScroll}
          sx={{ flex: 1, overflow: 'auto', bgcolor: 'action.selected', position: 'relative', '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: -2 } }}
        >
          <Box sx={{ position: 'relative', height: pageCount * stride + PAGE_GAP, minWidth: slotWidth + 2 * PAGE_GAP }}>
            {shown.map((pageNumber) => (
              <Box key={pageNumber} sx={{ position: 'absolute', top: (pageNumber - 1) * stride + PAGE_GAP, left: 0, right: 0, display: 'flex', justifyContent: 'center' }}>
                <PdfPage
                  document={document}
                  pageNumber={pageNumber}
                  pageCount={pageCount}
                  width={slotWidth}
                  height={slotHeight}
                  query={search.appliedQuery}
                  activeHit={activeHit !== null && activeHit.page === pageNumber ? activeHit.indexOnPage : -1}
                  waiting={!leadDrawn && pageNumber !== currentPage}
                  onRendered={pageNumber === currentPage ? onLeadDrawn : undefined}
                />
              </Box>
            ))}
          </Box>
        </Box>
      </Box>
    </Box>
  );
}
