import { useState } from 'react';
import { Alert, Box, Button, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { KioskRecoveryRefusal } from '@shared/schemas/account-recovery';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { PinSteps } from './PinPad';

type Stage = { stage: 'code' } | { stage: 'otp'; sentTo: string; secondFactor: boolean } | { stage: 'pin'; sentTo: string; secondFactor: boolean; code: string; factor: string } | { stage: 'failed' };

const big = { minHeight: 72, fontSize: '1.3rem', px: 4 } as const;
const field = { spellCheck: false, style: { fontFamily: 'monospace', fontSize: '1.5rem', minHeight: 48 } } as const;

/**
 * "Unblock with my recovery code" (issue 15): the Emergency Recovery Code from the holder's
 * letter, then the one-time code sent to the holder's email or mobile (and an authenticator code
 * when the holder has one), then the new PIN twice on the PIN pad. The desk unblocks the card of
 * this kiosk session with its sealed PUK; a new recovery code follows by letter.
 */
export function KioskRecoveryUnblock({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const [state, setState] = useState<Stage>({ stage: 'code' });
  const [recoveryCode, setRecoveryCode] = useState('');
  const [oneTime, setOneTime] = useState('');
  const [factor, setFactor] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shuffle = flow.status?.shufflePinPad ?? false;
  const refusal = (reason: KioskRecoveryRefusal): string => t(`account.recovery.kiosk.refusals.${reason}`);
  const failed = (error: unknown): void => {
    if (!isSessionEnded(error)) {
      setProblem(t(`errors.${errorCodeOf(error)}`));
      setState({ stage: 'failed' });
    }
  };

  const begin = (): void => {
    setBusy(true);
    setProblem(null);
    flow
      .call(carddesk().kiosk.recoveryBegin({ code: recoveryCode }))
      .then((result) => {
        if (result.ok) {
          setRecoveryCode('');
          setState({ stage: 'otp', sentTo: result.sentTo, secondFactor: result.secondFactor });
        } else {
          setProblem(refusal(result.reason));
          if (!['malformed', 'check', 'wrong', 'none'].includes(result.reason)) setState({ stage: 'failed' });
        }
      })
      .catch(failed)
      .finally(() => setBusy(false));
  };

  const complete = (current: Extract<Stage, { stage: 'pin' }>, [newPin]: string[]): void => {
    if (newPin === undefined) return;
    setBusy(true);
    setProblem(null);
    flow
      .call(carddesk().kiosk.recoveryComplete({ code: current.code, newPin, ...(current.secondFactor ? { secondFactor: current.factor } : {}) }))
      .then((result) => {
        if (result.ok) {
          onDone();
          return;
        }
        setProblem(refusal(result.reason));
        if (result.reason === 'codeWrong' || result.reason === 'secondFactorWrong') setState({ stage: 'otp', sentTo: current.sentTo, secondFactor: current.secondFactor });
        else if (result.reason !== 'newPinInvalid') setState({ stage: 'failed' });
      })
      .catch(failed)
      .finally(() => setBusy(false));
  };

  return (
    <Box data-testid="kiosk-recovery" data-stage={state.stage} sx={{ display: 'grid', gap: 3, width: '100%' }}>
      {problem !== null ? (
        <Alert severity="error" data-testid="kiosk-recovery-problem" sx={{ fontSize: '1.15rem' }}>
          {problem}
        </Alert>
      ) : null}
      {state.stage === 'code' ? (
        <Box
          component="form"
          sx={{ display: 'grid', gap: 2 }}
          onSubmit={(event) => {
            event.preventDefault();
            begin();
          }}
        >
          <Typography variant="h6" component="p">
            {t('account.recovery.kiosk.enterCode')}
          </Typography>
          <TextField
            label={t('account.recovery.kiosk.codeLabel')}
            value={recoveryCode}
            onChange={(event) => setRecoveryCode(event.target.value.toUpperCase().slice(0, 80))}
            helperText={t('account.recovery.kiosk.codeHint')}
            autoComplete="off"
            slotProps={{ htmlInput: { ...field, 'data-testid': 'kiosk-recovery-code' } }}
          />
          <Button type="submit" variant="contained" sx={big} disabled={busy || recoveryCode.trim() === ''} data-testid="kiosk-recovery-next">
            {t('account.recovery.kiosk.next')}
          </Button>
        </Box>
      ) : null}
      {state.stage === 'otp' ? (
        <Box
          component="form"
          sx={{ display: 'grid', gap: 2 }}
          onSubmit={(event) => {
            event.preventDefault();
            setProblem(null);
            setState({ stage: 'pin', sentTo: state.sentTo, secondFactor: state.secondFactor, code: oneTime.trim(), factor: factor.trim() });
            setOneTime('');
            setFactor('');
          }}
        >
          <Typography variant="h6" component="p" role="status">
            {t('account.recovery.kiosk.sent', { address: state.sentTo })}
          </Typography>
          <TextField
            label={t('account.recovery.kiosk.otpLabel')}
            value={oneTime}
            onChange={(event) => setOneTime(event.target.value.replace(/[^\d]/g, '').slice(0, 6))}
            autoComplete="one-time-code"
            slotProps={{ htmlInput: { ...field, inputMode: 'numeric', 'data-testid': 'kiosk-recovery-otp' } }}
          />
          {state.secondFactor ? (
            <TextField
              label={t('account.recovery.kiosk.totpLabel')}
              value={factor}
              onChange={(event) => setFactor(event.target.value.replace(/[^\d]/g, '').slice(0, 8))}
              autoComplete="off"
              slotProps={{ htmlInput: { ...field, inputMode: 'numeric', 'data-testid': 'kiosk-recovery-totp' } }}
            />
          ) : null}
          <Button type="submit" variant="contained" sx={big} disabled={oneTime.length !== 6 || (state.secondFactor && factor.length < 6)} data-testid="kiosk-recovery-otp-next">
            {t('account.recovery.kiosk.next')}
          </Button>
        </Box>
      ) : null}
      {state.stage === 'pin' ? (
        <>
          <Typography variant="h6" component="p">
            {t('account.recovery.kiosk.choosePin')}
          </Typography>
          <PinSteps
            steps={[{ prompt: t('kiosk.security.newPin') }, { prompt: t('kiosk.security.repeatPin'), repeats: true }]}
            onDone={(values) => complete(state, values)}
            shuffle={shuffle}
            disabled={busy}
          />
        </>
      ) : null}
      {state.stage === 'failed' ? (
        <Button
          variant="contained"
          sx={big}
          data-testid="kiosk-recovery-again"
          onClick={() => {
            setProblem(null);
            setState({ stage: 'code' });
          }}
        >
          {t('account.recovery.kiosk.again')}
        </Button>
      ) : null}
    </Box>
  );
}
