import { useEffect, useRef, useState, type UIEvent } from 'react';
import { Box, ButtonBase, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { PdfPage } from './PdfPage';
import { viewerTestIds } from './testIds';

const THUMB_WIDTH = 112;
const LABEL_HEIGHT = 24;
const GAP = 12;

export interface PdfThumbnailsProps {
  readonly document: PDFDocumentProxy;
  readonly pageCount: number;
  readonly aspect: number;
  readonly currentPage: number;
  readonly onSelect: (pageNumber: number) => void;
  /** The thumbnails wait (their slots shown) while the page in view is drawn. */
  readonly waiting: boolean;
}

/** The page thumbnails, virtualised like the pages: only the visible ones are drawn. */
export function PdfThumbnails({ document, pageCount, aspect, currentPage, onSelect, waiting }: PdfThumbnailsProps) {
  const { t } = useTranslation();
  const thumbHeight = Math.round(THUMB_WIDTH * aspect);
  // The button's padding (8 px each side) is part of its height.
  const stride = thumbHeight + LABEL_HEIGHT + 16 + GAP;
  const listRef = useRef<HTMLElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const first = Math.max(0, Math.floor(view.top / stride) - 1);
  const last = Math.min(pageCount - 1, Math.ceil((view.top + view.height) / stride) + 1);
  const onScroll = (event: UIEvent<HTMLElement>): void => {
    setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight });
  };
  // The current page's thumbnail stays in sight as the pages scroll.
  useEffect(() => {
    const list = listRef.current;
    if (list === null) return;
    const top = (currentPage - 1) * stride;
    if (top < list.scrollTop || top + stride > list.scrollTop + list.clientHeight) list.scrollTop = Math.max(0, top - GAP);
  }, [currentPage, stride]);
  const shown: number[] = [];
  for (let index = first; index <= last; index += 1) shown.push(index + 1);
  return (
    <Box
      component="nav"
      ref={listRef}
      aria-label={t('contracts.viewer.thumbnails')}
      data-testid={viewerTestIds.thumbnails}
      onScroll={onScroll}
      sx={{ width: THUMB_WIDTH + 32, flexShrink: 0, overflowY: 'auto', borderRight: 1, borderColor: 'divider', bgcolor: 'action.hover' }}
    >
      <Box sx={{ position: 'relative', height: pageCount * stride + GAP }}>
        {shown.map((pageNumber) => (
          <ButtonBase
            key={pageNumber}
            data-testid={viewerTestIds.thumbnail(pageNumber)}
            aria-label={t('contracts.viewer.goToPage', { page: pageNumber })}
            aria-current={pageNumber === currentPage ? 'page' : undefined}
            onClick={() => onSelect(pageNumber)}
            sx={{
              position: 'absolute',
              top: (pageNumber - 1) * stride + GAP,
              left: 8,
              width: THUMB_WIDTH + 16,
              display: 'flex',
              flexDirection: 'column',
              p: 1,
              borderRadius: 1,
              outline: pageNumber === currentPage ? '3px solid' : 'none',
              outlineColor: 'primary.main',
            }}
          >
            <PdfPage document={document} pageNumber={pageNumber} pageCount={pageCount} width={THUMB_WIDTH} height={thumbHeight} query="" activeHit={-1} thumbnail waiting={waiting} />
            <Typography variant="caption" sx={{ height: LABEL_HEIGHT, lineHeight: `${LABEL_HEIGHT}px` }}>
              {pageNumber}
            </Typography>
          </ButtonBase>
        ))}
      </Box>
    </Box>
  );
}
