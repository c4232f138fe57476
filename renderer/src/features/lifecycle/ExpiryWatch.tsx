import { useCallback, useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  InputLabel,
  Link,
  MenuItem,
  Paper,
  Select,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { Link as RouterLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { ExpiringCertificate } from '@shared/schemas/lifecycle';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { visuallyHidden } from '../../components/visuallyHidden';
import { useVault } from '../vault';
import { CardWorkflowDialog } from './CardWorkflowDialog';
import { expiryWindows, type ExpiryWindow } from './labels';
import { lifecycleTestIds } from './testIds';

function windowColor(window: ExpiryWindow): 'error' | 'warning' | 'info' {
  return window <= 7 ? 'error' : window <= 30 ? 'warning' : 'info';
}

type Message = { severity: 'success' | 'error'; text: string };

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
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [renewingCard, setRenewingCard] = useState<string | null>(null);
  const [renewing, setRenewing] = useState<ExpiringCertificate | null>(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const rangeId = useId();
  const confirmId = useId();

  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
    onChanged?.();
  }, [onChanged]);

  useEffect(() => {
    let current = true;
    unwrap(carddesk().cards.expiring({ withinDays: within }))
      .then(async (found) => {
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
        if (!current) return;
        setRenewedBy(Object.fromEntries(successors.filter((entry): entry is readonly [string, string] => entry[1] !== null)));
        setList(found);
        setFailure(null);
      })
      .catch((error: unknown) => current && setFailure(t(`errors.${errorCodeOf(error)}`)));
    return () => {
      current = false;
    };
  }, [within, generation, t]);

  const renew = (): void => {
    if (renewing === null) return;
    const { serial } = renewing;
    setBusy(true);
    withUnlocked(() => unwrap(carddesk().certificates.renew({ serial, request: null })))
      .then((issued) => {
        setMessage({ severity: 'success', text: t('lifecycle.expiry.renewed', { serial: issued.serial }) });
        setRenewing(null);
        reload();
      })
      .catch((error: unknown) => setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(error)}`) }))
      .finally(() => setBusy(false));
  };

  const counts = expiryWindows.map((window) => ({ window, count: (list ?? []).filter((certificate) => certificate.window === window).length }));
  const date = (iso: string) => format.date(iso);

  return (
    <Box data-testid={lifecycleTestIds.expiry}>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('lifecycle.expiry.intro')}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <FormControl sx={{ minWidth: 200 }}>
          <InputLabel id={rangeId}>{t('lifecycle.expiry.range')}</InputLabel>
          <Select labelId={rangeId} label={t('lifecycle.expiry.range')} value={within} onChange={(event) => setWithin(Number(event.target.value) as ExpiryWindow)} data-testid={lifecycleTestIds.expiryRange}>
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
      {failure !== null ? <Alert severity="error">{failure}</Alert> : null}
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid={lifecycleTestIds.expiryMessage}>
          {message.text}
        </Alert>
      ) : null}
      {list !== null && list.length === 0 ? <Alert severity="success">{t('lifecycle.expiry.none', { days: within })}</Alert> : null}
      {list !== null && list.length > 0 ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label={t('lifecycle.expiry.title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('lifecycle.expiry.daysLeft')}</TableCell>
                <TableCell>{t('certificates.fields.notAfter')}</TableCell>
                <TableCell>{t('certificates.fields.holder')}</TableCell>
                <TableCell>{t('lifecycle.expiry.card')}</TableCell>
                <TableCell>{t('certificates.fields.profile')}</TableCell>
                <TableCell>{t('certificates.fields.serial')}</TableCell>
                <TableCell>
                  <Box component="span" sx={visuallyHidden}>
                    {t('common.actions')}
                  </Box>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.map((certificate) => {
                const successor = renewedBy[certificate.serial];
                return (
                  <TableRow key={certificate.serial} data-testid={lifecycleTestIds.expiryRow} data-serial={certificate.serial} data-window={certificate.window} data-card={certificate.cardSerial ?? ''}>
                    <TableCell>
                      <Chip size="small" color={windowColor(certificate.window)} label={t('lifecycle.expiry.days', { days: certificate.daysLeft })} />
                    </TableCell>
                    <TableCell>{date(certificate.notAfter)}</TableCell>
                    <TableCell>
                      {certificate.holderId === null ? (
                        '—'
                      ) : (
                        <Link component={RouterLink} to={`/users/${certificate.holderId}`}>
                          {certificate.holderName ?? certificate.holderId}
                        </Link>
                      )}
                    </TableCell>
                    <TableCell sx={{ fontFamily: certificate.cardSerial === null ? undefined : 'monospace' }}>{certificate.cardSerial ?? t('lifecycle.expiry.noCard')}</TableCell>
                    <TableCell>{t(`certificates.profiles.${certificate.profile}`)}</TableCell>
                    <TableCell>
                      <Link component={RouterLink} to={`/certificates/${certificate.serial}`} sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                        {certificate.serial}
                      </Link>
                    </TableCell>
                    <TableCell>
                      {successor !== undefined ? (
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
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}

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
