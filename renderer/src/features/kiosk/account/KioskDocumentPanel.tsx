import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Paper, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { DocumentView } from '@shared/schemas/account-contact';
import { carddesk, errorCodeOf } from '../../../api/carddesk';
import { readFileBase64 } from '../../../api/download';
import { useFormat } from '../../../i18n/format';
import { isSessionEnded, useKioskFlow } from '../KioskFlow';
import { kioskDocumentTestIds as ids } from './kioskAccountTestIds';

const touch = { minHeight: 56, px: 3, fontSize: '1.1rem' } as const;
const bigInput = { style: { fontSize: '1.3rem', minHeight: 48 } } as const;

/**
 * The holder's identity document at the kiosk: its expiry (warned from 60 days before), a
 * submission waiting for an operator, the last rejection's reason, and — where the kiosk takes
 * files — a new document with its scan.
 */
export function KioskDocumentPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const { call, status } = useKioskFlow();
  const [view, setView] = useState<DocumentView | null>(null);
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);
  const fail = useCallback(
    (error: unknown) => {
      if (!isSessionEnded(error)) setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(error)}`) });
    },
    [t],
  );
  useEffect(() => {
    call(carddesk().kiosk.document()).then(setView).catch(fail);
  }, [call, fail]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (file === null) return;
    setBusy(true);
    setMessage(null);
    readFileBase64(file)
      .then((scan) => call(carddesk().kiosk.submitDocument({ documentNumber: number, documentExpiry: expiry, scan })))
      .then((result) => {
        if (result.ok) {
          setView(result.document);
          setMessage({ severity: 'success', text: t('account.document.submitted') });
          setNumber('');
          setExpiry('');
          setFile(null);
        } else setMessage({ severity: 'error', text: t(`account.document.refused.${result.reason}`) });
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };

  return (
    <Paper variant="outlined" sx={{ p: 3 }} data-testid={ids.panel}>
      <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
        {t('account.document.title')}
      </Typography>
      {view !== null ? (
        <Box sx={{ display: 'grid', gap: 1.5, mb: 2 }}>
          <Typography variant="h6" component="p">
            {t('account.document.number')}: {view.documentNumber === '' ? t('account.document.none') : view.documentNumber}
          </Typography>
          <Typography variant="h6" component="p" data-testid={ids.expiry}>
            {t('account.document.expiry')}: {view.documentExpiry === null ? t('account.document.none') : format.date(view.documentExpiry, 'long')}
          </Typography>
          {view.expiresSoon && view.documentExpiry !== null ? (
            <Alert severity="warning" data-testid={ids.expiresSoon} sx={{ fontSize: '1.1rem' }}>
              {t('account.document.expiresSoon', { date: format.date(view.documentExpiry, 'long') })}
            </Alert>
          ) : null}
          {view.pending !== null ? (
            <Alert severity="info" data-testid={ids.pending} sx={{ fontSize: '1.1rem' }}>
              {t('account.document.pending', { number: view.pending.documentNumber, date: format.date(view.pending.documentExpiry, 'long'), when: format.dateTime(view.pending.submittedAt) })}
            </Alert>
          ) : view.last?.state === 'rejected' ? (
            <Alert severity="error" sx={{ fontSize: '1.1rem' }}>
              {t('account.document.lastRejected', { reason: view.last.reason ?? '' })}
            </Alert>
          ) : null}
        </Box>
      ) : null}
      {status?.filesAllowed === false ? (
        <Typography variant="body1">{t('account.document.refused.filesNotAllowed')}</Typography>
      ) : (
        <Box component="form" onSubmit={submit} sx={{ display: 'grid', gap: 2 }}>
          <Typography variant="h6" component="h3">
            {t('account.document.submit')}
          </Typography>
          <TextField label={t('account.document.number')} value={number} onChange={(e) => setNumber(e.target.value)} required slotProps={{ htmlInput: { ...bigInput, 'data-testid': ids.number } }} />
          <TextField label={t('account.document.expiry')} type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} required slotProps={{ inputLabel: { shrink: true }, htmlInput: { ...bigInput, 'data-testid': ids.expiryInput } }} />
          <Box>
            <Typography variant="body1" sx={{ mb: 1 }}>
              {t('account.document.scan')}
            </Typography>
            <Button component="label" variant="outlined" sx={touch}>
              {t('account.document.chooseFile')}
              <input hidden type="file" accept="application/pdf,image/png,image/jpeg" data-testid={ids.file} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Button>
            {file !== null ? <Typography sx={{ mt: 1 }}>{t('account.document.chosen', { name: file.name })}</Typography> : null}
          </Box>
          <Button type="submit" variant="contained" sx={touch} disabled={busy || file === null} data-testid={ids.submit}>
            {t('account.document.submit')}
          </Button>
        </Box>
      )}
      {message !== null ? (
        <Alert severity={message.severity} data-testid={ids.message} sx={{ mt: 2, fontSize: '1.1rem' }}>
          {message.text}
        </Alert>
      ) : null}
    </Paper>
  );
}
