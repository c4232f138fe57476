import { useCallback, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, FormControlLabel, Radio, RadioGroup, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { LostInfoChoice } from '@shared/schemas/account-contact';
import { carddesk, errorCodeOf, unwrap } from '../../../api/carddesk';
import { lostInfoTestIds as ids } from './kioskAccountTestIds';
import { useIdleReturn } from '../useIdleReturn';

/** What the holder may ask for (the contract's lost-info choices). */
const choices: readonly LostInfoChoice[] = ['userNumber', 'recoveryCode'];
const touch = { minHeight: 56, px: 3, fontSize: '1.1rem' } as const;
const bigInput = { style: { fontSize: '1.3rem', minHeight: 48 } } as const;

/** On the welcome screen: the way to the lost-info page (a page, so the language switch stays one tap away). */
export function KioskLostInfoButton() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Button variant="outlined" size="large" sx={touch} onClick={() => void navigate('/kiosk/lost')} data-testid={ids.button}>
      {t('account.lostInfo.button')}
    </Button>
  );
}

/**
 * Lost info at the kiosk, without a card: personal number and registered email; the answer is
 * the same whether or not they match anyone. With the code from the email the holder has the user
 * number re-sent or a new recovery code issued.
 */
export function KioskLostInfo() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const titleId = useId();
  const [personalNumber, setPersonalNumber] = useState('');
  const [email, setEmail] = useState('');
  const [flow, setFlow] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [choice, setChoice] = useState<LostInfoChoice>('userNumber');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ severity: 'success' | 'error' | 'info'; text: string } | null>(null);
  const [done, setDone] = useState(false);

  // Back to the welcome screen; what was typed goes with this page.
  const close = useCallback((): void => void navigate('/kiosk', { replace: true }), [navigate]);
  const idle = useIdleReturn(close);
  const fail = (error: unknown): void => setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(error)}`) });

  const begin = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    unwrap(carddesk().kiosk.lostInfoBegin({ personalNumber, email }))
      .then((result) => {
        if (result.ok) {
          setFlow(result.flow);
          setMessage({ severity: 'info', text: t('account.lostInfo.sent') });
        } else setMessage({ severity: 'error', text: t('account.lostInfo.tooManyAttempts') });
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };
  const complete = (event: FormEvent): void => {
    event.preventDefault();
    if (flow === null) return;
    setBusy(true);
    unwrap(carddesk().kiosk.lostInfoComplete({ flow, code, choice }))
      .then((result) => {
        if (result.ok) {
          setDone(true);
          setMessage({ severity: 'success', text: result.choice === 'userNumber' ? t('account.lostInfo.doneUserNumber') : t('account.lostInfo.doneRecoveryCode') });
        } else setMessage({ severity: 'error', text: t(`account.lostInfo.${result.reason}`) });
      })
      .catch(fail)
      .finally(() => setBusy(false));
  };

  return (
    <Box component="section" aria-labelledby={titleId} data-testid={ids.dialog} {...idle} sx={{ display: 'grid', gap: 2, maxWidth: 760, width: '100%' }}>
        <Typography id={titleId} variant="h3" component="h1">
          {t('account.lostInfo.title')}
        </Typography>
        <Box sx={{ display: 'grid', gap: 2 }}>
          {flow === null ? (
            <Box component="form" id={`${titleId}-begin`} onSubmit={begin} sx={{ display: 'grid', gap: 2 }}>
              <Typography variant="body1">{t('account.lostInfo.intro')}</Typography>
              <TextField label={t('account.lostInfo.personalNumber')} value={personalNumber} onChange={(e) => setPersonalNumber(e.target.value)} required autoComplete="off" slotProps={{ htmlInput: { ...bigInput, 'data-testid': ids.personalNumber } }} />
              <TextField label={t('account.lostInfo.email')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" slotProps={{ htmlInput: { ...bigInput, 'data-testid': ids.email } }} />
              <Button type="submit" variant="contained" sx={touch} disabled={busy} data-testid={ids.send}>
                {t('account.lostInfo.send')}
              </Button>
            </Box>
          ) : !done ? (
            <Box component="form" onSubmit={complete} sx={{ display: 'grid', gap: 2 }}>
              <TextField label={t('account.lostInfo.code')} value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="one-time-code" slotProps={{ htmlInput: { ...bigInput, inputMode: 'numeric', 'data-testid': ids.code } }} />
              <Typography variant="h6" component="p">
                {t('account.lostInfo.choice')}
              </Typography>
              <RadioGroup value={choice} onChange={(e) => setChoice(e.target.value as LostInfoChoice)}>
                {choices.map((option) => (
                  <FormControlLabel key={option} value={option} sx={{ minHeight: 48 }} control={<Radio slotProps={{ input: { 'data-testid': ids.choice(option) } as object }} />} label={t(`account.lostInfo.${option}`)} />
                ))}
              </RadioGroup>
              <Button type="submit" variant="contained" sx={touch} disabled={busy || code.trim() === ''} data-testid={ids.confirm}>
                {t('account.lostInfo.confirm')}
              </Button>
            </Box>
          ) : null}
          {message !== null ? (
            <Alert severity={message.severity} data-testid={message.severity === 'info' ? ids.sent : ids.message} sx={{ fontSize: '1.1rem' }}>
              {message.text}
            </Alert>
          ) : null}
        </Box>
        <Button variant={done ? 'contained' : 'outlined'} sx={touch} onClick={close} data-testid={ids.close}>
          {t('account.lostInfo.close')}
        </Button>
    </Box>
  );
}
