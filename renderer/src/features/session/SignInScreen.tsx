import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, FormControl, InputLabel, MenuItem, Paper, Select, TextField, Typography } from '@mui/material';
import type { SignInResult } from '@shared/schemas/operator-sign-in';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { useReaders } from '../../app/useReaders';
import { CommandError } from '../../components/CommandError';
import { PinPad } from '../../components/PinPad';
import { sessionTestIds } from './testIds';

type Refusal = Extract<SignInResult, { ok: false }>;

/**
 * The desk's sign-in (issue 17 §2): the operator's card in a reader and its PIN. The PIN lives in
 * this screen's state only until the call returns (cleared either way); refusals say why.
 */
export function SignInScreen({ lockedFor }: { lockedFor?: string | null } = {}) {
  const { t } = useTranslation();
  const { readers, loaded } = useReaders();
  const withCard = readers.filter((reader) => reader.cardState === 'present');
  const [chosen, setChosen] = useState<string | null>(null);
  const reader = withCard.some((r) => r.name === chosen) ? chosen : (withCard[0]?.name ?? null);
  const [pin, setPin] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const signIn = useCommand((args: { reader: string; pin: string }) => unwrap(carddesk().session.signIn(args)));

  const submit = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (reader === null || pin.length < 6) return;
    const typed = pin;
    setPin('');
    setRefusal(null);
    const result = await signIn.run({ reader, pin: typed });
    // Signed in: the session event takes the desk past this screen.
    if (result !== undefined && !result.ok) setRefusal(result);
  };

  return (
    <Box sx={{ display: 'grid', placeItems: 'center', minHeight: '60vh' }} data-testid={sessionTestIds.screen}>
      <Paper component="form" onSubmit={(event) => void submit(event)} sx={{ p: 3, width: '100%', maxWidth: 440, display: 'grid', gap: 2 }} aria-labelledby="signin-title">
        <Typography id="signin-title" component="h1" variant="h5">
          {lockedFor === undefined ? t('session.signIn.title') : t('session.locked.title')}
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid={lockedFor === undefined ? undefined : sessionTestIds.locked}>
          {lockedFor === undefined ? t('session.signIn.intro') : t('session.locked.body', { name: lockedFor ?? '' })}
        </Typography>
        {loaded && reader === null ? (
          <Alert severity="info" data-testid={sessionTestIds.noReader}>
            {t('session.signIn.insertCard')}
          </Alert>
        ) : (
          <FormControl fullWidth>
            <InputLabel id="signin-reader-label">{t('session.signIn.reader')}</InputLabel>
            <Select labelId="signin-reader-label" label={t('session.signIn.reader')} value={reader ?? ''} onChange={(event) => setChosen(event.target.value)} data-testid={sessionTestIds.reader}>
              {withCard.map((r) => (
                <MenuItem key={r.name} value={r.name}>
                  {r.name}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
        <TextField
          label={t('session.signIn.pin')}
          type="password"
          value={pin}
          onChange={(event) => setPin(event.target.value.replace(/\D/g, '').slice(0, 8))}
          slotProps={{ htmlInput: { inputMode: 'numeric', autoComplete: 'off', maxLength: 8, 'data-testid': sessionTestIds.pin } }}
          disabled={signIn.busy}
        />
        <PinPad onDigit={(digit) => setPin((current) => (current.length >= 8 ? current : `${current}${digit}`))} onBackspace={() => setPin((current) => current.slice(0, -1))} onClear={() => setPin('')} disabled={signIn.busy} />
        {refusal === null ? null : (
          <Alert severity={refusal.reason === 'wrongPin' ? 'warning' : 'error'} data-testid={sessionTestIds.refusal} data-reason={refusal.reason}>
            {refusal.reason === 'wrongPin' && refusal.triesLeft !== null ? t('session.refusals.wrongPinTries', { count: refusal.triesLeft }) : t(`session.refusals.${refusal.reason}`)}
          </Alert>
        )}
        <CommandError error={signIn.error} />
        <Button type="submit" variant="contained" disabled={signIn.busy || reader === null || pin.length < 6} data-testid={sessionTestIds.submit}>
          {t('session.signIn.submit')}
        </Button>
      </Paper>
    </Box>
  );
}
