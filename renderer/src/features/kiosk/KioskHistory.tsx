import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Box, Button, Chip, Paper, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '@shared/errors';
import type { AuditAction, AuditEntry, HolderSummary } from '@shared/schemas/audit';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { useFormat } from '../../i18n/format';
import { Fact } from './KioskHome';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { kioskTestIds } from './testIds';

const PAGE = 20;
const outcomes = ['all', 'success', 'failure'] as const;

/** A date field's day (local) as the instant it starts; nextDay gives the instant it ends. */
function dayStart(day: string, nextDay = false): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (nextDay ? 1 : 0)).toISOString();
}

/** The holder's own access history: totals, the last access, filters by dates and outcome, the list. */
export function KioskHistory() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const flow = useKioskFlow();
  const { call } = flow;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [outcome, setOutcome] = useState<(typeof outcomes)[number]>('all');
  const [summary, setSummary] = useState<HolderSummary | null>(null);
  const [shown, setShown] = useState<{ entries: AuditEntry[]; next: number | null }>({ entries: [], next: null });
  const [failure, setFailure] = useState<ErrorCode | null>(null);
  const generation = useRef(0);

  const args = useCallback(
    (before?: number) => {
      const start = dayStart(from);
      const end = dayStart(to, true);
      return {
        limit: PAGE,
        ...(start === undefined ? {} : { from: start }),
        ...(end === undefined ? {} : { to: end }),
        ...(outcome === 'all' ? {} : { outcome }),
        ...(before === undefined ? {} : { before }),
      };
    },
    [from, to, outcome],
  );

  useEffect(() => {
    const mine = ++generation.current;
    call(carddesk().kiosk.history(args()))
      .then((value) => {
        if (mine !== generation.current) return;
        setSummary(value);
        setShown({ entries: value.entries, next: value.nextCursor });
        setFailure(null);
      })
      .catch((error: unknown) => {
        if (mine === generation.current && !isSessionEnded(error)) setFailure(errorCodeOf(error));
      });
  }, [args, call]);

  const more = (): void => {
    if (shown.next === null) return;
    const mine = generation.current;
    call(carddesk().kiosk.history(args(shown.next)))
      .then((value) => {
        if (mine === generation.current) setShown((current) => ({ entries: [...current.entries, ...value.entries], next: value.nextCursor }));
      })
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setFailure(errorCodeOf(error));
      });
  };

  const actionName = (name: string): string => {
    const key = `accessHistory.actions.${name as AuditAction}` as const;
    // An action from a newer CardDesk has no words here yet: its name is shown as it is.
    return i18n.exists(key) ? (t(key) as string) : name;
  };
  const dateField = { minWidth: 220, '& input': { minHeight: 40, fontSize: '1.15rem' } } as const;

  return (
    <Box sx={{ display: 'grid', gap: 3 }}>
      {summary !== null ? (
        <Paper variant="outlined" sx={{ p: 3, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, 1fr)' } }}>
          <Fact label={t('kiosk.history.total')} value={format.number(summary.total)} testId={kioskTestIds.historyTotal} />
          <Fact label={t('kiosk.history.successful')} value={format.number(summary.successful)} testId={kioskTestIds.historySuccessful} />
          <Fact label={t('kiosk.history.failed')} value={format.number(summary.failed)} testId={kioskTestIds.historyFailed} />
          <Fact label={t('kiosk.history.last')} value={summary.lastAccess === null ? t('kiosk.history.never') : format.dateTime(summary.lastAccess)} testId={kioskTestIds.historyLast} />
        </Paper>
      ) : null}
      <Box role="group" aria-label={t('kiosk.history.filters')} sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField type="date" label={t('kiosk.history.from')} value={from} onChange={(event) => setFrom(event.target.value)} sx={dateField} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': kioskTestIds.historyFrom } }} />
        <TextField type="date" label={t('kiosk.history.to')} value={to} onChange={(event) => setTo(event.target.value)} sx={dateField} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': kioskTestIds.historyTo } }} />
        <Box role="radiogroup" aria-label={t('kiosk.history.outcome')} sx={{ display: 'flex', gap: 1 }}>
          {outcomes.map((name) => (
            <Button key={name} role="radio" aria-checked={outcome === name} variant={outcome === name ? 'contained' : 'outlined'} data-testid={kioskTestIds.historyOutcome(name)} onClick={() => setOutcome(name)} sx={{ minHeight: 56, px: 3, fontSize: '1.05rem' }}>
              {t(`kiosk.history.outcomes.${name}`)}
            </Button>
          ))}
        </Box>
      </Box>
      {failure !== null ? <Alert severity="error">{t(`errors.${failure}`)}</Alert> : null}
      {summary !== null && shown.entries.length === 0 ? <Typography variant="h6">{t('kiosk.history.empty')}</Typography> : null}
      <Box component="ol" aria-label={t('kiosk.history.list')} sx={{ listStyle: 'none', p: 0, m: 0, display: 'grid', gap: 1 }}>
        {shown.entries.map((entry) => (
          <Paper component="li" key={entry.seq} variant="outlined" data-testid={kioskTestIds.historyEntry} data-outcome={entry.outcome} sx={{ p: 2, display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography sx={{ minWidth: 200 }}>{format.dateTime(entry.time)}</Typography>
            <Typography variant="h6" component="span" sx={{ flex: 1 }}>
              {actionName(entry.action)}
            </Typography>
            <Chip label={t(`accessHistory.outcomes.${entry.outcome}`)} color={entry.outcome === 'success' ? 'success' : 'error'} variant="outlined" />
          </Paper>
        ))}
      </Box>
      {shown.next !== null ? (
        <Button variant="outlined" data-testid={kioskTestIds.historyMore} onClick={more} sx={{ minHeight: 56, fontSize: '1.1rem', justifySelf: 'start', px: 4 }}>
          {t('kiosk.history.more')}
        </Button>
      ) : null}
    </Box>
  );
}
