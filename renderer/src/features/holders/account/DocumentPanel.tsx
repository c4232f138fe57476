import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { DocumentView } from '@shared/schemas/account-contact';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, errorCodeOf, unwrap } from '../../../api/carddesk';
import { readFileBase64, saveDownload } from '../../../api/download';
import { useFormat } from '../../../i18n/format';
import { documentTestIds } from './contactTestIds';

type Message = { severity: 'success' | 'error'; text: string } | null;

/** The form to submit a new document (number, expiry, scan): the desk's, and the kiosk's panel reuses its shape. */
function SubmitDialog({ open, onClose, onSubmitted, holderId }: { open: boolean; onClose: () => void; onSubmitted: (view: DocumentView) => void; holderId: string }) {
  const { t } = useTranslation();
  const titleId = useId();
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (file === null) return;
    setBusy(true);
    setError(null);
    readFileBase64(file)
      .then((scan) => unwrap(carddesk().account.submitDocument({ id: holderId, documentNumber: number, documentExpiry: expiry, scan })))
      .then((result) => {
        if (result.ok) {
          onSubmitted(result.document);
          setNumber('');
          setExpiry('');
          setFile(null);
        } else setError(t(`account.document.refused.${result.reason}`));
      })
      .catch((e: unknown) => setError(t(`errors.${errorCodeOf(e)}`)))
      .finally(() => setBusy(false));
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <form onSubmit={submit}>
        <DialogTitle id={titleId}>{t('account.document.submitFor')}</DialogTitle>
        <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
          <TextField label={t('account.document.number')} value={number} onChange={(e) => setNumber(e.target.value)} required slotProps={{ htmlInput: { 'data-testid': documentTestIds.submitNumber } }} />
          <TextField label={t('account.document.expiry')} type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} required slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': documentTestIds.submitExpiry } }} />
          <Box>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {t('account.document.scan')}
            </Typography>
            <Button component="label" variant="outlined">
              {t('account.document.chooseFile')}
              <input hidden type="file" accept="application/pdf,image/png,image/jpeg" data-testid={documentTestIds.submitFile} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Button>
            {file !== null ? <Typography variant="body2" sx={{ mt: 1 }}>{t('account.document.chosen', { name: file.name })}</Typography> : null}
          </Box>
          {error !== null ? <Alert severity="error" data-testid={documentTestIds.message}>{error}</Alert> : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy || file === null} data-testid={documentTestIds.submitSave}>
            {t('account.document.submit')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/**
 * The holder's identity document at the desk: number and expiry (warned from 60 days before), a
 * submission waiting for approval with its scan, approve or reject with a reason, and a new
 * submission made for the holder.
 */
export function DocumentPanel({ holder, onChanged }: { holder: Holder; onChanged: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const headingId = useId();
  const rejectTitle = useId();
  const [view, setView] = useState<DocumentView | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [submitOpen, setSubmitOpen] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const fail = useCallback((e: unknown) => setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(e)}`) }), [t]);

  const load = useCallback(() => {
    unwrap(carddesk().account.document({ id: holder.id })).then(setView).catch(fail);
  }, [holder.id, fail]);
  useEffect(load, [load, holder.version]);

  const decided = (next: DocumentView, text: string): void => {
    setView(next);
    setMessage({ severity: 'success', text });
    onChanged();
  };
  const pending = view?.pending ?? null;

  return (
    <Box data-testid={documentTestIds.panel} component="section" aria-labelledby={headingId}>
      <Typography id={headingId} variant="subtitle1" component="h3" sx={{ fontWeight: 600, mb: 1 }}>
        {t('account.document.title')}
      </Typography>
      {view === null ? null : (
        <Box sx={{ display: 'grid', gap: 1 }}>
          <Typography>
            {t('account.document.number')}: <span data-testid={documentTestIds.number}>{view.documentNumber === '' ? t('account.document.none') : view.documentNumber}</span>
          </Typography>
          <Typography>
            {t('account.document.expiry')}: <span data-testid={documentTestIds.expiry}>{view.documentExpiry === null ? t('account.document.none') : format.date(view.documentExpiry, 'long')}</span>
          </Typography>
          {view.expiresSoon && view.documentExpiry !== null ? (
            <Alert severity="warning" data-testid={documentTestIds.expiresSoon}>
              {t('account.document.expiresSoon', { date: format.date(view.documentExpiry, 'long') })}
            </Alert>
          ) : null}
          {pending !== null ? (
            <Alert severity="info" data-testid={documentTestIds.pending} data-submission={pending.id}>
              {t('account.document.pending', { number: pending.documentNumber, date: format.date(pending.documentExpiry, 'long'), when: format.dateTime(pending.submittedAt) })}
              <Box sx={{ display: 'flex', gap: 1, mt: 1, flexWrap: 'wrap' }}>
                <Button size="small" variant="outlined" data-testid={documentTestIds.viewScan} onClick={() => void unwrap(carddesk().account.documentScan({ submission: pending.id })).then(saveDownload).catch(fail)}>
                  {t('account.document.viewScan')}
                </Button>
                <Button size="small" variant="contained" color="success" data-testid={documentTestIds.approve} onClick={() => void unwrap(carddesk().account.approveDocument({ submission: pending.id })).then((next) => decided(next, t('account.document.approved'))).catch(fail)}>
                  {t('account.document.approve')}
                </Button>
                <Button size="small" variant="outlined" color="error" data-testid={documentTestIds.reject} onClick={() => setRejecting(true)}>
                  {t('account.document.reject')}
                </Button>
              </Box>
            </Alert>
          ) : null}
          {pending === null && view.last?.state === 'rejected' ? (
            <Typography variant="body2" data-testid={documentTestIds.lastRejected}>
              {t('account.document.lastRejected', { reason: view.last.reason ?? '' })}
            </Typography>
          ) : null}
        </Box>
      )}
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mt: 1 }} data-testid={documentTestIds.message}>
          {message.text}
        </Alert>
      ) : null}
      <Button sx={{ mt: 1 }} variant="outlined" onClick={() => setSubmitOpen(true)} data-testid={documentTestIds.submit}>
        {t('account.document.submitFor')}
      </Button>
      <SubmitDialog
        open={submitOpen}
        holderId={holder.id}
        onClose={() => setSubmitOpen(false)}
        onSubmitted={(next) => {
          setSubmitOpen(false);
          decided(next, t('account.document.submitted'));
        }}
      />
      <Dialog open={rejecting} onClose={() => setRejecting(false)} aria-labelledby={rejectTitle} fullWidth maxWidth="sm">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (pending === null) return;
            void unwrap(carddesk().account.rejectDocument({ submission: pending.id, reason }))
              .then((next) => {
                setRejecting(false);
                setReason('');
                decided(next, t('account.document.rejected'));
              })
              .catch(fail);
          }}
        >
          <DialogTitle id={rejectTitle}>{t('account.document.reject')}</DialogTitle>
          <DialogContent sx={{ pt: '8px !important' }}>
            <TextField fullWidth label={t('account.document.rejectReason')} value={reason} onChange={(e) => setReason(e.target.value)} required multiline minRows={2} slotProps={{ htmlInput: { 'data-testid': documentTestIds.rejectReason, minLength: 3, maxLength: 500 } }} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setRejecting(false)}>{t('common.cancel')}</Button>
            <Button type="submit" variant="contained" color="error" disabled={reason.trim().length < 3} data-testid={documentTestIds.rejectConfirm}>
              {t('account.document.reject')}
            </Button>
          </DialogActions>
        </form>
      </Dialog>
    </Box>
  );
}
