import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CardActionResult } from '@shared/schemas/cards';
import { useCommand } from '../app/useCommand';
import { CommandError } from './CommandError';
import { failureText } from './failureText';
import { PinPad } from './PinPad';
import { WorkingStatus } from './WorkingStatus';

export interface SecretField {
  readonly id: string;
  readonly label: string;
  /** When set, this field must equal the named one (a "repeat" field). */
  readonly repeats?: string;
}

const DIGITS = /^\d{6,8}$/;
/** Vendor PKCS#11 tokens may use letters and other lengths. */
const ANY = /^.{1,64}$/;

/**
 * Asks for PINs/PUKs with a touch PIN pad (and the keyboard). The values live in this dialog's
 * state only while it is open; they are cleared as soon as the call returns, whatever its outcome.
 */
export function SecretDialog(props: {
  title: string;
  description: string;
  fields: readonly SecretField[];
  extra?: ReactNode;
  /** Extra checks from `extra` (e.g. a management key): null when fine, a message otherwise. */
  extraError?: string | null;
  /** PIV PINs are 6 to 8 digits; other tokens take any 1 to 64 characters. */
  accept?: 'digits' | 'any';
  onSubmit: (values: Record<string, string>) => Promise<CardActionResult | { ok: false; message: string }>;
  /** Shown by the caller once the card said yes. */
  successMessage: string;
  onDone: (message: string) => void;
  onClose: () => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const { fields } = props;
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((field) => [field.id, ''])));
  const [active, setActive] = useState(fields[0]?.id ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const descriptionId = useId();
  const firstField = useRef<HTMLInputElement | null>(null);

  const fieldError = (field: SecretField): string | null => {
    const value = values[field.id] ?? '';
    if (props.accept === 'any' ? !ANY.test(value) : !DIGITS.test(value)) return t('cards.validation.digits');
    if (field.repeats !== undefined && value !== values[field.repeats]) return t('cards.validation.mismatch');
    return null;
  };
  const invalid = fields.some((field) => fieldError(field) !== null) || (props.extraError ?? null) !== null;

  const type = (id: string, next: string): void =>
    setValues((current) => ({ ...current, [id]: props.accept === 'any' ? next.slice(0, 64) : next.replace(/\D/g, '').slice(0, 8) }));

  const clearAll = (): void => setValues(Object.fromEntries(fields.map((field) => [field.id, ''])));

  // The values are the run's argument, not the runner's: it keeps nothing, and they are blanked here.
  const submitting = useCommand(async (snapshot: Record<string, string>) => {
    try {
      const result = await props.onSubmit(snapshot);
      if (result.ok) props.onDone(props.successMessage);
      else setProblem('message' in result ? result.message : failureText(t, result));
    } finally {
      for (const key of Object.keys(snapshot)) snapshot[key] = '';
      setTouched(false);
      setActive(fields[0]?.id ?? '');
    }
  });
  const busy = submitting.busy;

  // Whenever the dialog is ready for input (opened, or the card has answered), the first field has the focus.
  useEffect(() => {
    if (!busy) firstField.current?.focus();
  }, [busy]);

  const submit = (): void => {
    setTouched(true);
    if (invalid || busy) return;
    setProblem(null);
    const snapshot = { ...values };
    clearAll();
    void submitting.run(snapshot);
  };

  return (
    <Dialog open onClose={busy ? undefined : props.onClose} aria-describedby={descriptionId} data-testid={props.testId} fullWidth maxWidth="xs">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText id={descriptionId} sx={{ mb: 2 }}>
          {props.description}
        </DialogContentText>
        <Box
          component="form"
          id={`${props.testId}-form`}
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
          sx={{ display: 'grid', gap: 2 }}
        >
          {fields.map((field) => {
            const error = touched ? fieldError(field) : null;
            return (
              <TextField
                key={field.id}
                label={field.label}
                type="password"
                value={values[field.id] ?? ''}
                onChange={(event) => type(field.id, event.target.value)}
                onFocus={() => setActive(field.id)}
                error={error !== null}
                helperText={error ?? ' '}
                disabled={busy}
                autoComplete="off"
                inputRef={field.id === fields[0]?.id ? firstField : undefined}
                slotProps={{ htmlInput: { inputMode: props.accept === 'any' ? 'text' : 'numeric', maxLength: props.accept === 'any' ? 64 : 8, 'data-testid': `field-${field.id}` } }}
              />
            );
          })}
          {props.extra}
        </Box>
        <Box sx={{ mt: 1 }}>
          <PinPad
            disabled={busy}
            onDigit={(digit) => type(active, `${values[active] ?? ''}${digit}`)}
            onBackspace={() => type(active, (values[active] ?? '').slice(0, -1))}
            onClear={() => type(active, '')}
          />
        </Box>
        {busy ? <WorkingStatus sx={{ mt: 2 }} /> : null}
        {problem !== null ? (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="dialog-problem">
            {problem}
          </Alert>
        ) : null}
        <CommandError error={submitting.error} sx={{ mt: 2 }} testId="dialog-problem" />
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          {t('cards.dialog.neverAsk')}
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          {t('cards.actions.cancel')}
        </Button>
        <Button type="submit" form={`${props.testId}-form`} variant="contained" disabled={busy} data-testid="dialog-submit">
          {t('cards.actions.submit')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
