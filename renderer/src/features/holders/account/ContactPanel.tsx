import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ContactField, ContactView } from '@shared/schemas/account-contact';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, errorCodeOf, unwrap } from '../../../api/carddesk';
import { useFormat } from '../../../i18n/format';
import { contactTestIds } from './contactTestIds';

/**
 * The holder's email and mobile at the desk, each with its verified flag, the cooldown after a
 * change, and an operator's change with a reason (recorded; no codes; it starts the cooldown).
 */
export function ContactPanel({ holder, onChanged }: { holder: Holder; onChanged: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [view, setView] = useState<ContactView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [field, setField] = useState<ContactField>('email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const titleId = useId();

  const load = useCallback(() => {
    unwrap(carddesk().account.contact({ id: holder.id }))
      .then(setView)
      .catch((e: unknown) => setError(t(`errors.${errorCodeOf(e)}`)));
  }, [holder.id, t]);
  useEffect(load, [load, holder.version]);

  const save = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    unwrap(carddesk().account.changeContact({ id: holder.id, field, value, reason }))
      .then((next) => {
        setView(next);
        setOpen(false);
        setValue('');
        setReason('');
        onChanged();
      })
      .catch((e: unknown) => setError(t(`errors.${errorCodeOf(e)}`)))
      .finally(() => setBusy(false));
  };

  const row = (name: ContactField, verified: boolean, testId: string, chipId: string) => (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
      <Typography sx={{ minWidth: 96 }} color="text.secondary">
        {t(`account.contact.fields.${name}`)}
      </Typography>
      <Typography data-testid={testId}>{view?.[name] === '' || view === null ? t('account.contact.none') : view[name]}</Typography>
      {view !== null && view[name] !== '' ? (
        <Chip size="small" color={verified ? 'success' : 'default'} variant={verified ? 'filled' : 'outlined'} label={verified ? t('account.contact.verified') : t('account.contact.notVerified')} data-testid={chipId} data-verified={verified} />
      ) : null}
    </Box>
  );

  return (
    <Box data-testid={contactTestIds.panel} component="section" aria-labelledby={`${titleId}-h`}>
      <Typography id={`${titleId}-h`} variant="subtitle1" component="h3" sx={{ fontWeight: 600, mb: 1 }}>
        {t('account.contact.title')}
      </Typography>
      {view === null ? null : (
        <Box sx={{ display: 'grid', gap: 1 }}>
          {row('email', view.emailVerified, contactTestIds.email, contactTestIds.emailVerified)}
          {row('mobile', view.mobileVerified, contactTestIds.mobile, contactTestIds.mobileVerified)}
          <Typography variant="body2" data-testid={contactTestIds.cooldown} data-until={view.cooldownUntil ?? ''}>
            {view.cooldownUntil === null ? t('account.contact.cooldownNone') : t('account.contact.cooldownUntil', { date: format.dateTime(view.cooldownUntil, { style: 'long' }) })}
          </Typography>
        </Box>
      )}
      {error !== null && !open ? (
        <Alert severity="error" sx={{ mt: 1 }} data-testid={contactTestIds.error}>
          {error}
        </Alert>
      ) : null}
      <Button sx={{ mt: 1 }} variant="outlined" onClick={() => setOpen(true)} data-testid={contactTestIds.change}>
        {t('account.contact.operatorChange')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby={titleId} fullWidth maxWidth="sm">
        <form onSubmit={save}>
          <DialogTitle id={titleId}>{t('account.contact.operatorChange')}</DialogTitle>
          <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
            <TextField select label={t('account.contact.field')} value={field} onChange={(e) => setField(e.target.value as ContactField)} slotProps={{ htmlInput: { 'data-testid': contactTestIds.field } }}>
              <MenuItem value="email">{t('account.contact.fields.email')}</MenuItem>
              <MenuItem value="mobile">{t('account.contact.fields.mobile')}</MenuItem>
            </TextField>
            <TextField label={t('account.contact.newValue')} value={value} onChange={(e) => setValue(e.target.value)} required autoFocus slotProps={{ htmlInput: { 'data-testid': contactTestIds.value } }} />
            <TextField label={t('account.contact.reason')} value={reason} onChange={(e) => setReason(e.target.value)} required multiline minRows={2} slotProps={{ htmlInput: { 'data-testid': contactTestIds.reason, minLength: 3, maxLength: 500 } }} />
            {error !== null ? (
              <Alert severity="error" data-testid={contactTestIds.error}>
                {error}
              </Alert>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            <Button type="submit" variant="contained" disabled={busy || reason.trim().length < 3 || value.trim() === ''} data-testid={contactTestIds.save}>
              {t('account.contact.save')}
            </Button>
          </DialogActions>
        </form>
      </Dialog>
    </Box>
  );
}
