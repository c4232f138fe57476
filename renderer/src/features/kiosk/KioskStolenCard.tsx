import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Box, Button, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { StolenCardResult } from '@shared/schemas/kiosk-stolen';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { useFormat } from '../../i18n/format';
import { DaysPicker } from './DaysPicker';
import { useKioskFlow } from './KioskFlow';
import { PinPad } from './PinPad';
import { useIdleReturn } from './useIdleReturn';
import { kioskTestIds } from './testIds';

const big = { minHeight: 72, fontSize: '1.25rem', px: 4 } as const;

type Step = { step: 'number' } | { step: 'code'; flowId: string } | { step: 'done'; cards: number; until: string };
type Problem = Exclude<StolenCardResult, { ok: true }>['reason'] | 'error';

/**
 * "My card was stolen: suspend it", without the card: the personal number and the days, then the
 * code the holder receives (or their authenticator's), then every active card of theirs is on hold
 * in the CA at once. The kiosk says the same after the number whether or not it is known.
 */
export function KioskStolenCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const { status } = useKioskFlow();
  const [step, setStep] = useState<Step>({ step: 'number' });
  const [personalNumber, setPersonalNumber] = useState('');
  const [days, setDays] = useState(30);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const flowId = step.step === 'code' ? step.flowId : null;
  const flowRef = useRef<string | null>(null);
  useEffect(() => {
    flowRef.current = flowId;
  }, [flowId]);

  const leave = useCallback((): void => {
    const open = flowRef.current;
    if (open !== null) void carddesk().kiosk.stolenCardCancel({ flowId: open }).catch(() => undefined);
    void navigate('/kiosk', { replace: true });
  }, [navigate]);

  // Back to the welcome after a while without a touch: nothing typed stays on the screen.
  const idle = useIdleReturn(leave);

  const begin = (): void => {
    setBusy(true);
    setProblem(null);
    unwrap(carddesk().kiosk.stolenCardBegin({ personalNumber: personalNumber.trim() }))
      .then((begun) => {
        setPersonalNumber('');
        setStep({ step: 'code', flowId: begun.flowId });
      })
      .catch((error: unknown) => setProblem(errorCodeOf(error) === 'TOO_MANY_ATTEMPTS' ? 'tooManyAttempts' : 'error'))
      .finally(() => setBusy(false));
  };

  const complete = (code: string): void => {
    if (flowId === null) return;
    setBusy(true);
    setProblem(null);
    unwrap(carddesk().kiosk.stolenCardComplete({ flowId, code, days }))
      .then((result) => {
        if (result.ok) setStep({ step: 'done', cards: result.suspendedCards, until: result.until });
        else {
          setProblem(result.reason);
          // A flow that ended cannot take another code: start again from the number.
          if (result.reason === 'expired' || result.reason === 'tooManyAttempts' || result.reason === 'nothingToSuspend') setStep({ step: 'number' });
        }
      })
      .catch(() => setProblem('error'))
      .finally(() => setBusy(false));
  };

  const keysOff = status?.keyServices === 'vaultLocked';

  return (
    <Box data-testid={kioskTestIds.stolenScreen} data-step={step.step} {...idle} sx={{ display: 'grid', gap: 3, maxWidth: 760, width: '100%' }}>
      <Typography variant="h3" component="h1">
        {t('kiosk.stolen.title')}
      </Typography>
      {keysOff ? (
        <Alert severity="warning" data-testid={kioskTestIds.keyServicesOff} sx={{ fontSize: '1.15rem' }}>
          {t('kiosk.keyServicesOff')}
        </Alert>
      ) : null}
      {problem !== null ? (
        <Alert severity="error" data-testid={kioskTestIds.stolenProblem} data-reason={problem} sx={{ fontSize: '1.15rem' }}>
          {t(`kiosk.stolen.problem.${problem}`)}
        </Alert>
      ) : null}
      {step.step === 'number' && !keysOff ? (
        <>
          <Typography variant="h6" component="p">
            {t('kiosk.stolen.intro')}
          </Typography>
          <TextField
            label={t('kiosk.stolen.personalNumber')}
            value={personalNumber}
            onChange={(event) => setPersonalNumber(event.target.value)}
            autoComplete="off"
            slotProps={{ htmlInput: { 'data-testid': kioskTestIds.stolenNumber, maxLength: 64, style: { fontSize: '1.5rem', letterSpacing: '0.08em' } } }}
          />
          <Typography variant="h6" component="p">
            {t('kiosk.suspend.days')}
          </Typography>
          <DaysPicker days={days} onChange={setDays} disabled={busy} />
          <Button variant="contained" sx={big} disabled={busy || personalNumber.trim() === ''} data-testid={kioskTestIds.stolenNext} onClick={begin}>
            {t('kiosk.stolen.next')}
          </Button>
        </>
      ) : null}
      {step.step === 'code' ? (
        <>
          <Alert severity="info" data-testid={kioskTestIds.stolenCodeSent} sx={{ fontSize: '1.15rem' }}>
            {t('kiosk.stolen.codeSent')}
          </Alert>
          <PinPad prompt={t('kiosk.stolen.codePrompt')} onSubmit={complete} disabled={busy} minLength={6} maxLength={8} />
        </>
      ) : null}
      {step.step === 'done' ? (
        <Alert severity="success" data-testid={kioskTestIds.stolenDone} sx={{ fontSize: '1.25rem' }}>
          {step.cards === 1 ? t('kiosk.stolen.doneOne', { date: format.date(step.until, 'long') }) : t('kiosk.stolen.doneMany', { count: step.cards, date: format.date(step.until, 'long') })}
        </Alert>
      ) : null}
      <Button variant={step.step === 'done' ? 'contained' : 'outlined'} sx={big} data-testid={kioskTestIds.stolenCancel} onClick={leave}>
        {step.step === 'done' ? t('kiosk.stolen.finish') : t('kiosk.back')}
      </Button>
    </Box>
  );
}
