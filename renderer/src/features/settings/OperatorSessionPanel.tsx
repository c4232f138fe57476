import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, FormControl, FormControlLabel, FormLabel, Paper, Radio, RadioGroup, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CardRemoval, OperatorSessionSettings } from '@shared/schemas/operators';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { settingsTestIds } from './testIds';

/** The bounds OperatorSessionSettingsSchema checks (the renderer imports only types from the contract). */
const IDLE_MINUTES = { min: 1, max: 24 * 60 } as const;

/**
 * The operator session (issue 17 §2): the minutes without a call before an operator is signed out,
 * and what taking the operator card out of its reader does: lock the desk until the same operator
 * signs in again, or sign out. The core reads them when it needs them, so a change holds at once.
 */
export function OperatorSessionPanel() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<OperatorSessionSettings | null>(null);
  const [idleMinutes, setIdleMinutes] = useState('');
  const [cardRemoval, setCardRemoval] = useState<CardRemoval>('signOut');
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  const show = useCallback((next: OperatorSessionSettings) => {
    setSettings(next);
    setIdleMinutes(String(next.idleMinutes));
    setCardRemoval(next.cardRemoval);
  }, []);
  const load = useCommand(async () => show(await unwrap(carddesk().settings.operatorSession())));
  const loadSettings = load.run;
  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  const saving = useCommand(async (minutes: number) => {
    show(await unwrap(carddesk().settings.setOperatorSession({ idleMinutes: minutes, cardRemoval })));
    setMessage({ severity: 'success', text: t('settings.operatorSession.saved') });
  });
  const save = (): void => {
    load.reset();
    saving.reset();
    const minutes = Number(idleMinutes);
    if (idleMinutes.trim() === '' || !Number.isInteger(minutes) || minutes < IDLE_MINUTES.min || minutes > IDLE_MINUTES.max) {
      setMessage({ severity: 'error', text: t('settings.operatorSession.badIdleMinutes') });
      return;
    }
    setMessage(null);
    void saving.run(minutes);
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={settingsTestIds.operatorSession}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.operatorSession.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.operatorSession.body')}
      </Typography>
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid={settingsTestIds.operatorSessionMessage} data-severity={message.severity}>
          {message.text}
        </Alert>
      ) : null}
      <CommandError error={saving.error ?? load.error} sx={{ mb: 2 }} onClose={() => (saving.error !== null ? saving.reset() : load.reset())} />
      <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 2, mb: 2 }}>
        <TextField
          type="number"
          label={t('settings.operatorSession.idleMinutes')}
          value={idleMinutes}
          onChange={(e) => setIdleMinutes(e.target.value)}
          helperText={t('settings.operatorSession.idleMinutesHint')}
          slotProps={{ htmlInput: { min: IDLE_MINUTES.min, max: IDLE_MINUTES.max, step: 1, 'data-testid': settingsTestIds.operatorSessionIdleMinutes } }}
          sx={{ width: 320 }}
        />
        <FormControl>
          <FormLabel id="operator-card-removal">{t('settings.operatorSession.cardRemoval')}</FormLabel>
          <RadioGroup aria-labelledby="operator-card-removal" value={cardRemoval} onChange={(e) => setCardRemoval(e.target.value as CardRemoval)} data-testid={settingsTestIds.operatorSessionCardRemoval}>
            <FormControlLabel value="lock" control={<Radio slotProps={{ input: { 'data-testid': settingsTestIds.operatorSessionLock } as never }} />} label={t('settings.operatorSession.lock')} />
            <FormControlLabel value="signOut" control={<Radio slotProps={{ input: { 'data-testid': settingsTestIds.operatorSessionSignOut } as never }} />} label={t('settings.operatorSession.signOut')} />
          </RadioGroup>
        </FormControl>
      </Box>
      <Button variant="outlined" onClick={save} disabled={saving.busy || settings === null} data-testid={settingsTestIds.operatorSessionSave}>
        {t('settings.operatorSession.save')}
      </Button>
    </Paper>
  );
}
