import { useCallback, useEffect, useId, useState } from 'react';
import { Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControl, InputLabel, Link, MenuItem, Select, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { ExpiringCertificate } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { PagedTable, queryPage, type PagedColumn } from '../../components/PagedTable';
import { useVault } from '../vault';
import { CardWorkflowDialog } from './CardWorkflowDialog';
import { expiryWindows, type ExpiryWindow } from './labels';
import { lifecycleTestIds } from './testIds';

function windowColor(window: ExpiryWindow): 'error' | 'warning' | 'info' {
  return window <= 7 ? 'error' : window <= 30 ? 'warning' : 'info';
}

/**
 * Certificates that expire within 60, 30, 14 or 7 days, soonest first, with renewal from the row:
 * a certificate on a card is renewed with the card (new keys on it), any other is certified again.
 */
export function ExpiryWatch({ onChanged }: { onChanged?: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { withUnlocked } = useVault();
  const [within, setWithin] = useState<ExpiryWindow>(60);
  const [list, setList] = useState<ExpiringCertificate[] | null>(null);
  const [renewedBy, setRenewedBy] = useState<Record<string, string>>({});
  const [renewed, setRenewed] = useState<string | null>(null);
  const [renewingCard, setRenewingCard] = useState<string | null>(null);
  const [renewing, setRenewing] = useState<ExpiringCertificate | null>(null);
  const [page, setPage] = useState({ offset: 0, limit: 25 });
  const [generation, setGeneration] = useState(0);
  const rangeId = useId();
  const confirmId = useId();

  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
    onChanged?.();
  }, [onChanged]);

  const watching = useCommand(async (withinDays: ExpiryWindow) => {
    const found = await unwrap(carddesk().cards.expiring({ withinDays }));
    // A certificate renewed without a card stays valid until it expires: say it has a successor.
    const successors = await Promise.all(
      found
        .filter((certificate) => certificate.cardSerial === null)
        .map((certificate) =>
          unwrap(carddesk().certificates.get({ serial: certificate.serial }))
            .then((detail) => [certificate.serial, detail.renewedBy] as const)
            .catch(() => [certificate.serial, null] as const),
        ),
    );
    return { found, successors: Object.fromEntries(successors.filter((entry): entry is readonly [string, string] => entry[1] !== null)) };
  });
  const watch = watching.run;
  useEffect(() => {
    let current = true;
    void watch(within).then((loaded) => {
      if (!current || loaded === undefined) return;
      setRenewedBy(loaded.successors);
      setList(loaded.found);
    });
    return () => {
      current = false;
    };
  }, [within, generation, watch]);

  const renewal = useCommand(async (serial: string) => {
    const issued = await withUnlocked(() => unwrap(carddesk().certificates.renew({ serial, request: null })));
    setRenewed(issued.serial);
    setRenewing(null);
    reload();
  });
  const busy = renewal.busy;
  const renew = (): void => {
    if (renewing === null) return;
    setRenewed(null);
    void renewal.run(renewing.serial);
  };

  const counts = expiryWindows.map((window) => ({ window, count: (list ?? []).filter((certificate) => certificate.window === window).length }));
  const date = (iso: string) => format.date(iso);
  const columns: PagedColumn<ExpiringCertificate>[] = [
    { key: 'daysLeft', header: t('lifecycle.expiry.daysLeft'), cell: (certificate) => <Chip size="small" color={windowColor(certificate.window)} label={t('lifecycle.expiry.days', { days: certificate.daysLeft })} /> },
    { key: 'notAfter', header: t('certificates.fields.notAfter'), cell: (certificate) => date(certificate.notAfter) },
    {
      key: 'holder',
      header: t('certificates.fields.holder'),
      cell: (certificate) =>
        certificate.holderId === null ? (
          '—'
        ) : (
          <Link component={RouterLink} to={`/users/${certificate.holderId}`}>
            {certificate.holderName ?? certificate.holderId}
          </Link>
        ),
    },
    {
      key: 'card',
      header: t('lifecycle.expiry.card'),
      cell: (certificate) => certificate.cardSerial ?? t('lifecycle.expiry.noCard'),
      cellSx: (certificate) => ({ fontFamily: certificate.cardSerial === null ? undefined : 'monospace' }),
    },
    { key: 'profile', header: t('certificates.fields.profile'), cell: (certificate) => t(`certificates.profiles.${certificate.profile}`) },
    {
      key: 'serial',
      header: t('certificates.fields.serial'),
      cell: (certificate) => (
        <Link component={RouterLink} to={`/certificates/${certificate.serial}`} sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
          {certificate.serial}
        </Link>
      ),
    },
    {
      key: 'actions',
      header: t('common.actions'),
      hiddenHeader: true,
      cell: (certificate) => {
        const successor = renewedBy[certificate.serial];
        return successor !== undefined ? (
          <Link component={RouterLink} to={`/certificates/${successor}`}>
            {t('lifecycle.expiry.renewedBy')}
          </Link>
        ) : (
          <Button
            size="small"
            variant="outlined"
            onClick={() => (certificate.cardSerial === null ? setRenewing(certificate) : setRenewingCard(certificate.cardSerial))}
            aria-label={certificate.cardSerial === null ? t('lifecycle.expiry.renewLabel', { serial: certificate.serial }) : t('lifecycle.expiry.renewCardLabel', { card: certificate.cardSerial })}
            data-testid={lifecycleTestIds.expiryRenew(certificate.serial)}
          >
            {certificate.cardSerial === null ? t('lifecycle.expiry.renew') : t('lifecycle.expiry.renewCard')}
          </Button>
        );
      },
    },
  ];

  return (
    <Box data-testid={lifecycleTestIds.expiry}>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('lifecycle.expiry.intro')}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <FormControl sx={{ minWidth: 200 }}>
          <InputLabel id={rangeId}>{t('lifecycle.expiry.range')}</InputLabel>
          <Select labelId={rangeId} label={t('lifecycle.expiry.range')} value={within} onChange={(event) => {
              setWithin(Number(event.target.value) as ExpiryWindow);
              setPage((p) => ({ ...p, offset: 0 }));
            }} data-testid={lifecycleTestIds.expiryRange}>
            {expiryWindows.map((window) => (
              <MenuItem key={window} value={window}>
                {t('lifecycle.expiry.within', { days: window })}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Box component="ul" aria-label={t('lifecycle.expiry.levels')} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', listStyle: 'none', m: 0, p: 0 }}>
          {counts
            .filter(({ window }) => window <= within)
            .map(({ window, count }) => (
              <li key={window}>
                <Chip size="small" variant={count === 0 ? 'outlined' : 'filled'} color={count === 0 ? 'default' : windowColor(window)} label={t('lifecycle.expiry.level', { days: window, count })} data-testid={lifecycleTestIds.expiryCount} data-window={window} data-count={count} />
              </li>
            ))}
        </Box>
      </Box>
      <CommandError error={watching.error} />
      {renewed !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setRenewed(null)} data-testid={lifecycleTestIds.expiryMessage}>
          {t('lifecycle.expiry.renewed', { serial: renewed })}
        </Alert>
      ) : null}
      <CommandError error={renewal.error} sx={{ mb: 2 }} onClose={renewal.reset} testId={lifecycleTestIds.expiryMessage} />
      <PagedTable
        label={t('lifecycle.expiry.title')}
        columns={columns}
        rows={list?.slice(page.offset, page.offset + page.limit) ?? null}
        rowKey={(certificate) => certificate.serial}
        rowProps={(certificate) => ({ 'data-testid': lifecycleTestIds.expiryRow, 'data-serial': certificate.serial, 'data-window': certificate.window, 'data-card': certificate.cardSerial ?? '' })}
        page={queryPage(list?.length ?? 0, page, setPage)}
        empty={<Alert severity="success">{t('lifecycle.expiry.none', { days: within })}</Alert>}
      />

      <Dialog open={renewing !== null} onClose={() => setRenewing(null)} aria-labelledby={confirmId} maxWidth="sm" fullWidth>
        <DialogTitle id={confirmId}>{t('lifecycle.expiry.renewTitle')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('lifecycle.expiry.renewBody', { subject: renewing?.subject ?? '' })}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRenewing(null)}>{t('common.cancel')}</Button>
          <Button variant="contained" disabled={busy} onClick={renew} data-testid={lifecycleTestIds.expiryRenewConfirm}>
            {t('lifecycle.expiry.renew')}
          </Button>
        </DialogActions>
      </Dialog>
      {renewingCard !== null ? (
        <CardWorkflowDialog
          initial={{ kind: 'renew', reader: null, serial: renewingCard }}
          onClose={(changed) => {
            setRenewingCard(null);
            if (changed) reload();
          }}
        />
      ) : null}
    </Box>
  );
}
