import { useCallback, useEffect, useRef, useState } from 'react';
import { Box, Button, Chip, MenuItem, Paper, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import type { AuditEntry, AuditOutcome, HolderSummary } from '@shared/schemas/audit';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { dayStart, useAuditWords } from './auditFormat';
import { EventText } from './EventText';
import { accessHistoryTestIds } from './testIds';
import { useLiveRefresh } from './useLiveRefresh';

const PAGE = 25;

interface Filters {
  from: string;
  to: string;
  outcome: AuditOutcome | '';
}

/**
 * One holder's access history, as InfoCert's SelfCare shows it: how many accesses, the last one,
 * how many succeeded and failed, and the list, filtered by dates and outcome; updated live.
 * Made for the holder detail at the desk and, later, the holder's own kiosk screen.
 */
export function HolderAccessHistory({ holderId, showHeading = true }: { holderId: string; showHeading?: boolean }) {
  const { t, action, time } = useAuditWords();
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', outcome: '' });
  const [summary, setSummary] = useState<HolderSummary | null>(null);
  /** The entries shown (the first page and any loaded after it), and the cursor for the next. */
  const [shown, setShown] = useState<{ entries: AuditEntry[]; next: number | null }>({ entries: [], next: null });
  const generation = useRef(0);

  const args = useCallback(
    (before?: number) => {
      const from = dayStart(filters.from);
      const to = dayStart(filters.to, true);
      return {
        holderId,
        limit: PAGE,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(filters.outcome === '' ? {} : { outcome: filters.outcome }),
        ...(before === undefined ? {} : { before }),
      };
    },
    [holderId, filters],
  );

  // `generation` drops pages that arrive after the filters changed (or a newer reload started).
  const loading = useCommand(async (wanted: ReturnType<typeof args>) => {
    const mine = ++generation.current;
    const value = await unwrap(carddesk().audit.holderSummary(wanted));
    if (mine !== generation.current) return;
    setSummary(value);
    setShown({ entries: value.entries, next: value.nextCursor });
  });
  const get = loading.run;
  const load = useCallback(() => void get(args()), [get, args]);

  useEffect(load, [load]);
  useLiveRefresh(load);

  const { entries, next } = shown;
  const more = useCommand(async (wanted: ReturnType<typeof args>) => {
    const mine = generation.current;
    const value = await unwrap(carddesk().audit.holderSummary(wanted));
    if (mine === generation.current) setShown((current) => ({ entries: [...current.entries, ...value.entries], next: value.nextCursor }));
  });
  const loadMore = (): void => {
    if (next !== null) void more.run(args(next));
  };
  const set = (patch: Partial<Filters>): void => setFilters((current) => ({ ...current, ...patch }));
  const pending = '…';
  const facts = [
    { key: 'total', testId: accessHistoryTestIds.holderTotal, value: String(summary?.total ?? pending) },
    { key: 'lastAccess', testId: accessHistoryTestIds.holderLast, value: summary === null ? pending : summary.lastAccess === null ? t('accessHistory.holder.never') : time(summary.lastAccess) },
    { key: 'successful', testId: accessHistoryTestIds.holderSuccessful, value: String(summary?.successful ?? pending) },
    { key: 'failed', testId: accessHistoryTestIds.holderFailed, value: String(summary?.failed ?? pending) },
  ] as const;

  return (
    <Box data-testid={accessHistoryTestIds.holderHistory} data-holder-id={holderId}>
      {showHeading ? (
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {t('accessHistory.holder.title')}
        </Typography>
      ) : null}
      <CommandError error={loading.error ?? more.error} sx={{ mb: 2 }} />
      <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, auto 1fr)' }, columnGap: 2, rowGap: 1, alignItems: 'baseline' }}>
          {facts.map(({ key, testId, value }) => (
            <Box key={key} sx={{ display: 'contents' }}>
              <Typography component="dt" color="text.secondary">
                {t(`accessHistory.holder.${key}`)}
              </Typography>
              <Typography component="dd" sx={{ m: 0, fontWeight: 500 }} data-testid={testId}>
                {value}
              </Typography>
            </Box>
          ))}
        </Box>
      </Paper>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mb: 2 }}>
        <TextField type="date" size="small" label={t('accessHistory.filters.from')} value={filters.from} onChange={(e) => set({ from: e.target.value })} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': accessHistoryTestIds.holderFrom } }} />
        <TextField type="date" size="small" label={t('accessHistory.filters.to')} value={filters.to} onChange={(e) => set({ to: e.target.value })} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': accessHistoryTestIds.holderTo } }} />
        <TextField
          select
          size="small"
          sx={{ minWidth: 180 }}
          label={t('accessHistory.filters.outcome')}
          value={filters.outcome}
          onChange={(e) => set({ outcome: e.target.value as Filters['outcome'] })}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': accessHistoryTestIds.holderOutcome } as object } }}
        >
          <MenuItem value="">{t('accessHistory.filters.anyOutcome')}</MenuItem>
          <MenuItem value="success">{t('accessHistory.outcomes.success')}</MenuItem>
          <MenuItem value="failure">{t('accessHistory.outcomes.failure')}</MenuItem>
        </TextField>
      </Box>
      {summary !== null && entries.length === 0 ? (
        <Typography color="text.secondary">{t('accessHistory.holder.none')}</Typography>
      ) : (
        // Long details (hashes, file names) wrap inside their cell; the table never widens the page.
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label={t('accessHistory.holder.listLabel')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('accessHistory.columns.time')}</TableCell>
                <TableCell>{t('accessHistory.columns.action')}</TableCell>
                <TableCell>{t('accessHistory.columns.outcome')}</TableCell>
                <TableCell>{t('accessHistory.columns.channel')}</TableCell>
                <TableCell>{t('accessHistory.columns.actor')}</TableCell>
                <TableCell>{t('accessHistory.columns.details')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {entries.map((entry) => (
                <TableRow key={entry.seq} data-testid={accessHistoryTestIds.holderRow} data-seq={entry.seq} data-outcome={entry.outcome}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{time(entry.time)}</TableCell>
                  <TableCell>{action(entry.action)}</TableCell>
                  <TableCell>
                    <Chip size="small" variant="outlined" color={entry.outcome === 'success' ? 'success' : 'error'} label={t(`accessHistory.outcomes.${entry.outcome}`)} />
                  </TableCell>
                  <TableCell>{t(`accessHistory.channels.${entry.channel}`)}</TableCell>
                  <TableCell>{t(`accessHistory.actorKinds.${entry.actor.kind}`)}</TableCell>
                  <TableCell sx={{ overflowWrap: 'anywhere', minWidth: 220 }}>
                    <EventText entry={entry} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      {next !== null ? (
        <Button sx={{ mt: 1 }} onClick={loadMore} data-testid={accessHistoryTestIds.holderLoadMore}>
          {t('accessHistory.loadMore')}
        </Button>
      ) : null}
    </Box>
  );
}
