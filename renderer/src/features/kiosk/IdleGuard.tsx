import { useCallback, useEffect, useRef, useState } from 'react';
import { Box, Button, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk } from '../../api/carddesk';
import { useKioskFlow } from './KioskFlow';
import { kioskTestIds } from './testIds';

/** kiosk:touch at most this often while the holder keeps touching. */
export const TOUCH_EVERY_MS = 5000;
/** The countdown shows in the last seconds. */
export const COUNTDOWN_SECONDS = 10;

/**
 * The idle time of a signed-in session: activity on the page tells the services (kiosk:touch,
 * throttled); the seconds left are counted here from the last answer; the last ten show as a
 * countdown with "I'm still here". At zero the page ends the session itself too.
 */
export function IdleGuard({ initialSecondsLeft }: { initialSecondsLeft: number }) {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const { call, endSession } = flow;
  const deadline = useRef(Number.POSITIVE_INFINITY);
  const lastTouch = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [left, setLeft] = useState(initialSecondsLeft);

  const touchNow = useCallback(() => {
    lastTouch.current = Date.now();
    if (trailing.current !== null) {
      clearTimeout(trailing.current);
      trailing.current = null;
    }
    const sent = Date.now();
    call(carddesk().kiosk.touch())
      .then(({ idleSecondsLeft }) => {
        deadline.current = sent + idleSecondsLeft * 1000;
        setLeft(Math.max(0, Math.ceil((deadline.current - Date.now()) / 1000)));
      })
      .catch(() => undefined);
  }, [call]);

  const activity = useCallback(() => {
    const since = Date.now() - lastTouch.current;
    if (since >= TOUCH_EVERY_MS) touchNow();
    else if (trailing.current === null) trailing.current = setTimeout(touchNow, TOUCH_EVERY_MS - since);
  }, [touchNow]);

  useEffect(() => {
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const name of events) window.addEventListener(name, activity, { passive: true, capture: true });
    return () => {
      for (const name of events) window.removeEventListener(name, activity, { capture: true });
      if (trailing.current !== null) clearTimeout(trailing.current);
    };
  }, [activity]);

  useEffect(() => {
    deadline.current = Date.now() + initialSecondsLeft * 1000;
    // Counted from the moment the home showed; later answers to kiosk:touch move it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const timer = setInterval(() => {
      const seconds = Math.max(0, Math.ceil((deadline.current - Date.now()) / 1000));
      setLeft(seconds);
      if (seconds === 0) {
        void carddesk()
          .kiosk.signOut()
          .catch(() => undefined);
        endSession('idle');
      }
    }, 250);
    return () => clearInterval(timer);
  }, [endSession]);

  if (left > COUNTDOWN_SECONDS) return null;
  return (
    <Box
      data-testid={kioskTestIds.idleOverlay}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="kiosk-idle-title"
      sx={{ position: 'fixed', inset: 0, zIndex: (theme) => theme.zIndex.modal + 1, bgcolor: 'rgba(0,0,0,0.6)', display: 'grid', placeItems: 'center', p: 3 }}
    >
      <Paper sx={{ p: 5, display: 'grid', gap: 3, justifyItems: 'center', maxWidth: 640, textAlign: 'center' }}>
        <Typography id="kiosk-idle-title" variant="h4" component="h2">
          {t('kiosk.idle.title')}
        </Typography>
        <Typography variant="h1" component="p" data-testid={kioskTestIds.idleSeconds} aria-live="polite">
          {left}
        </Typography>
        <Typography variant="h6" component="p">
          {t('kiosk.idle.body', { seconds: left })}
        </Typography>
        <Button variant="contained" autoFocus sx={{ minHeight: 80, px: 5, fontSize: '1.5rem' }} data-testid={kioskTestIds.stillHere} onClick={touchNow}>
          {t('kiosk.idle.stillHere')}
        </Button>
      </Paper>
    </Box>
  );
}
