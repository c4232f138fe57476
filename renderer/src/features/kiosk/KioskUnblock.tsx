import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Box, Button, Paper, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import type { OfflineChallengeResult, OfflineUnblockResult } from '@shared/schemas/cards';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { CancelSession, ProblemText, type KioskProblem } from './KioskSignIn';
import { PinSteps } from './PinPad';
import { KioskRecoveryUnblock } from './KioskRecoveryUnblock';
import { kioskTestIds } from './testIds';

type Challenge = Extract<OfflineChallengeResult, { ok: true }>;
type Stage =
  | { stage: 'choose' }
  | { stage: 'puk' }
  | { stage: 'recovery' }
  | { stage: 'recoveryDone' }
  | { stage: 'offlineStarting' }
  | { stage: 'offlineResponse'; challenge: Challenge }
  | { stage: 'offlinePin'; challenge: Challenge; response: string }
  | { stage: 'offlineFailed'; text: string }
  | { stage: 'done' };

const CODE = /^[0-9A-Za-z\s-]{4,80}$/;
const big = { minHeight: 72, fontSize: '1.3rem', px: 4 } as const;

function cancelChallenge(attempt: string): void {
  void unwrap(carddesk().cards.offlineUnblockCancel({ attempt })).catch(() => undefined);
}

/**
 * A blocked PIN, before sign-in: unblock it with the PUK and a new PIN, or — without the PUK —
 * the offline unblock: the card's challenge is read to the helpdesk, whose response and a new PIN
 * are typed here.
 */
export function KioskUnblock() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const flow = useKioskFlow();
  const [state, setState] = useState<Stage>({ stage: 'choose' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<KioskProblem | null>(null);
  const [response, setResponse] = useState('');
  const [responseProblem, setResponseProblem] = useState<string | null>(null);
  const attempt = useRef<string | null>(null);
  const shuffle = flow.status?.shufflePinPad ?? false;

  const release = useCallback(() => {
    const open = attempt.current;
    attempt.current = null;
    if (open !== null) cancelChallenge(open);
  }, []);
  useEffect(() => release, [release]);

  if (flow.begun === null) return <Navigate to="/kiosk" replace />;

  const withPuk = ([puk, newPin]: string[]): void => {
    if (puk === undefined || newPin === undefined) return;
    setBusy(true);
    setProblem(null);
    flow
      .call(carddesk().kiosk.unblockPin({ puk, newPin }))
      .then((result) => {
        if (result.ok) {
          if (result.home !== null) {
            flow.signedIn(result.home);
            void navigate('/kiosk/home', { replace: true });
          } else setState({ stage: 'done' });
        } else setProblem({ reason: result.reason, triesLeft: result.triesLeft });
      })
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setProblem({ code: errorCodeOf(error) });
      })
      .finally(() => setBusy(false));
  };

  const beginOffline = (): void => {
    release();
    setState({ stage: 'offlineStarting' });
    setProblem(null);
    setResponse('');
    flow
      .call(carddesk().kiosk.offlineUnblockBegin())
      .then((result) => {
        if (result.ok) {
          attempt.current = result.attempt;
          setState({ stage: 'offlineResponse', challenge: result });
        } else setState({ stage: 'offlineFailed', text: t(`cards.offline.beginFailure.${result.reason}`) });
      })
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setState({ stage: 'offlineFailed', text: t(`errors.${errorCodeOf(error)}`) });
      });
  };

  const completeOffline = (challenge: Challenge, code: string, [newPin]: string[]): void => {
    if (newPin === undefined) return;
    setBusy(true);
    unwrap(carddesk().cards.offlineUnblockComplete({ attempt: challenge.attempt, response: code, newPin }))
      .then((result: OfflineUnblockResult) => {
        if (result.ok) {
          attempt.current = null;
          setState({ stage: 'done' });
        } else if (result.reason === 'responseMistyped') {
          setResponseProblem(t('cards.offline.completeFailure.responseMistyped'));
          setState({ stage: 'offlineResponse', challenge });
        } else {
          attempt.current = null;
          setState({ stage: 'offlineFailed', text: t(`cards.offline.completeFailure.${result.reason}`) });
        }
      })
      .catch((error: unknown) => setState({ stage: 'offlineFailed', text: t(`errors.${errorCodeOf(error)}`) }))
      .finally(() => setBusy(false));
  };

  return (
    <Box data-testid={kioskTestIds.unblockScreen} data-stage={state.stage} sx={{ display: 'grid', gap: 3, justifyItems: 'center', width: '100%', maxWidth: 720 }}>
      <Typography variant="h3" component="h1" sx={{ textAlign: 'center' }}>
        {t('kiosk.unblock.title')}
      </Typography>
      {state.stage === 'choose' ? (
        <>
          <Typography variant="h6" component="p" sx={{ textAlign: 'center' }}>
            {t('kiosk.unblock.intro')}
          </Typography>
          <Button variant="contained" sx={{ ...big, width: '100%' }} data-testid={kioskTestIds.unblockWithPuk} onClick={() => setState({ stage: 'puk' })}>
            {t('kiosk.unblock.withPuk')}
          </Button>
          <Button variant="outlined" sx={{ ...big, width: '100%' }} data-testid={kioskTestIds.unblockOffline} onClick={beginOffline}>
            {t('kiosk.unblock.noPuk')}
          </Button>
          <Button variant="outlined" sx={{ ...big, width: '100%' }} data-testid="kiosk-unblock-recovery" onClick={() => setState({ stage: 'recovery' })}>
            {t('account.recovery.kiosk.choice')}
          </Button>
        </>
      ) : null}
      {state.stage === 'recovery' ? <KioskRecoveryUnblock onDone={() => setState({ stage: 'recoveryDone' })} /> : null}
      {state.stage === 'puk' ? (
        <>
          <PinSteps
            steps={[{ prompt: t('kiosk.unblock.typePuk') }, { prompt: t('kiosk.security.newPin') }, { prompt: t('kiosk.security.repeatPin'), repeats: true }]}
            onDone={withPuk}
            shuffle={shuffle}
            disabled={busy}
          >
            {problem !== null ? (
              <Alert severity="error" data-testid={kioskTestIds.pinProblem} sx={{ fontSize: '1.15rem', width: '100%' }}>
                <ProblemText problem={problem} />
              </Alert>
            ) : null}
          </PinSteps>
          {problem !== null && 'reason' in problem && problem.reason === 'pukBlocked' ? (
            <Button variant="outlined" sx={big} data-testid={kioskTestIds.unblockOffline} onClick={beginOffline}>
              {t('kiosk.unblock.noPuk')}
            </Button>
          ) : null}
        </>
      ) : null}
      {state.stage === 'offlineStarting' ? <Typography role="status">{t('kiosk.unblock.starting')}</Typography> : null}
      {state.stage === 'offlineResponse' ? (
        <Box sx={{ display: 'grid', gap: 3, width: '100%' }}>
          <Typography variant="h6" component="p">
            {t('kiosk.unblock.callHelpdesk')}
          </Typography>
          <Paper variant="outlined" sx={{ p: 3, display: 'grid', gap: 2 }}>
            <Typography variant="body1">{t('cards.offline.serial')}</Typography>
            <Typography variant="h5" component="p" data-testid={kioskTestIds.offlineSerial} sx={{ fontFamily: 'monospace' }}>
              {state.challenge.serial}
            </Typography>
            <Typography variant="body1">{t('cards.offline.challenge')}</Typography>
            <Typography variant="h4" component="p" data-testid={kioskTestIds.offlineChallenge} sx={{ fontFamily: 'monospace', letterSpacing: '0.08em', wordBreak: 'break-all' }}>
              {state.challenge.challengeCode}
            </Typography>
          </Paper>
          <Box
            component="form"
            sx={{ display: 'grid', gap: 2 }}
            onSubmit={(event) => {
              event.preventDefault();
              const code = response.trim();
              if (!CODE.test(code)) {
                setResponseProblem(t('cards.offline.responseInvalid'));
                return;
              }
              setResponseProblem(null);
              setState({ stage: 'offlinePin', challenge: state.challenge, response: code });
            }}
          >
            <TextField
              label={t('cards.offline.response')}
              value={response}
              onChange={(event) => setResponse(event.target.value.toUpperCase().slice(0, 80))}
              error={responseProblem !== null}
              helperText={responseProblem ?? t('cards.offline.responseHint')}
              autoComplete="off"
              slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace', fontSize: '1.5rem', minHeight: 48 }, 'data-testid': kioskTestIds.offlineResponse } }}
            />
            <Button type="submit" variant="contained" sx={big} data-testid={kioskTestIds.offlineNext}>
              {t('kiosk.unblock.next')}
            </Button>
          </Box>
        </Box>
      ) : null}
      {state.stage === 'offlinePin' ? (
        <PinSteps
          steps={[{ prompt: t('kiosk.security.newPin') }, { prompt: t('kiosk.security.repeatPin'), repeats: true }]}
          onDone={(values) => completeOffline(state.challenge, state.response, values)}
          shuffle={shuffle}
          disabled={busy}
        />
      ) : null}
      {state.stage === 'offlineFailed' ? (
        <>
          <Alert severity="error" data-testid={kioskTestIds.pinProblem} sx={{ fontSize: '1.15rem', width: '100%' }}>
            {state.text}
          </Alert>
          <Button variant="contained" sx={big} onClick={beginOffline}>
            {t('cards.offline.again')}
          </Button>
        </>
      ) : null}
      {state.stage === 'recoveryDone' ? (
        <>
          <Alert severity="success" data-testid={kioskTestIds.unblockDone} sx={{ fontSize: '1.25rem', width: '100%' }}>
            {t('account.recovery.kiosk.done')}
          </Alert>
          <Button variant="contained" sx={big} onClick={() => void navigate('/kiosk/pin', { replace: true })}>
            {t('kiosk.unblock.signIn')}
          </Button>
        </>
      ) : null}
      {state.stage === 'done' ? (
        <>
          <Alert severity="success" data-testid={kioskTestIds.unblockDone} sx={{ fontSize: '1.25rem', width: '100%' }}>
            {t('kiosk.unblock.done')}
          </Alert>
          <Button variant="contained" sx={big} onClick={() => void navigate('/kiosk/pin', { replace: true })}>
            {t('kiosk.unblock.signIn')}
          </Button>
        </>
      ) : null}
      <CancelSession />
    </Box>
  );
}
