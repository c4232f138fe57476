import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
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

/**
 * The holder activates their new card at the desk: the card in a reader, the contract on screen,
 * the PIN from their PIN letter typed by the holder (on the pad or the keyboard; the operator never
 * sees it, and it is forgotten when the dialog closes), then the card signs the contract.
 */
export function ActivationDialog({ serial, onClose }: { serial: string; onClose: (activated: boolean) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [chosen, setChosen] = useState<ChosenReader>({ reader: null, serial: undefined });
  const [contract, setContract] = useState<Uint8Array | null>(null);
  const [pin, setPin] = useState('');
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

  const activating = useCommand(async (reader: string, typed: string) => {
    follow(reader, workflowPlans.activate);
    try {
      const outcome = await withUnlocked(() => unwrap(carddesk().cards.activate({ reader, pin: typed })));
      setResult(outcome);
    } finally {
      stop();
      setPin('');
    }
  });
  const busy = activating.busy;
  const wrongCard = typeof chosen.serial === 'string' && chosen.serial !== serial;
  const ready = chosen.reader !== null && chosen.serial === serial && PIN.test(pin) && contract !== null && !busy;
  const done = result?.ok === true;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!ready || chosen.reader === null) return;
    setResult(null);
    void activating.run(chosen.reader, pin);
  };
  const close = (): void => {
    setPin('');
    onClose(done);
  };

  return (
    <Dialog open onClose={busy ? undefined : close} aria-labelledby={titleId} maxWidth="lg" fullWidth data-testid={contractsTestIds.activationDialog}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t('lifecycle.workflow.activate.title')}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{t('lifecycle.workflow.activate.body')}</DialogContentText>
          <CommandError error={loading.error} sx={{ mb: 2 }} />
          {!loading.busy && contract === null && loading.error === null && <Alert severity="warning">{t('lifecycle.failure.noContract')}</Alert>}
          <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 3fr) minmax(260px, 1fr)' }, gap: 2, alignItems: 'start' }}>
            {contract !== null ? <PdfViewer data={contract} fileName={`contract-${serial}.pdf`} height="60vh" onDownload={() => downloadBytes(`contract-${serial}.pdf`, contract, 'application/pdf')} /> : <Box />}
            <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
              {!done && <ReaderChooser value={chosen} onChange={setChosen} expectedSerial={serial} />}
              {wrongCard && <Alert severity="error">{t('lifecycle.failure.wrongCard')}</Alert>}
              {!done && (
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
