import { useState } from 'react';
import { Alert, Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import type { ErrorCode } from '@shared/errors';
import type { KioskRefusal } from '@shared/schemas/kiosk';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { PinPad } from './PinPad';
import { kioskTestIds } from './testIds';

type Problem = { reason: KioskRefusal; triesLeft: number | null } | { code: ErrorCode };

/** A problem with a card or a call, in the kiosk's plain words. */
export function ProblemText({ problem }: { problem: Problem }) {
  const { t } = useTranslation();
  if ('code' in problem) return <>{t(`errors.${problem.code}`)}</>;
  if (problem.reason === 'wrongPin' || problem.reason === 'wrongPuk') {
    return <>{problem.triesLeft === null ? t(`kiosk.refusal.${problem.reason}`) : t(`kiosk.triesLeft.${problem.reason}`, { tries: problem.triesLeft })}</>;
  }
  return <>{t(`kiosk.refusal.${problem.reason}`)}</>;
}

export type { Problem as KioskProblem };

/** A large "cancel" that ends the begun session and gives the welcome screen back. */
export function CancelSession() {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  return (
    <Button
      variant="outlined"
      size="large"
      sx={{ minHeight: 56, px: 4, fontSize: '1.15rem' }}
      data-testid={kioskTestIds.cancel}
      onClick={() => {
        void carddesk()
          .kiosk.signOut()
          .catch(() => undefined);
        flow.endSession('signedOut');
      }}
    >
      {t('kiosk.cancel')}
    </Button>
  );
}

/** The PIN on the pad, checked by the card; wrong → tries left, blocked → the unblock choices. */
export function KioskSignIn() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const flow = useKioskFlow();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const begun = flow.begun;
  if (begun === null) return <Navigate to="/kiosk" replace />;

  const signIn = (pin: string): void => {
    setBusy(true);
    setProblem(null);
    flow
      .call(carddesk().kiosk.signIn({ pin }))
      .then((result) => {
        if (result.ok) {
          flow.signedIn(result.home);
          void navigate('/kiosk/home', { replace: true });
          return;
        }
        if (result.reason === 'pinBlocked') {
          void navigate('/kiosk/unblock', { replace: true });
          return;
        }
        setProblem({ reason: result.reason, triesLeft: result.triesLeft });
      })
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setProblem({ code: errorCodeOf(error) });
      })
      .finally(() => setBusy(false));
  };

  const tries = problem === null && begun.pinTriesLeft !== null && begun.pinTriesLeft < 3 ? begun.pinTriesLeft : null;

  return (
    <Box data-testid={kioskTestIds.pinScreen} sx={{ display: 'grid', gap: 3, justifyItems: 'center', width: '100%', maxWidth: 560 }}>
      <Typography variant="h3" component="h1" sx={{ textAlign: 'center' }}>
        {t('kiosk.signIn.title')}
      </Typography>
      <PinPad prompt={t('kiosk.signIn.prompt')} onSubmit={signIn} shuffle={flow.status?.shufflePinPad ?? false} disabled={busy}>
        {tries !== null ? (
          <Typography data-testid={kioskTestIds.triesLeft} color="warning.main" variant="h6">
            {t('kiosk.triesLeft.wrongPin', { tries })}
          </Typography>
        ) : null}
        {busy ? <Typography role="status">{t('kiosk.signIn.checking')}</Typography> : null}
        {problem !== null ? (
          <Alert severity="error" data-testid={kioskTestIds.pinProblem} sx={{ fontSize: '1.15rem', width: '100%' }}>
            <ProblemText problem={problem} />
          </Alert>
        ) : null}
      </PinPad>
      <CancelSession />
    </Box>
  );
}
