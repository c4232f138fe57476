import { useCallback, useId, useMemo, useState } from 'react';
import { Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { carddesk } from '../../../api/carddesk';
import { LostInfoForm, type LostInfoCalls } from '../../../components/LostInfoForm';
import { lostInfoTestIds as ids } from './kioskAccountTestIds';
import { useIdleReturn } from '../useIdleReturn';

const touch = { minHeight: 56, px: 3, fontSize: '1.1rem' } as const;

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
 * Lost info at the kiosk, without a card (the form is shared with the desk): personal number and
 * registered email, then the code from the email. Idle, the page returns to the welcome screen
 * and what was typed goes with it.
 */
export function KioskLostInfo() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const titleId = useId();
  const [done, setDone] = useState(false);
  const close = useCallback((): void => void navigate('/kiosk', { replace: true }), [navigate]);
  const idle = useIdleReturn(close);
  const calls = useMemo<LostInfoCalls>(() => ({ begin: (args) => carddesk().kiosk.lostInfoBegin(args), complete: (args) => carddesk().kiosk.lostInfoComplete(args) }), []);

  return (
    <Box component="section" aria-labelledby={titleId} data-testid={ids.dialog} {...idle} sx={{ display: 'grid', gap: 2, maxWidth: 760, width: '100%' }}>
      <Typography id={titleId} variant="h3" component="h1">
        {t('account.lostInfo.title')}
      </Typography>
      <LostInfoForm calls={calls} ids={ids} texts="account.lostInfo" large onDone={() => setDone(true)} />
      <Button variant={done ? 'contained' : 'outlined'} sx={touch} onClick={close} data-testid={ids.close}>
        {t('account.lostInfo.close')}
      </Button>
    </Box>
  );
}
