import { useId, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { vaultTestIds } from './testIds';

export type PassphraseOutcome = { ok: true } | { ok: false; message: string };

/**
 * Asks for a passphrase without keeping it in React state: the fields are uncontrolled, read once
 * on submit and cleared at once, whatever the outcome. With `confirm`, it asks twice (a new one).
 */
export function PassphraseDialog({
  open,
  title,
  body,
  submitLabel,
  confirm = false,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  body: string;
  submitLabel: string;
  confirm?: boolean;
  onSubmit: (passphrase: string) => Promise<PassphraseOutcome>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The passphrase is an argument of the run, never state: the runner keeps none of its arguments.
  const unlocking = useCommand(async (passphrase: string) => {
    const outcome = await onSubmit(passphrase);
    if (!outcome.ok) setProblem(outcome.message);
  });
  const busy = unlocking.busy;
  const titleId = useId();

  const clear = (): void => {
    if (first.current !== null) first.current.value = '';
    if (second.current !== null) second.current.value = '';
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const passphrase = first.current?.value ?? '';
    const repeat = second.current?.value ?? '';
    clear();
    if (confirm && [...passphrase].length < 10) return setProblem(t('vault.tooShort'));
    if (confirm && passphrase !== repeat) return setProblem(t('vault.mismatch'));
    setProblem(null);
    void unlocking.run(passphrase);
  };

  return (
    <Dialog
      open={open}
      onClose={() => {
        clear();
        setProblem(null);
        unlocking.reset();
        onClose();
      }}
      aria-labelledby={titleId}
      data-testid={vaultTestIds.unlockDialog}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{body}</DialogContentText>
          <TextField
            inputRef={first}
            type="password"
            label={confirm ? t('vault.newPassphrase') : t('vault.passphrase')}
            autoComplete={confirm ? 'new-password' : 'current-password'}
            autoFocus
            fullWidth
            required
            slotProps={{ htmlInput: { 'data-testid': vaultTestIds.passphrase } }}
            sx={{ mb: 2 }}
          />
          {confirm ? (
            <TextField
              inputRef={second}
              type="password"
              label={t('vault.repeatPassphrase')}
              autoComplete="new-password"
              fullWidth
              required
              slotProps={{ htmlInput: { 'data-testid': vaultTestIds.passphraseRepeat } }}
            />
          ) : null}
          {problem !== null ? (
            <Alert severity="error" sx={{ mt: 2 }} data-testid={vaultTestIds.unlockError}>
              {problem}
            </Alert>
          ) : null}
          <CommandError error={unlocking.error} sx={{ mt: 2 }} testId={vaultTestIds.unlockError} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy} data-testid={vaultTestIds.unlockSubmit}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
