import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { LifecycleResult } from '@shared/schemas/lifecycle';
import { workflowPlans } from '@shared/workflow-plans';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { PinPad } from '../../components/PinPad';
import { ReaderChooser, type ChosenReader } from '../../components/ReaderChooser';
import { useVault } from '../vault';
import { useWorkflowProgress, WorkflowSteps } from '../lifecycle';
import { PdfViewer } from './viewer';
import { bytesOf, downloadBytes } from './labels';
import { contractsTestIds } from './testIds';

const PIN = /^\d{6,8}$/;
const digitsOnly = (value: string): string => value.replace(/\D/g, '').slice(0, 8);

/**
 * The holder activates their new card at the desk: the card in a reader, the contract on screen,
 * the PIN from their PIN letter typed by the holder (on the pad or the keyboard; the operator never
 * sees it, and it is forgotten when the dialog closes), then the card signs the contract.
 *
 * A card issued for its holder to choose the PIN (its transport PIN still in the vault) asks for a
 * new PIN instead, typed twice: the card takes it, then signs. The dialog asks the desk which of
 * the two the card needs when it opens and after each attempt that did not activate it (a card
 * pulled after it took the new PIN needs that PIN next).
 */
export function ActivationDialog({ serial, onClose, choosePin: choosePinHint = false }: { serial: string; onClose: (activated: boolean) => void; choosePin?: boolean }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [chosen, setChosen] = useState<ChosenReader>({ reader: null, serial: undefined });
  const [contract, setContract] = useState<Uint8Array | null>(null);
  const [pin, setPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [choosePin, setChoosePin] = useState(choosePinHint);
  const [pinLength, setPinLength] = useState<number | null>(null);
  const [result, setResult] = useState<LifecycleResult | null>(null);
  const { steps, follow, stop } = useWorkflowProgress();
  const titleId = useId();
  const stepsId = useId();

  const loading = useCommand(async () => {
    const waiting = await unwrap(carddesk().contracts.awaiting({ serial }));
    if (waiting === null) return;
    const document = await unwrap(carddesk().contracts.open({ id: waiting.id }));
    setContract(bytesOf(document.base64));
  });
  const load = loading.run;
  useEffect(() => void load(), [load]);

  // Whether the holder chooses the PIN now (the card's transport PIN is still in the vault), and how many digits.
  const checking = useCommand(async () => {
    const [status, policy] = await Promise.all([unwrap(carddesk().cards.record({ serial })), unwrap(carddesk().cards.policy())]);
    setChoosePin(status.personalisation?.transportPinPending === true);
    setPinLength(policy.pinLength);
  });
  const check = checking.run;
  useEffect(() => void check(), [check]);

  const forget = (): void => {
    setPin('');
    setNewPin('');
    setRepeat('');
  };

  const activating = useCommand(async (reader: string, typed: { pin: string } | { newPin: string }) => {
    follow(reader, workflowPlans.activate);
    try {
      const outcome = await withUnlocked(() => unwrap(carddesk().cards.activate({ reader, ...typed })));
      setResult(outcome);
      if (!outcome.ok) await check();
    } finally {
      stop();
      forget();
    }
  });
  const busy = activating.busy || checking.busy;
  const wrongCard = typeof chosen.serial === 'string' && chosen.serial !== serial;
  const newPinComplete = pinLength !== null && newPin.length === pinLength;
  const mismatch = newPinComplete && repeat.length >= newPin.length && repeat !== newPin;
  const pinReady = choosePin ? newPinComplete && repeat === newPin : PIN.test(pin);
  const ready = chosen.reader !== null && chosen.serial === serial && pinReady && contract !== null && !busy;
  const done = result?.ok === true;
  // The pad fills the new PIN, then its repeat.
  const padInto: 'newPin' | 'repeat' = newPinComplete ? 'repeat' : 'newPin';

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready || chosen.reader === null) return;
    setResult(null);
    void activating.run(chosen.reader, choosePin ? { newPin } : { pin });
  };
  const close = (): void => {
    forget();
    onClose(done);
  };

  return (
    <Dialog open onClose={busy ? undefined : close} aria-labelledby={titleId} maxWidth="lg" fullWidth data-testid={contractsTestIds.activationDialog}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t('lifecycle.workflow.activate.title')}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{t(choosePin ? 'lifecycle.workflow.activate.bodyChoosePin' : 'lifecycle.workflow.activate.body')}</DialogContentText>
          <CommandError error={loading.error} sx={{ mb: 2 }} />
          <CommandError error={checking.error} sx={{ mb: 2 }} />
          {!loading.busy && contract === null && loading.error === null && <Alert severity="warning">{t('lifecycle.failure.noContract')}</Alert>}
          <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 3fr) minmax(260px, 1fr)' }, gap: 2, alignItems: 'start' }}>
            {contract !== null ? <PdfViewer data={contract} fileName={`contract-${serial}.pdf`} height="60vh" onDownload={() => downloadBytes(`contract-${serial}.pdf`, contract, 'application/pdf')} /> : <Box />}
            <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
              {!done && <ReaderChooser value={chosen} onChange={setChosen} expectedSerial={serial} />}
              {wrongCard && <Alert severity="error">{t('lifecycle.failure.wrongCard')}</Alert>}
              {!done && choosePin && (
                <>
                  <TextField
                    label={t('contracts.activation.newPin')}
                    type="password"
                    value={newPin}
                    autoComplete="off"
                    disabled={busy}
                    onChange={(e) => setNewPin(digitsOnly(e.target.value))}
                    helperText={pinLength === null ? ' ' : t('contracts.activation.newPinHelp', { count: pinLength })}
                    slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: pinLength ?? 8, 'data-testid': contractsTestIds.activationNewPin } }}
                  />
                  <TextField
                    label={t('contracts.activation.repeatPin')}
                    type="password"
                    value={repeat}
                    autoComplete="off"
                    disabled={busy}
                    error={mismatch}
                    onChange={(e) => setRepeat(digitsOnly(e.target.value))}
                    helperText={mismatch ? t('contracts.activation.mismatch') : ' '}
                    slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: pinLength ?? 8, 'data-testid': contractsTestIds.activationRepeatPin }, formHelperText: { 'data-testid': mismatch ? contractsTestIds.activationMismatch : undefined } as object }}
                  />
                  <Typography variant="body2" color="text.secondary" aria-live="polite">
                    {t('contracts.activation.padTarget')} {t(padInto === 'newPin' ? 'contracts.activation.newPin' : 'contracts.activation.repeatPin')}
                  </Typography>
                  <PinPad
                    disabled={busy}
                    onDigit={(digit) => {
                      const limit = pinLength ?? 8;
                      if (padInto === 'newPin') setNewPin((p) => (p.length < limit ? p + digit : p));
                      else setRepeat((p) => (p.length < limit ? p + digit : p));
                    }}
                    onBackspace={() => (repeat.length > 0 ? setRepeat((p) => p.slice(0, -1)) : setNewPin((p) => p.slice(0, -1)))}
                    onClear={() => {
                      setNewPin('');
                      setRepeat('');
                    }}
                  />
                </>
              )}
              {!done && !choosePin && (
                <>
                  <TextField
                    label={t('contracts.activation.pin')}
                    type="password"
                    value={pin}
                    autoComplete="off"
                    disabled={busy}
                    onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
                    helperText={t('contracts.activation.pinHelp')}
                    slotProps={{ htmlInput: { inputMode: 'numeric', 'data-testid': contractsTestIds.activationPin } }}
                  />
                  <PinPad disabled={busy} onDigit={(digit) => setPin((p) => (p.length < 8 ? p + digit : p))} onBackspace={() => setPin((p) => p.slice(0, -1))} onClear={() => setPin('')} />
                </>
              )}
              {steps.length > 0 && <WorkflowSteps steps={steps} labelId={stepsId} />}
              <CommandError error={activating.error} />
              {result !== null && !result.ok && (
                <Alert severity="error" data-testid={contractsTestIds.activationFailure} data-reason={result.reason}>
                  {t(`lifecycle.failure.${result.reason}`)}
                  {result.triesLeft !== undefined && ` ${t('contracts.activation.triesLeft', { count: result.triesLeft })}`}
                </Alert>
              )}
              {done && (
                <Alert severity="success" data-testid={contractsTestIds.activationDone}>
                  {t('lifecycle.workflow.activate.done', { serial })}
                </Alert>
              )}
            </Box>
          </Box>
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={busy}>
            {done ? t('common.close') : t('common.cancel')}
          </Button>
          {!done && (
            <Button type="submit" variant="contained" disabled={!ready} data-testid={contractsTestIds.activationSubmit}>
              {t('lifecycle.workflow.activate.start')}
            </Button>
          )}
        </DialogActions>
      </form>
    </Dialog>
  );
}
