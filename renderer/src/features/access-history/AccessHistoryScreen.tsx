import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Box, Button, Paper, Snackbar, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { useSearchParams } from 'react-router';
import type { ErrorCode } from '@shared/errors';
import type { AuditEntry } from '@shared/schemas/audit';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { visuallyHidden } from '../../components/visuallyHidden';
import { useAuditWords } from './auditFormat';
import { AuditFilters, noFilters, toAuditFilter, type FilterState } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { downloadText } from './download';
import { HolderAccessHistoryDialog } from './HolderAccessHistoryDialog';
import { IntegrityBadge } from './IntegrityBadge';
import { accessHistoryTestIds } from './testIds';
import { useAuditAppended } from './useAuditAppended';
import { holderIdOf, useHolderFilter } from './useHolderFilter';

const PAGE = 50;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

interface Shown {
  readonly entries: readonly AuditEntry[];
  readonly next: number | null;
  readonly total: number | null;
}

/**
 * The operator's view of everything recorded: filters, the events newest first (more on demand),
 * new events arriving live, CSV export of what the filters select, and the integrity badge.
 */
export function AccessHistoryScreen() {
  const { t } = useAuditWords();
  const [filters, setFilters] = useState<FilterState>(noFilters);
  const holderFilter = useHolderFilter(filters.holder);
  const resolvedHolder = holderIdOf(holderFilter);
  const filter = useMemo(() => toAuditFilter(filters, resolvedHolder), [filters, resolvedHolder]);
  const applied = useDebounced(filter, 250);
  const [shown, setShown] = useState<Shown | null>(null);
  const [failure, setFailure] = useState<ErrorCode | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [arrived, setArrived] = useState(0);
  const [params, setParams] = useSearchParams();
  const holder = params.get('holder');
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    unwrap(carddesk().audit.query({ ...applied, limit: PAGE, count: true }))
      .then((page) => {
        if (mine !== generation.current) return;
        setShown({ entries: page.entries, next: page.nextCursor, total: page.total });
        setFailure(null);
      })
      .catch((error: unknown) => setFailure(errorCodeOf(error)));
  }, [applied]);

  const newest = shown?.entries[0]?.seq ?? 0;
  const refresh = useCallback(() => {
    const mine = generation.current;
    unwrap(carddesk().audit.query({ ...applied, after: newest, limit: 200, count: true }))
      .then((page) => {
        if (mine !== generation.current || page.entries.length === 0) return;
        setShown((current) => ({ entries: [...page.entries, ...(current?.entries ?? [])], next: current?.next ?? null, total: page.total }));
        setArrived(page.entries.length);
      })
      .catch((error: unknown) => setFailure(errorCodeOf(error)));
  }, [applied, newest]);
  useAuditAppended(refresh);

  const loadMore = (): void => {
    if (shown === null || shown.next === null) return;
    const mine = generation.current;
    unwrap(carddesk().audit.query({ ...applied, before: shown.next, limit: PAGE }))
      .then((page) => {
        if (mine === generation.current) setShown((current) => ({ entries: [...(current?.entries ?? []), ...page.entries], next: page.nextCursor, total: current?.total ?? null }));
      })
      .catch((error: unknown) => setFailure(errorCodeOf(error)));
  };

  const exportCsv = (): void => {
    unwrap(carddesk().audit.exportCsv(filter))
      .then((file) => {
        downloadText(file.fileName, file.csv, 'text/csv;charset=utf-8');
        setMessage(file.truncated ? t('accessHistory.export.truncated', { count: file.rows }) : t('accessHistory.export.done', { count: file.rows }));
      })
      .catch((error: unknown) => setMessage(t(`errors.${errorCodeOf(error)}`)));
  };

  const showHolder = (holderId: string | null): void =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (holderId === null) next.delete('holder');
      else next.set('holder', holderId);
      return next;
    });

  return (
    <Box data-testid={accessHistoryTestIds.screen}>
      <Box sx={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 2, mb: 1 }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          {t('nav.accessHistory')}
        </Typography>
        <Button variant="outlined" startIcon={<DownloadIcon aria-hidden />} onClick={exportCsv} data-testid={accessHistoryTestIds.export}>
          {t('accessHistory.export.button')}
        </Button>
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('accessHistory.intro')}
      </Typography>
      <IntegrityBadge />
      <AuditFilters value={filters} onChange={setFilters} holder={holderFilter} />
      {failure !== null ? <Alert severity="error">{t(`errors.${failure}`)}</Alert> : null}
      {shown === null ? (
        <Typography role="status">{t('accessHistory.loading')}</Typography>
      ) : shown.entries.length === 0 ? (
        <Alert severity="info" data-testid={accessHistoryTestIds.empty}>
          {t('accessHistory.empty')}
        </Alert>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid={accessHistoryTestIds.total} data-total={shown.total ?? ''}>
            {shown.total === null ? t('accessHistory.shownOnly', { shown: shown.entries.length }) : t('accessHistory.shown', { shown: shown.entries.length, total: shown.total })}
          </Typography>
          {/* Scrolls sideways in longer languages: reachable by keyboard, named for screen readers. */}
          <Paper variant="outlined" sx={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label={t('accessHistory.tableLabel')}>
            <AuditTable entries={shown.entries} onHolder={showHolder} />
          </Paper>
          {shown.next !== null ? (
            <Button sx={{ mt: 1 }} onClick={loadMore} data-testid={accessHistoryTestIds.loadMore}>
              {t('accessHistory.loadMore')}
            </Button>
          ) : null}
        </>
      )}
      <Box component="p" aria-live="polite" data-testid={accessHistoryTestIds.announcer} sx={visuallyHidden}>
        {arrived === 0 ? '' : t('accessHistory.arrived', { count: arrived })}
      </Box>
      <Snackbar open={message !== null} autoHideDuration={6000} onClose={() => setMessage(null)} message={<span data-testid={accessHistoryTestIds.message}>{message}</span>} />
      {holder === null ? null : <HolderAccessHistoryDialog holderId={holder} onClose={() => showHolder(null)} />}
    </Box>
  );
}
