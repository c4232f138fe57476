import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, FormControlLabel, Radio, RadioGroup, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Envelope } from '@shared/errors';
import type { LostInfoBeginResult, LostInfoChoice, LostInfoCompleteResult } from '@shared/schemas/account-contact';
import { errorCodeOf, unwrap } from '../api/carddesk';

/** What the holder may ask for (the contract's lost-info choices). */
const choices: readonly LostInfoChoice[] = ['userNumber', 'recoveryCode'];

/** The two calls of a surface: the kiosk's own channels, or the desk's (the operator types what the holder says). */
export interface LostInfoCalls {
  begin(args: { personalNumber: string; email: string }): Promise<Envelope<LostInfoBeginResult>>;
  complete(args: { flow: string; code: string; choice: LostInfoChoice }): Promise<Envelope<LostInfoCompleteResult>>;
}

/** Test ids under one prefix (`kiosk-lost-info`, `desk-lost-info`). */
export function lostInfoIds(prefix: string) {
  return {
    button: prefix,
    dialog: `${prefix}-dialog`,
    personalNumber: `${prefix}-personal-number`,
    email: `${prefix}-email`,
    send: `${prefix}-send`,
    sent: `${prefix}-sent`,
    code: `${prefix}-code`,
    choice: (choice: string) => `${prefix}-choice-${choice}`,
    confirm: `${prefix}-confirm`,
    message: `${prefix}-message`,
    close: `${prefix}-close`,
  } as const;
}

export interface LostInfoFormProps {
  readonly calls: LostInfoCalls;
  readonly ids: ReturnType<typeof lostInfoIds>;
  /** The texts' namespace: the holder's words at the kiosk, the operator's at the desk (same keys). */
  readonly texts: 'account.lostInfo' | 'users.lostInfo';
  /** Touch sizes (the kiosk) or the desk's. */
  readonly large?: boolean;
  readonly onDone?: () => void;
}

/**
 * Lost info, without a card: personal number and registered email; the services answer the same
 * whether or not they match anyone. With the code from the email the user number is re-sent or a
 * new recovery code issued.
 */
export function LostInfoForm({ calls, ids, texts, large = false, onDone }: LostInfoFormProps) {
  const { t } = useTranslation();
  const [personalNumber, setPersonalNumber] = useState('');
  const [email, setEmail] = useState('');
  const [flow, setFlow] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [choice, setChoice] = useState<LostInfoChoice>('userNumber');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ severity: 'success' | 'error' | 'info'; text: string } | null>(null);
  const [done, setDone] = useState(false);
  const input = large ? { style: { fontSize: '1.3rem', minHeight: 48 } } : {};
  const button = large ? ({ minHeight: 56, px: 3, fontSize: '1.1rem' } as const) : {};

  const submit = <T,>(event: FormEvent, call: Promise<Envelope<T>>, then: (result: T) => void): void => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    unwrap(call)
      .then(then)
      .catch((error: unknown) => setMessage({ severity: 'error', text: t(`errors.${errorCodeOf(error)}`) }))
      .finally(() => setBusy(false));
  };
  const begin = (event: FormEvent): void =>
    submit(event, calls.begin({ personalNumber, email }), (result) => {
      if (result.ok) {
        setFlow(result.flow);
        setMessage({ severity: 'info', text: t(`${texts}.sent`) });
      } else setMessage({ severity: 'error', text: t(`${texts}.tooManyAttempts`) });
    });
  const complete = (event: FormEvent): void => {
    if (flow === null) return;
    submit(event, calls.complete({ flow, code: code.trim(), choice }), (result) => {
      if (result.ok) {
        setDone(true);
        onDone?.();
        setMessage({ severity: 'success', text: result.choice === 'userNumber' ? t(`${texts}.doneUserNumber`) : t(`${texts}.doneRecoveryCode`) });
      } else setMessage({ severity: 'error', text: result.reason === 'wrongCode' ? t(`${texts}.wrongCode`) : t(`${texts}.tooManyAttempts`) });
    });
  };

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      {/* What happened first (the code is on its way, or why not), then what to type next. */}
      {message !== null ? (
        <Alert severity={message.severity} data-testid={message.severity === 'info' ? ids.sent : ids.message} sx={large ? { fontSize: '1.1rem' } : {}}>
          {message.text}
        </Alert>
      ) : null}
      {flow === null ? (
        <Box component="form" onSubmit={begin} sx={{ display: 'grid', gap: 2 }}>
          <Typography variant="body1">{t(`${texts}.intro`)}</Typography>
          <TextField label={t(`${texts}.personalNumber`)} value={personalNumber} onChange={(e) => setPersonalNumber(e.target.value)} required autoComplete="off" slotProps={{ htmlInput: { ...input, 'data-testid': ids.personalNumber } }} />
          <TextField label={t(`${texts}.email`)} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" slotProps={{ htmlInput: { ...input, 'data-testid': ids.email } }} />
          <Button type="submit" variant="contained" sx={button} disabled={busy} data-testid={ids.send}>
            {t(`${texts}.send`)}
          </Button>
        </Box>
      ) : !done ? (
        <Box component="form" onSubmit={complete} sx={{ display: 'grid', gap: 2 }}>
          <TextField label={t(`${texts}.code`)} value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="one-time-code" slotProps={{ htmlInput: { ...input, inputMode: 'numeric', 'data-testid': ids.code } }} />
          <Typography variant={large ? 'h6' : 'subtitle1'} component="p">
            {t(`${texts}.choice`)}
          </Typography>
          <RadioGroup value={choice} onChange={(e) => setChoice(e.target.value as LostInfoChoice)}>
            {choices.map((option) => (
              <FormControlLabel key={option} value={option} sx={{ minHeight: 48 }} control={<Radio slotProps={{ input: { 'data-testid': ids.choice(option) } as object }} />} label={option === 'userNumber' ? t(`${texts}.userNumber`) : t(`${texts}.recoveryCode`)} />
            ))}
          </RadioGroup>
          <Button type="submit" variant="contained" sx={button} disabled={busy || code.trim() === ''} data-testid={ids.confirm}>
            {t(`${texts}.confirm`)}
          </Button>
        </Box>
      ) : null}
    </Box>
  );
}
