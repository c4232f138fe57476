import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Chip, Paper, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ContactBeginResult, ContactField, ContactRefusal, ContactView } from '@shared/schemas/account-contact';
import { carddesk, errorCodeOf } from '../../../api/carddesk';
import { useFormat } from '../../../i18n/format';
import { isSessionEnded, useKioskFlow } from '../KioskFlow';
import { kioskContactTestIds as ids } from './kioskAccountTestIds';

const touch = { minHeight: 56, px: 3, fontSize: '1.1rem' } as const;
const bigInput = { style: { fontSize: '1.4rem', minHeight: 48 } } as const;

type Step = { kind: 'view' } | { kind: 'enter'; field: ContactField } | { kind: 'codes'; field: ContactField; sent: Extract<ContactBeginResult, { ok: true }>; verify: boolean };

/**
 * The holder's own email and mobile at the kiosk: verified chips, the cooldown's end, a change
 * confirmed with a code to the old and one to the new address (and the authenticator's code when
 * one is enrolled), and the verification of an address on record.
 */
export function KioskContactPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const { call } = useKioskFlow();
  const [view, setView] = useState<ContactView | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'view' });
  const [value, setValue] = useState('');
  const [oldCode, setOldCode] = useState('');
  const [newCode, setNewCode] = useState('');
  const [factorCode, setFactorCode] = useState('');
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (error: unknown) => {
      if (!isSessionEnded(error)) setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(error)}`) });
    },
    [t],
  );
  useEffect(() => {
    call(carddesk().kiosk.contact()).then(setView).catch(fail);
  }, [call, fail]);

  const refusal = (reason: ContactRefusal, until: string | null): string =>
    reason === 'cooldown' && until !== null ? t('account.contact.refused.cooldown', { date: format.date(until, 'long') }) : t(`account.contact.refused.${reason}`, { date: '' });

  const reset = (): void => {
    setStep({ kind: 'view' });
    setValue('');
    setOldCode('');
    setNewCode('');
    setFactorCode('');
  };

  const begin = (event: FormEvent): void => {
    event.preventDefault();
    if (step.kind !== 'enter') return;
    setBusy(true);
    setMessage(null);
    call(carddesk().kiosk.contactChangeBegin({ field: step.field, value }))
      .then((result) => {
        if (result.ok) setStep({ kind: 'codes', field: step.field, sent: result, verify: false });
        else setMessage({ severity: 'error', text: refusal(result.reason, result.until) });
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };

  const verify = (field: ContactField): void => {
    setBusy(true);
    setMessage(null);
    call(carddesk().kiosk.contactVerifyBegin({ field }))
      .then((result) => {
        if (result.ok) setStep({ kind: 'codes', field, sent: result, verify: true });
        else setMessage({ severity: 'error', text: refusal(result.reason, result.until) });
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };

  const confirm = (event: FormEvent): void => {
    event.preventDefault();
    if (step.kind !== 'codes') return;
    setBusy(true);
    setMessage(null);
    const answer = step.verify
      ? call(carddesk().kiosk.contactVerifyConfirm({ field: step.field, code: newCode }))
      : call(carddesk().kiosk.contactChangeConfirm({ field: step.field, oldCode, newCode, secondFactorCode: factorCode }));
    answer
      .then((result) => {
        if (result.ok) {
          setView(result.contact);
          setMessage({ severity: 'success', text: step.verify ? t('account.contact.verifiedDone') : t('account.contact.done') });
          reset();
        } else {
          setMessage({ severity: 'error', text: refusal(result.reason, result.until) });
          // A sent code leaves the page either way: the holder types the codes again.
          setOldCode('');
          setNewCode('');
          setFactorCode('');
          if (result.reason === 'expired' || result.reason === 'exhausted' || result.reason === 'noPendingChange' || result.reason === 'cooldown') reset();
        }
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };

  const row = (field: ContactField) => {
    if (view === null) return null;
    const verified = field === 'email' ? view.emailVerified : view.mobileVerified;
    return (
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="h6" component="p" sx={{ minWidth: 120 }}>
          {t(`account.contact.fields.${field}`)}
        </Typography>
        <Typography variant="h6" component="p" data-testid={field === 'email' ? ids.email : ids.mobile}>
          {view[field] === '' ? t('account.contact.none') : view[field]}
        </Typography>
        {view[field] !== '' ? <Chip color={verified ? 'success' : 'default'} label={verified ? t('account.contact.verified') : t('account.contact.notVerified')} /> : null}
        <Box sx={{ flex: 1 }} />
        {view[field] !== '' && !verified ? (
          <Button variant="outlined" sx={touch} disabled={busy || step.kind !== 'view'} onClick={() => verify(field)} data-testid={ids.verify(field)}>
            {t('account.contact.verify')}
          </Button>
        ) : null}
        <Button variant="contained" sx={touch} disabled={busy || step.kind !== 'view'} onClick={() => setStep({ kind: 'enter', field })} data-testid={ids.change(field)}>
          {t('account.contact.change')}
        </Button>
      </Box>
    );
  };

  return (
    <Paper variant="outlined" sx={{ p: 3 }} data-testid={ids.panel}>
      <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
        {t('account.contact.title')}
      </Typography>
      <Box sx={{ display: 'grid', gap: 2 }}>
        {row('email')}
        {row('mobile')}
        {view !== null ? (
          <Typography variant="body1" data-testid={ids.cooldown}>
            {view.cooldownUntil === null ? t('account.contact.cooldownNone') : t('account.contact.cooldownUntil', { date: format.date(view.cooldownUntil, 'long') })}
          </Typography>
        ) : null}
        {step.kind === 'enter' ? (
          <Box component="form" onSubmit={begin} sx={{ display: 'grid', gap: 2 }}>
            <TextField
              label={step.field === 'email' ? t('account.contact.newEmail') : t('account.contact.newMobile')}
              type={step.field === 'email' ? 'email' : 'tel'}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              required
              autoFocus
              slotProps={{ htmlInput: { ...bigInput, 'data-testid': ids.newValue } }}
            />
            <Box sx={{ display: 'flex', gap: 2 }}>
              <Button type="submit" variant="contained" sx={touch} disabled={busy || value.trim() === ''} data-testid={ids.sendCodes}>
                {t('account.contact.sendCodes')}
              </Button>
              <Button variant="text" sx={touch} onClick={reset}>
                {t('common.cancel')}
              </Button>
            </Box>
          </Box>
        ) : null}
        {step.kind === 'codes' ? (
          <Box component="form" onSubmit={confirm} sx={{ display: 'grid', gap: 2 }}>
            <Alert severity="info" data-testid={ids.sent} sx={{ fontSize: '1.1rem' }}>
              {step.verify
                ? t('account.contact.verifySent', { to: step.sent.newSentTo })
                : step.sent.oldSentTo === null
                  ? t('account.contact.codesSentNew', { new: step.sent.newSentTo })
                  : t('account.contact.codesSentBoth', { old: step.sent.oldSentTo, new: step.sent.newSentTo })}
            </Alert>
            {!step.verify && step.sent.oldSentTo !== null ? (
              <TextField label={t('account.contact.oldCode', { to: step.sent.oldSentTo })} value={oldCode} onChange={(e) => setOldCode(e.target.value)} required autoComplete="one-time-code" slotProps={{ htmlInput: { ...bigInput, inputMode: 'numeric', 'data-testid': ids.oldCode } }} />
            ) : null}
            <TextField label={t('account.contact.newCode', { to: step.sent.newSentTo })} value={newCode} onChange={(e) => setNewCode(e.target.value)} required autoComplete="one-time-code" slotProps={{ htmlInput: { ...bigInput, inputMode: 'numeric', 'data-testid': ids.newCode } }} />
            {!step.verify && step.sent.secondFactor ? (
              <TextField label={t('account.contact.secondFactorCode')} value={factorCode} onChange={(e) => setFactorCode(e.target.value)} required slotProps={{ htmlInput: { ...bigInput, inputMode: 'numeric', 'data-testid': ids.secondFactorCode } }} />
            ) : null}
            <Box sx={{ display: 'flex', gap: 2 }}>
              <Button type="submit" variant="contained" sx={touch} disabled={busy} data-testid={ids.confirm}>
                {t('account.contact.confirm')}
              </Button>
              <Button variant="text" sx={touch} onClick={reset}>
                {t('common.cancel')}
              </Button>
            </Box>
          </Box>
        ) : null}
        {message !== null ? (
          <Alert severity={message.severity} data-testid={ids.message} sx={{ fontSize: '1.1rem' }}>
            {message.text}
          </Alert>
        ) : null}
      </Box>
    </Paper>
  );
}
