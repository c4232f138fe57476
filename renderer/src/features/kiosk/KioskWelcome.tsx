import { useEffect, useRef, useState } from 'react';
import { Alert, Box, Button, CircularProgress, Typography } from '@mui/material';
import CreditCardIcon from '@mui/icons-material/CreditCard';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { ErrorCode } from '@shared/errors';
import type { KioskRefusal } from '@shared/schemas/kiosk';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { useReaders } from '../../app/useReaders';
import { ENDED_NOTE_MS, useKioskFlow } from './KioskFlow';
import { kioskTestIds } from './testIds';
import { KioskLostInfoButton } from './account/KioskLostInfo';

type Refused = { reader: string; reason: KioskRefusal } | { reader: string; code: ErrorCode };

/** Refusals after which the same card may simply be tried again (no need to take it out). */
const retryable: ReadonlySet<KioskRefusal> = new Set(['tooManyAttempts', 'cardInUse', 'serviceUnavailable']);

export const nextRoute = { pin: '/kiosk/pin', activate: '/kiosk/activate', unblock: '/kiosk/unblock' } as const;

/**
 * Waits for the holder's card: says whether the kiosk is in service, begins a session on a card
 * put in (the services prove the card genuine) and goes on to the PIN, the activation or the
 * unblock. A refused card is named in plain words, with "take your card".
 */
export function KioskWelcome() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const flow = useKioskFlow();
  const { loaded, service, readers } = useReaders();
  const [checking, setChecking] = useState<string | null>(null);
  const [refusal, setRefused] = useState<Refused | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const inFlight = useRef(false);
  const { refreshStatus, status, spent, markSpent, forgetSpent, started, ended } = flow;

  useEffect(() => {
    void refreshStatus();
  }, [refreshStatus]);

  // A reader without a card is ready for the next one.
  useEffect(() => {
    for (const reader of readers) if (reader.cardState !== 'present') forgetSpent(reader.name);
  }, [readers, forgetSpent]);
  // A refusal stays only while its card is still in the reader.
  const refused = refusal !== null && readers.some((reader) => reader.name === refusal.reader && reader.cardState === 'present') ? refusal : null;

  const outOfService = status?.outOfService ?? null;
  const candidate = readers.find((reader) => reader.cardState === 'present' && !spent.has(reader.name));

  useEffect(() => {
    if (candidate === undefined || outOfService !== null || inFlight.current) return;
    const reader = candidate.name;
    inFlight.current = true;
    setChecking(reader);
    setRefused(null);
    markSpent(reader);
    // The status again beside the begin: the pad is shuffled (or not) as Settings say now.
    Promise.all([unwrap(carddesk().kiosk.begin({ reader })), refreshStatus()])
      .then(([result]) => {
        if (result.ok) {
          started(reader, result);
          void navigate(nextRoute[result.next], { replace: true });
        } else setRefused({ reader, reason: result.reason });
      })
      .catch((error: unknown) => setRefused({ reader, code: errorCodeOf(error) }))
      .finally(() => {
        inFlight.current = false;
        setChecking(null);
      });
  }, [candidate, outOfService, markSpent, started, navigate, refreshStatus]);

  const showEnded = ended !== null && now - ended.at < ENDED_NOTE_MS;
  useEffect(() => {
    if (ended === null) return;
    const left = ENDED_NOTE_MS - (Date.now() - ended.at);
    if (left <= 0) return;
    const timer = setTimeout(() => setNow(Date.now()), left + 50);
    return () => clearTimeout(timer);
  }, [ended]);

  let message: { text: string; testId: string };
  if (outOfService !== null) message = { text: t(`kiosk.outOfService.${outOfService}`), testId: kioskTestIds.outOfService };
  else if (loaded && service.status === 'unavailable') message = { text: t('kiosk.serviceDown'), testId: kioskTestIds.unavailable };
  else if (loaded && service.status === 'running' && readers.length === 0) message = { text: t('kiosk.noReader'), testId: kioskTestIds.unavailable };
  else if (checking !== null) message = { text: t('kiosk.checking'), testId: kioskTestIds.checking };
  else if (refused !== null) message = { text: t('kiosk.cardDetected'), testId: kioskTestIds.cardDetected };
  else message = { text: t('kiosk.insertCard'), testId: kioskTestIds.insertCard };

  const canRetry = refused !== null && ('code' in refused || retryable.has(refused.reason));

  return (
    <Box data-testid={kioskTestIds.welcome} sx={{ textAlign: 'center', maxWidth: 760, width: '100%', display: 'grid', gap: 3, justifyItems: 'center' }}>
      <CreditCardIcon aria-hidden sx={{ fontSize: 120 }} color="primary" />
      <Typography variant="h2" component="h1">
        {t('kiosk.welcome')}
      </Typography>
      {showEnded ? (
        <Alert severity="info" data-testid={kioskTestIds.sessionEnded} data-reason={ended.reason} sx={{ fontSize: '1.25rem', textAlign: 'left', width: '100%' }}>
          {t(`kiosk.ended.${ended.reason}`)}
        </Alert>
      ) : null}
      <Box role="status" sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
        {checking !== null ? <CircularProgress size={32} aria-hidden /> : null}
        <Typography variant="h5" component="p" data-testid={message.testId}>
          {message.text}
        </Typography>
      </Box>
      {outOfService === null && status?.keyServices === 'vaultLocked' ? (
        <Alert severity="warning" data-testid={kioskTestIds.degraded} sx={{ fontSize: '1.15rem', textAlign: 'left', width: '100%' }}>
          {t('kiosk.degraded')}
        </Alert>
      ) : null}
      {refused !== null ? (
        <Alert severity="error" data-testid={kioskTestIds.refusal} data-reason={'reason' in refused ? refused.reason : refused.code} sx={{ fontSize: '1.25rem', textAlign: 'left', width: '100%' }}>
          <Typography variant="h6" component="p">
            {'reason' in refused ? t(`kiosk.refusal.${refused.reason}`) : t(`errors.${refused.code}`)}
          </Typography>
          <Typography variant="body1" component="p" data-testid={kioskTestIds.takeCard} sx={{ mt: 1 }}>
            {canRetry ? t('kiosk.takeCardOrRetry') : t('kiosk.takeCard')}
          </Typography>
        </Alert>
      ) : null}
      {canRetry ? (
        <Button variant="contained" size="large" sx={{ minHeight: 64, px: 4, fontSize: '1.25rem' }} data-testid={kioskTestIds.tryAgain} onClick={() => forgetSpent(refused.reader)}>
          {t('kiosk.tryAgain')}
        </Button>
      ) : null}
      {outOfService === null && checking === null && status?.keyServices === 'available' ? (
        <Button variant="outlined" color="warning" size="large" sx={{ minHeight: 64, px: 4, fontSize: '1.15rem', mt: 4 }} data-testid={kioskTestIds.stolenStart} onClick={() => void navigate('/kiosk/stolen')}>
          {t('kiosk.stolen.start')}
        </Button>
      ) : null}
      {outOfService === null ? <KioskLostInfoButton /> : null}
    </Box>
  );
}
