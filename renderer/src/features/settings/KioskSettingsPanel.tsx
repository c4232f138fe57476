import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, FormControlLabel, Paper, Switch, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { KioskSettings } from '@shared/schemas/kiosk';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { settingsTestIds } from './testIds';

/** The bounds KioskSettingsSchema checks (the renderer imports only types from the contract). */
const KIOSK_IDLE_SECONDS = { min: 15, max: 900 } as const;

/**
 * The holder kiosk's settings: the idle seconds before a holder's session ends, a shuffled PIN
 * pad, and whether holders may download files. The kiosk reads them at its next step.
 */
export function KioskSettingsPanel() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<KioskSettings | null>(null);
  const [idleSeconds, setIdleSeconds] = useState('');
  const [shufflePinPad, setShufflePinPad] = useState(false);
  const [filesAllowed, setFilesAllowed] = useState(true);
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  const show = useCallback((next: KioskSettings) => {
    setSettings(next);
    setIdleSeconds(String(next.idleSeconds));
    setShufflePinPad(next.shufflePinPad);
    setFilesAllowed(next.filesAllowed);
  }, []);
  const load = useCommand(async () => show(await unwrap(carddesk().settings.kiosk())));
  const loadSettings = load.run;
  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  const saving = useCommand(async (seconds: number) => {
    show(await unwrap(carddesk().settings.setKiosk({ idleSeconds: seconds, shufflePinPad, filesAllowed })));
    setMessage({ severity: 'success', text: t('settings.kiosk.saved') });
  });
  const save = (): void => {
    load.reset();
    saving.reset();
    const seconds = Number(idleSeconds);
    if (idleSeconds.trim() === '' || !Number.isInteger(seconds) || seconds < KIOSK_IDLE_SECONDS.min || seconds > KIOSK_IDLE_SECONDS.max) {
      setMessage({ severity: 'error', text: t('settings.kiosk.badIdleSeconds') });
      return;
    }
    setMessage(null);
    void saving.run(seconds);
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={settingsTestIds.kiosk}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.kiosk.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.kiosk.body')}
      </Typography>
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid={settingsTestIds.kioskMessage} data-severity={message.severity}>
          {message.text}
        </Alert>
      ) : null}
      <CommandError error={saving.error ?? load.error} sx={{ mb: 2 }} onClose={() => (saving.error !== null ? saving.reset() : load.reset())} />
      <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 1, mb: 2 }}>
        <TextField
          type="number"
          label={t('settings.kiosk.idleSeconds')}
          value={idleSeconds}
          onChange={(e) => setIdleSeconds(e.target.value)}
          helperText={t('settings.kiosk.idleSecondsHint')}
          slotProps={{ htmlInput: { min: KIOSK_IDLE_SECONDS.min, max: KIOSK_IDLE_SECONDS.max, step: 1, 'data-testid': settingsTestIds.kioskIdleSeconds } }}
          sx={{ width: 320, mb: 1 }}
        />
        <FormControlLabel
          control={<Switch checked={shufflePinPad} onChange={(e) => setShufflePinPad(e.target.checked)} slotProps={{ input: { 'data-testid': settingsTestIds.kioskShufflePinPad } as never }} />}
          label={t('settings.kiosk.shufflePinPad')}
        />
        <FormControlLabel
          control={<Switch checked={filesAllowed} onChange={(e) => setFilesAllowed(e.target.checked)} slotProps={{ input: { 'data-testid': settingsTestIds.kioskFilesAllowed } as never }} />}
          label={t('settings.kiosk.filesAllowed')}
        />
      </Box>
      <Button variant="outlined" onClick={save} disabled={saving.busy || settings === null} data-testid={settingsTestIds.kioskSave}>
        {t('settings.kiosk.save')}
      </Button>
    </Paper>
  );
}
