import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { Alert, Box, Button, CircularProgress, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, LinearProgress, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '@shared/errors';
import type { OfflineChallengeResult, OfflineUnblockResult } from '@shared/schemas/cards';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { CopyableCode } from '../../components/CopyableCode';
import { PinPad } from '../../components/PinPad';
import { WorkingStatus } from '../../components/WorkingStatus';
import { cardsTestIds } from './testIds';

type Challenge = Extract<OfflineChallengeResult, { ok: true }>;
type Failure =
  | { from: 'begin'; reason: Extract<OfflineChallengeResult, { ok: false }>['reason'] }
  | { from: 'complete'; reason: Exclude<Extract<OfflineUnblockResult, { ok: false }>['reason'], 'responseMistyped'> }
  | { from: 'error'; code: ErrorCode };
type Stage =
  | { stage: 'starting' }
  | { stage: 'challenge'; challenge: Challenge }
  | { stage: 'done' }
  /** The challenge is gone (refused, expired, card pulled) or never came: start again. */
  | { stage: 'failed'; failure: Failure };

const DIGITS = /^\d{6,8}$/;
const pinFields = ['next', 'repeat'] as const;
const CODE = /^[0-9A-Za-z\s-]{4,80}$/;

function cancel(attempt: string): void {
  void unwrap(carddesk().cards.offlineUnblockCancel({ attempt })).catch(() => undefined);
}

function remaining(expiresAt: string, now: number): number {
  return Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
}

/**
 * The holder's side of the offline unblock, complete in itself (the desk and the kiosk use it as
 * it is): the blocked card gives a challenge, shown large with the card's serial and how long it
 * waits; the holder reads both to the desk, types the response the desk reads back and a new PIN
 * twice. A mistyped response can be typed again without losing the challenge. The PINs live in
 * this dialog only until they are sent, and the challenge is let go whenever the dialog closes.
 */
export function OfflineUnblockDialog({ reader, onClose }: { reader: string; onClose: (unblocked: boolean) => void }) {
  const { t } = useTranslation();
  const [state, setState] = useState<Stage>({ stage: 'starting' });
  const [response, setResponse] = useState('');
  const [pins, setPins] = useState({ next: '', repeat: '' });
  const [active, setActive] = useState<'next' | 'repeat'>('next');
  const [problem, setProblem] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const attempt = useRef<string | null>(null);
  /** Bumped whenever the dialog lets its challenge go; a challenge that arrives after that is let go at once. */
  const generation = useRef(0);
  const responseField = useRef<HTMLInputElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();
  const countdownId = useId();
  const api = carddesk().cards;

  const release = useCallback(() => {
    generation.current += 1;
    const open = attempt.current;
    attempt.current = null;
    if (open !== null) cancel(open);
  }, []);

  /** Asks the card for a challenge (any earlier one is let go first). */
  const challenge = useCallback(() => {
    release();
    const mine = generation.current;
    unwrap(carddesk().cards.offlineUnblockBegin({ reader }))
      .then((result) => {
        if (generation.current !== mine) {
          if (result.ok) cancel(result.attempt);
          return;
        }
        if (result.ok) {
          attempt.current = result.attempt;
          setNow(Date.now());
          setState({ stage: 'challenge', challenge: result });
        } else setState({ stage: 'failed', failure: { from: 'begin', reason: result.reason } });
      })
      .catch((error: unknown) => {
        if (generation.current === mine) setState({ stage: 'failed', failure: { from: 'error', code: errorCodeOf(error) } });
      });
  }, [reader, release]);

  const again = (): void => {
    setState({ stage: 'starting' });
    setProblem(null);
    completing.reset();
    setResponse('');
    challenge();
  };

  // A challenge on open; the card is let go when the dialog goes away, however it goes.
  useEffect(() => {
    challenge();
    return release;
  }, [challenge, release]);

  const ticking = state.stage === 'challenge';
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);

  // The new PIN is the run's argument only; the runner keeps none.
  const completing = useCommand(async (open: string, newPin: string) => {
    try {
      outcome(await unwrap(api.offlineUnblockComplete({ attempt: open, response: response.trim(), newPin })));
    } finally {
      setTouched(false);
    }
  });
  const busy = completing.busy;

  useEffect(() => {
    if (ticking && !busy) responseField.current?.focus();
  }, [ticking, busy]);

  const seconds = state.stage === 'challenge' ? remaining(state.challenge.expiresAt, now) : 0;
  const expired = state.stage === 'challenge' && seconds === 0;

  const errors = {
    response: CODE.test(response.trim()) ? null : t('cards.offline.responseInvalid'),
    next: DIGITS.test(pins.next) ? null : t('cards.validation.digits'),
    repeat: pins.repeat === pins.next ? null : t('cards.validation.mismatch'),
  };
  const invalid = Object.values(errors).some((error) => error !== null);

  const typePin = (field: 'next' | 'repeat', value: string): void => setPins((current) => ({ ...current, [field]: value.replace(/\D/g, '').slice(0, 8) }));

  const outcome = (result: OfflineUnblockResult): void => {
    if (result.ok) {
      attempt.current = null;
      setState({ stage: 'done' });
      return;
    }
    if (result.reason === 'responseMistyped') {
      setProblem(t('cards.offline.completeFailure.responseMistyped'));
      return;
    }
    // Any other answer used the challenge up (or it was gone already).
    attempt.current = null;
    setState({ stage: 'failed', failure: { from: 'complete', reason: result.reason } });
  };

  const submit = (): void => {
    setTouched(true);
    const open = attempt.current;
    if (invalid || busy || expired || open === null) return;
    const newPin = pins.next;
    setPins({ next: '', repeat: '' });
    setActive('next');
    setProblem(null);
    void completing.run(open, newPin);
  };

  const close = (): void => {
    release();
    onClose(state.stage === 'done');
  };

  const minutes = Math.floor(seconds / 60);
  const clock = `${minutes}:${String(seconds % 60).padStart(2, '0')}`;

  return (
    <Dialog open onClose={busy ? undefined : close} aria-labelledby={titleId} aria-describedby={descriptionId} maxWidth="sm" fullWidth data-testid={cardsTestIds.offlineDialog} data-stage={state.stage}>
      <DialogTitle id={titleId}>{t('cards.offline.title')}</DialogTitle>
      <DialogContent>
        <DialogContentText id={descriptionId} sx={{ mb: 2 }}>
          {t('cards.offline.intro')}
        </DialogContentText>
        {state.stage === 'starting' ? (
          <Box role="status" sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
            <CircularProgress size={20} aria-hidden />
            <Typography>{t('cards.offline.starting')}</Typography>
          </Box>
        ) : null}
        {state.stage === 'failed' ? (
          <Alert severity="error" data-testid={cardsTestIds.offlineProblem}>
            {state.failure.from === 'begin'
              ? t(`cards.offline.beginFailure.${state.failure.reason}`)
              : state.failure.from === 'complete'
                ? t(`cards.offline.completeFailure.${state.failure.reason}`)
                : t(`errors.${state.failure.code}`)}
          </Alert>
        ) : null}
        {state.stage === 'done' ? (
          <Alert severity="success" data-testid={cardsTestIds.offlineDone}>
            {t('cards.offline.done')}
          </Alert>
        ) : null}
        {state.stage === 'challenge' ? (
          <Box sx={{ display: 'grid', gap: 2 }}>
            <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: 'auto 1fr' }, gap: 3 }}>
              <CopyableCode label={t('cards.offline.serial')} code={state.challenge.serial} testId={cardsTestIds.offlineSerial} copyTestId={cardsTestIds.copy('serial')} size="medium" />
              <CopyableCode label={t('cards.offline.challenge')} code={state.challenge.challengeCode} testId={cardsTestIds.offlineChallenge} copyTestId={cardsTestIds.copy('challenge')} />
            </Box>
            <Box>
              <Typography id={countdownId} role="timer" aria-live="off" data-testid={cardsTestIds.offlineCountdown} data-seconds={seconds} color={expired ? 'error' : seconds < 60 ? 'warning.main' : 'text.primary'}>
                {expired ? t('cards.offline.expired') : t('cards.offline.validFor', { time: clock })}
              </Typography>
              <LinearProgress variant="determinate" value={Math.min(100, (seconds / 600) * 100)} aria-labelledby={countdownId} color={seconds < 60 ? 'warning' : 'primary'} sx={{ mt: 1 }} />
            </Box>
            <Typography>{t('cards.offline.readOut')}</Typography>
            <Box
              component="form"
              id="offline-unblock-form"
              onSubmit={(event) => {
                event.preventDefault();
                submit();
              }}
              sx={{ display: 'grid', gap: 2 }}
            >
              <TextField
                label={t('cards.offline.response')}
                value={response}
                onChange={(event) => setResponse(event.target.value.toUpperCase().slice(0, 80))}
                error={touched && errors.response !== null}
                helperText={touched && errors.response !== null ? errors.response : t('cards.offline.responseHint')}
                disabled={busy || expired}
                autoComplete="off"
                inputRef={responseField}
                slotProps={{ htmlInput: { spellCheck: false, autoCapitalize: 'characters', style: { fontFamily: 'monospace', letterSpacing: '0.08em' }, 'data-testid': cardsTestIds.offlineResponse } }}
              />
              {pinFields.map((field) => (
                <TextField
                  key={field}
                  label={field === 'next' ? t('cards.fields.newPin') : t('cards.fields.repeatPin')}
                  type="password"
                  value={pins[field]}
                  onChange={(event) => typePin(field, event.target.value)}
                  onFocus={() => setActive(field)}
                  error={touched && errors[field] !== null}
                  helperText={touched && errors[field] !== null ? errors[field] : ' '}
                  disabled={busy || expired}
                  autoComplete="off"
                  slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: 8, 'data-testid': field === 'next' ? cardsTestIds.offlineNewPin : cardsTestIds.offlineRepeatPin } }}
                />
              ))}
            </Box>
            <PinPad
              disabled={busy || expired}
              onDigit={(digit) => typePin(active, `${pins[active]}${digit}`)}
              onBackspace={() => typePin(active, pins[active].slice(0, -1))}
              onClear={() => typePin(active, '')}
            />
            {busy ? <WorkingStatus /> : null}
            {problem !== null ? (
              <Alert severity="error" data-testid={cardsTestIds.offlineProblem}>
                {problem}
              </Alert>
            ) : null}
            <CommandError error={completing.error} testId={cardsTestIds.offlineProblem} />
          </Box>
        ) : null}
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          {t('cards.dialog.neverAsk')}
        </Typography>
      </DialogContent>
      <DialogActions>
        {state.stage === 'failed' || expired ? (
          <Button onClick={again} data-testid={cardsTestIds.offlineAgain}>
            {t('cards.offline.again')}
          </Button>
        ) : null}
        <Button onClick={close} disabled={busy} data-testid={cardsTestIds.offlineCancel}>
          {state.stage === 'done' || state.stage === 'failed' ? t('common.close') : t('cards.actions.cancel')}
        </Button>
        {state.stage === 'challenge' ? (
          <Button type="submit" form="offline-unblock-form" variant="contained" disabled={busy || expired} data-testid={cardsTestIds.offlineSubmit}>
            {t('cards.offline.submit')}
          </Button>
        ) : null}
      </DialogActions>
    </Dialog>
  );
}
