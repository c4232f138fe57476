import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Box, Button, Paper, Snackbar, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { useSearchParams } from 'react-router';
import type { AuditEntry, AuditFilter } from '@shared/schemas/audit';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { visuallyHidden } from '../../components/visuallyHidden';
import { useAuditWords } from './auditFormat';
import { AuditFilters, noFilters, toAuditFilter, type FilterState } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { downloadText } from './download';
import { HolderAccessHistoryDialog } from './HolderAccessHistoryDialog';
import { IntegrityBadge } from './IntegrityBadge';
import { accessHistoryTestIds } from './testIds';
import { useLiveRefresh } from './useLiveRefresh';
import { useAuditOperators } from './useAuditOperators';
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
  const operators = useAuditOperators();
  const resolvedHolder = holderIdOf(holderFilter);
  const filter = useMemo(() => toAuditFilter(filters, resolvedHolder), [filters, resolvedHolder]);
  const applied = useDebounced(filter, 250);
  const [shown, setShown] = useState<Shown | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [arrived, setArrived] = useState(0);
  const [params, setParams] = useSearchParams();
  const holder = params.get('holder');
  const generation = useRef(0);

  // One command per kind of read; `generation` drops pages that arrive after the filters changed.
  const loading = useCommand(async (wanted: AuditFilter) => {
    const mine = ++generation.current;
    const page = await unwrap(carddesk().audit.query({ ...wanted, limit: PAGE, count: true }));
    if (mine === generation.current) setShown({ entries: page.entries, next: page.nextCursor, total: page.total });
  });
  const first = loading.run;
  useEffect(() => {
    void first(applied);
  }, [first, applied]);

  const newest = shown?.entries[0]?.seq ?? 0;
  const refreshing = useCommand(async (wanted: AuditFilter, after: number) => {
    const mine = generation.current;
    const page = await unwrap(carddesk().audit.query({ ...wanted, after, limit: 200, count: true }));
    if (mine !== generation.current || page.entries.length === 0) return;
    setShown((current) => ({ entries: [...page.entries, ...(current?.entries ?? [])], next: current?.next ?? null, total: page.total }));
    setArrived(page.entries.length);
  });
  const refreshRun = refreshing.run;
  const refresh = useCallback(() => void refreshRun(applied, newest), [refreshRun, applied, newest]);
  useLiveRefresh(refresh);

  const more = useCommand(async (wanted: AuditFilter, before: number) => {
    const mine = generation.current;
    const page = await unwrap(carddesk().audit.query({ ...wanted, before, limit: PAGE }));
    if (mine === generation.current) setShown((current) => ({ entries: [...(current?.entries ?? []), ...page.entries], next: page.nextCursor, total: current?.total ?? null }));
  });
  const loadMore = (): void => {
    if (shown !== null && shown.next !== null) void more.run(applied, shown.next);
  };

  const exporting = useCommand(async (wanted: AuditFilter) => {
    const file = await unwrap(carddesk().audit.exportCsv(wanted));
    downloadText(file.fileName, file.csv, 'text/csv;charset=utf-8');
    setMessage(file.truncated ? t('accessHistory.export.truncated', { count: file.rows }) : t('accessHistory.export.done', { count: file.rows }));
  });
  const failure = loading.error ?? refreshing.error ?? more.error;

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
        <Button variant="outlined" startIcon={<DownloadIcon aria-hidden />} onClick={() => void exporting.run(filter)} disabled={exporting.busy} data-testid={accessHistoryTestIds.export}>
          {t('accessHistory.export.button')}
        </Button>
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('accessHistory.intro')}
      </Typography>
      <IntegrityBadge />
      <AuditFilters value={filters} onChange={setFilters} holder={holderFilter} operators={operators} />
      <CommandError error={exporting.error} sx={{ mb: 2 }} onClose={exporting.reset} />
      <CommandError error={failure} sx={{ mb: 2 }} />
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
            <AuditTable entries={shown.entries} onHolder={showHolder} operators={operators} />
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
