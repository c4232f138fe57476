import { useEffect, useId, useRef, useState } from 'react';
import { Box, Button, Typography } from '@mui/material';
import BackspaceOutlinedIcon from '@mui/icons-material/BackspaceOutlined';
import { useTranslation } from 'react-i18next';
import { kioskTestIds } from './testIds';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;

/** The ten digits in a random order (crypto random, Fisher–Yates), for a pad that is not read over a shoulder. */
function shuffled(): string[] {
  const digits: string[] = [...DIGITS];
  const random = new Uint32Array(digits.length);
  crypto.getRandomValues(random);
  for (let i = digits.length - 1; i > 0; i -= 1) {
    const j = (random[i] ?? 0) % (i + 1);
    [digits[i], digits[j]] = [digits[j] ?? '', digits[i] ?? ''];
  }
  return digits;
}

export interface PinPadProps {
  /** What to type, said above the dots ("Type your PIN"). */
  readonly prompt: string;
  /** Gets the PIN once, when OK is pressed; the pad forgets it at once. */
  readonly onSubmit: (pin: string) => void;
  readonly shuffle?: boolean;
  readonly disabled?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Under the dots: tries left, a mismatch, … */
  readonly children?: React.ReactNode;
}

/**
 * The kiosk's PIN pad: large keys (digits, erase, OK), optionally shuffled, and the digits keys of
 * a physical keyboard. The PIN is shown as dots only: it is in no text node and no attribute, only
 * in this component's state, and that state is emptied when the PIN is handed on.
 */
export function PinPad({ prompt, onSubmit, shuffle = false, disabled = false, minLength = 6, maxLength = 8, children }: PinPadProps) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [order] = useState(() => (shuffle ? shuffled() : [...DIGITS]));
  const promptId = useId();
  const type = (digit: string): void => {
    if (disabled) return;
    setPin((current) => (current.length >= maxLength ? current : `${current}${digit}`));
  };
  const erase = (): void => setPin((current) => current.slice(0, -1));
  const submit = (): void => {
    if (disabled || pin.length < minLength) return;
    const typed = pin;
    setPin('');
    onSubmit(typed);
  };
  const keys = useRef({ type, erase, submit });
  useEffect(() => {
    keys.current = { type, erase, submit };
  });

  // A physical keyboard works too; a field that takes text of its own keeps its keys.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[0-9]$/.test(event.key)) {
        event.preventDefault();
        keys.current.type(event.key);
      } else if (event.key === 'Backspace') {
        event.preventDefault();
        keys.current.erase();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        keys.current.submit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const key = { minWidth: 88, minHeight: 80, fontSize: '2rem', fontWeight: 600 } as const;
  const first = order.slice(0, 9);
  const last = order[9] ?? '0';

  return (
    <Box data-testid={kioskTestIds.pinPad} data-shuffled={shuffle ? 'true' : 'false'} role="group" aria-labelledby={promptId} sx={{ display: 'grid', gap: 2, justifyItems: 'center', width: '100%', maxWidth: 440 }}>
      <Typography id={promptId} variant="h4" component="h2" data-testid={kioskTestIds.pinPrompt} sx={{ textAlign: 'center' }}>
        {prompt}
      </Typography>
      <Box data-testid={kioskTestIds.pinDots} data-count={pin.length} aria-hidden sx={{ display: 'flex', gap: 1.5, minHeight: 32, alignItems: 'center' }}>
        {Array.from({ length: maxLength }, (_, index) => (
          <Box
            key={index}
            sx={{
              width: 24,
              height: 24,
              borderRadius: '50%',
              border: 2,
              borderColor: index < minLength || index < pin.length ? 'text.primary' : 'divider',
              bgcolor: index < pin.length ? 'text.primary' : 'transparent',
            }}
          />
        ))}
      </Box>
      <Typography role="status" variant="body1">
        {t('kiosk.pin.typed', { digits: pin.length })}
      </Typography>
      {children}
      <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 1.5, width: '100%' }}>
        {first.map((digit) => (
          <Button key={digit} variant="outlined" sx={key} disabled={disabled} data-testid={kioskTestIds.pinKey(digit)} onClick={() => type(digit)}>
            {digit}
          </Button>
        ))}
        <Button variant="outlined" color="inherit" sx={key} disabled={disabled || pin.length === 0} aria-label={t('kiosk.pin.erase')} data-testid={kioskTestIds.pinKey('erase')} onClick={erase}>
          <BackspaceOutlinedIcon aria-hidden fontSize="large" />
        </Button>
        <Button variant="outlined" sx={key} disabled={disabled} data-testid={kioskTestIds.pinKey(last)} onClick={() => type(last)}>
          {last}
        </Button>
        <Button variant="contained" sx={key} disabled={disabled || pin.length < minLength} data-testid={kioskTestIds.pinKey('ok')} onClick={submit}>
          {t('kiosk.pin.ok')}
        </Button>
      </Box>
    </Box>
  );
}

export interface PinStep {
  readonly prompt: string;
  /** This step must repeat the step before it (a new PIN typed twice). */
  readonly repeats?: boolean;
}

/**
 * Several PINs in a row on one pad (current PIN, new PIN, the new PIN again): each is held only
 * until the last is typed, then all are handed on together and forgotten here.
 */
export function PinSteps({ steps, onDone, shuffle, disabled, children }: { steps: readonly PinStep[]; onDone: (values: string[]) => void; shuffle?: boolean; disabled?: boolean; children?: React.ReactNode }) {
  const { t } = useTranslation();
  const values = useRef<string[]>([]);
  const [index, setIndex] = useState(0);
  const [mismatch, setMismatch] = useState(false);
  useEffect(
    () => () => {
      values.current = [];
    },
    [],
  );
  const step = steps[index] ?? steps[0];
  const next = (value: string): void => {
    if (step?.repeats === true && values.current[index - 1] !== value) {
      // Typed differently: both are typed again.
      values.current = values.current.slice(0, index - 1);
      setMismatch(true);
      setIndex(index - 1);
      return;
    }
    setMismatch(false);
    values.current = [...values.current.slice(0, index), value];
    if (index + 1 < steps.length) {
      setIndex(index + 1);
      return;
    }
    const all = values.current;
    values.current = [];
    setIndex(0);
    onDone(all);
  };
  return (
    // A new pad per step: nothing typed for one step shows in the next.
    <PinPad key={index} prompt={step?.prompt ?? ''} onSubmit={next} shuffle={shuffle} disabled={disabled}>
      {steps.length > 1 ? (
        <Typography variant="body1" color="text.secondary">
          {t('kiosk.pin.step', { step: index + 1, steps: steps.length })}
        </Typography>
      ) : null}
      {mismatch ? (
        <Typography role="alert" color="error" variant="h6" data-testid={kioskTestIds.pinProblem}>
          {t('kiosk.pin.mismatch')}
        </Typography>
      ) : null}
      {children}
    </PinPad>
  );
}
