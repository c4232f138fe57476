import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { Alert, AlertTitle, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import type { IssueResult, LifecycleResult, WorkflowStep } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { ActivationDialog } from '../contracts';
import { IssueConfirmation } from './IssueConfirmation';
import { IssueSetup, type Recipient } from './IssueSetup';
import { resumableFailures, stepPlans, type WorkflowKind } from './labels';
import { ReaderChooser, type ChosenReader } from '../../components/ReaderChooser';
import { lifecycleTestIds } from './testIds';
import { useWorkflowProgress } from './useWorkflowProgress';
import { CertificateTable, LetterList, PinLetterNotice } from './WorkflowResult';
import { WorkflowSteps } from './WorkflowSteps';

/** A card workflow the operator asked for; `reader: null` lets them choose the reader in the dialog. */
export type WorkflowRequest =
  /** `purpose: 'operator'`: an operator card (Settings → Operators, issue 17), else the holder's own card. */
  | { kind: 'issue'; reader: string | null; holder: Holder | null; purpose?: 'holder' | 'operator' }
  | { kind: 'replace'; reader: string | null; holder: Holder | null; lostSerial: string | null }
  | { kind: 'resume' | 'restart'; reader: string | null; serial: string; holderName: string | null; failedStep: WorkflowStep | null }
  | { kind: 'renew' | 'resetPin' | 'retire'; reader: string | null; serial: string | null };

/** What a workflow answered; a call that failed outright is the command's error instead. */
type Outcome = { type: 'issue'; result: IssueResult } | { type: 'lifecycle'; result: LifecycleResult };

const destructive: readonly WorkflowKind[] = ['retire', 'restart'];

function expectedSerialOf(request: WorkflowRequest): string | null {
  return 'serial' in request ? request.serial : null;
}

/**
 * One card workflow from the question to its answer: what it will do (and for whom), the steps as
 * the card goes through them, and the result — certificates and letters, or where and why it
 * stopped with what to do next (resume or restart a stopped personalisation). It cannot be closed
 * while the card is being changed.
 */
export function CardWorkflowDialog({ initial, onClose }: { initial: WorkflowRequest; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [request, setRequest] = useState<WorkflowRequest>(initial);
  const [phase, setPhase] = useState<'setup' | 'confirm' | 'running' | 'finished'>('setup');
  const [chosen, setChosen] = useState<ChosenReader>({ reader: initial.reader, serial: undefined });
  const [holder, setHolder] = useState<Holder | null>('holder' in initial ? initial.holder : null);
  const [recipient, setRecipient] = useState<Recipient>('holder');
  const [lostSerial, setLostSerial] = useState<string | null>(initial.kind === 'replace' ? initial.lostSerial : null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // A card issued for its holder to choose the PIN: they may do so, and sign, right away.
  const [activating, setActivating] = useState<string | null>(null);
  const { steps, follow, stop } = useWorkflowProgress();
  const changed = useRef(false);
  const titleId = useId();
  const stepsLabelId = useId();
  const { kind } = request;
  const reader = request.reader ?? chosen.reader;

  // The user-number letter goes where the issuance policy says, unless the operator chooses otherwise;
  // if the policy cannot be read, the dialog keeps its default and the operator still chooses.
  useEffect(() => {
    if (initial.kind !== 'issue') return;
    let current = true;
    unwrap(carddesk().cards.policy())
      .then((policy) => current && setRecipient(policy.userNumberRecipient))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [initial.kind]);

  const running = useCommand((call: () => Promise<Outcome>) => withUnlocked(call));

  const onLostSerial = useCallback((serial: string | null) => setLostSerial(serial), []);

  const run = (next: WorkflowRequest, inReader: string): void => {
    const api = carddesk().cards;
    const call = (): Promise<Outcome> => {
      follow(inReader, stepPlans[next.kind]);
      switch (next.kind) {
        case 'issue':
          return unwrap(api.issue({ reader: inReader, holderId: holder?.id ?? '', userNumberRecipient: recipient, ...(next.purpose === undefined ? {} : { purpose: next.purpose }) })).then((result) => ({ type: 'issue', result }));
        case 'replace':
          return unwrap(api.replace({ reader: inReader, lostSerial: lostSerial ?? '' })).then((result) => ({ type: 'issue', result }));
        case 'resume':
        case 'restart':
          return unwrap(api.resumeIssue({ reader: inReader, serial: next.serial, restart: next.kind === 'restart' })).then((result) => ({ type: 'issue', result }));
        case 'renew':
          return unwrap(api.renew({ reader: inReader })).then((result) => ({ type: 'lifecycle', result }));
        case 'resetPin':
          return unwrap(api.resetPin({ reader: inReader })).then((result) => ({ type: 'lifecycle', result }));
        case 'retire':
          return unwrap(api.retire({ reader: inReader })).then((result) => ({ type: 'lifecycle', result }));
      }
    };
    setRequest(next);
    setOutcome(null);
    setPhase('running');
    changed.current = true;
    void running.run(call).then((answer) => {
      if (answer !== undefined) setOutcome(answer);
      stop();
      setPhase('finished');
    });
  };

  const expected = expectedSerialOf(request);
  const wrongCard = request.reader === null && expected !== null && typeof chosen.serial === 'string' && chosen.serial !== expected;
  const ready =
    reader !== null &&
    !wrongCard &&
    (request.reader !== null || chosen.serial !== undefined) &&
    (kind === 'issue' ? holder !== null : kind === 'replace' ? holder !== null && lostSerial !== null : true);

  const failure = outcome !== null && !outcome.result.ok ? outcome.result : null;
  const stoppedSerial = failure?.serial ?? null;
  const personalising = kind === 'issue' || kind === 'replace' || kind === 'resume' || kind === 'restart';
  // A personalisation that stopped once the card was known can go on from where it stopped.
  const canResume = personalising && failure !== null && stoppedSerial !== null && resumableFailures.includes(failure.reason);
  const stoppedAt = outcome?.type === 'issue' && !outcome.result.ok ? outcome.result.step : null;
  const holderName = holder === null ? null : `${holder.firstName} ${holder.lastName}`;

  const resumeRequest = (restart: boolean): WorkflowRequest => ({
    kind: restart ? 'restart' : 'resume',
    reader: request.reader,
    serial: stoppedSerial ?? '',
    holderName: 'holderName' in request ? request.holderName : holderName,
    failedStep: stoppedAt,
  });

  return (
    <Dialog open onClose={phase === 'running' ? undefined : () => onClose(changed.current)} aria-labelledby={titleId} maxWidth="md" fullWidth data-testid={lifecycleTestIds.dialog(kind)} data-phase={phase}>
      <DialogTitle id={titleId}>{t(`lifecycle.workflow.${kind}.title`)}</DialogTitle>
      {/* The steps, certificates and letters can outgrow the window with nothing focusable in them: the content itself takes focus so the keyboard can scroll it. */}
      <DialogContent tabIndex={0} role="region" aria-labelledby={titleId}>
        {phase === 'confirm' && holder !== null && reader !== null ? (
          <IssueConfirmation holder={holder} reader={reader} lostSerial={kind === 'replace' ? lostSerial : null} />
        ) : phase === 'setup' ? (
          <Box sx={{ display: 'grid', gap: 2 }}>
            <DialogContentText>
              {kind === 'resume' || kind === 'restart'
                ? t(`lifecycle.workflow.${kind}.body`, {
                    serial: request.kind === kind ? request.serial : '',
                    holder: request.kind === kind ? (request.holderName ?? '') : '',
                    step: request.kind === kind && request.failedStep !== null ? t(`lifecycle.steps.${request.failedStep}`) : t('lifecycle.stopped.unknownStep'),
                  })
                : t(`lifecycle.workflow.${kind}.body`)}
            </DialogContentText>
            {kind === 'retire' || kind === 'restart' ? <Alert severity="warning">{kind === 'retire' ? t('lifecycle.workflow.retire.warning') : t('lifecycle.workflow.restart.warning')}</Alert> : null}
            {kind === 'resetPin' ? <Alert severity="info">{t('lifecycle.letters.pinNoticeBefore')}</Alert> : null}
            {request.reader === null ? <ReaderChooser value={chosen} onChange={setChosen} expectedSerial={expected} /> : null}
            {kind === 'issue' || kind === 'replace' ? (
              <IssueSetup
                replacement={kind === 'replace'}
                holder={holder}
                holderFixed={initial.kind === kind && 'holder' in initial && initial.holder !== null}
                onHolder={setHolder}
                recipient={recipient}
                onRecipient={setRecipient}
                lostSerial={lostSerial}
                lostFixed={initial.kind === 'replace' && initial.lostSerial !== null}
                onLostSerial={onLostSerial}
              />
            ) : null}
          </Box>
        ) : (
          <Box>
            <Typography id={stepsLabelId} variant="subtitle1" component="h3" sx={{ mb: 1 }}>
              {phase === 'running' ? t('lifecycle.progress.running') : t('lifecycle.progress.title')}
            </Typography>
            <WorkflowSteps steps={steps} labelId={stepsLabelId} />
            {phase === 'finished' ? <CommandError error={running.error} testId={lifecycleTestIds.failure} sx={{ mt: 2 }} /> : null}
            {outcome === null ? null : <OutcomeView outcome={outcome} kind={kind} stoppedAt={stoppedAt} />}
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {phase === 'setup' ? (
          <>
            <Button onClick={() => onClose(changed.current)}>{t('common.cancel')}</Button>
            <Button
              variant="contained"
              color={destructive.includes(kind) ? 'error' : 'primary'}
              disabled={!ready}
              // A new personalisation starts only after the operator has seen whom and which card.
              onClick={() => (kind === 'issue' || kind === 'replace' ? setPhase('confirm') : reader !== null && run(request, reader))}
              data-testid={lifecycleTestIds.start}
            >
              {t(`lifecycle.workflow.${kind}.start`)}
            </Button>
          </>
        ) : null}
        {phase === 'confirm' ? (
          <>
            <Button onClick={() => setPhase('setup')} data-testid={lifecycleTestIds.back}>
              {t('lifecycle.confirm.back')}
            </Button>
            <Button variant="contained" disabled={!ready} onClick={() => reader !== null && run(request, reader)} data-testid={lifecycleTestIds.confirm}>
              {t('lifecycle.confirm.start')}
            </Button>
          </>
        ) : null}
        {phase === 'finished' && canResume && reader !== null ? (
          <>
            <Button
              color="error"
              onClick={() => {
                setRequest(resumeRequest(true));
                setPhase('setup');
              }}
              data-testid={lifecycleTestIds.restart}
            >
              {t('lifecycle.workflow.restart.start')}
            </Button>
            <Button variant="contained" onClick={() => run(resumeRequest(false), reader)} data-testid={lifecycleTestIds.resume}>
              {t('lifecycle.workflow.resume.start')}
            </Button>
          </>
        ) : null}
        {phase === 'finished' && !canResume && (running.error !== null || failure !== null) ? (
          <Button onClick={() => setPhase('setup')} data-testid={lifecycleTestIds.retry}>
            {t('lifecycle.workflow.retry')}
          </Button>
        ) : null}
        {phase === 'finished' && outcome?.type === 'issue' && outcome.result.ok && outcome.result.holderChoosesPin === true && outcome.result.cardState === 'awaitingActivation' ? (
          <Button variant="contained" onClick={() => outcome.result.ok && setActivating(outcome.result.serial)} data-testid={lifecycleTestIds.choosePinNow}>
            {t('lifecycle.issued.choosePinNow')}
          </Button>
        ) : null}
        {phase === 'finished' ? (
          <Button variant={canResume ? 'text' : 'contained'} onClick={() => onClose(changed.current)} data-testid={lifecycleTestIds.close}>
            {t('common.close')}
          </Button>
        ) : null}
      </DialogActions>
      {activating === null ? null : (
        <ActivationDialog
          serial={activating}
          choosePin
          onClose={(activated) => {
            setActivating(null);
            if (activated) onClose(true);
          }}
        />
      )}
    </Dialog>
  );
}

function OutcomeView({ outcome, kind, stoppedAt }: { outcome: Outcome; kind: WorkflowKind; stoppedAt: WorkflowStep | null }) {
  const { t } = useTranslation();
  const { result } = outcome;
  if (!result.ok) {
    return (
      <Alert severity="error" sx={{ mt: 2 }} data-testid={lifecycleTestIds.failure} data-reason={result.reason} data-step={stoppedAt ?? ''}>
        <AlertTitle>{t(`lifecycle.workflow.${kind}.failed`)}</AlertTitle>
        {t(`lifecycle.failure.${result.reason}`)}
        {stoppedAt === null ? null : (
          <Typography variant="body2" sx={{ mt: 1 }}>
            {t('lifecycle.stopped.at', { step: t(`lifecycle.steps.${stoppedAt}`) })}
          </Typography>
        )}
      </Alert>
    );
  }
  return (
    <Box sx={{ mt: 2 }}>
      <Alert severity="success" data-testid={lifecycleTestIds.success} data-serial={result.serial}>
        {t(`lifecycle.workflow.${kind}.done`, { serial: result.serial })}
      </Alert>
      {outcome.type === 'issue' && outcome.result.ok ? <CertificateTable certificates={outcome.result.certificates} /> : null}
      <LetterList letters={result.letters} outbox={result.outbox} />
      {outcome.type === 'issue' && outcome.result.ok && outcome.result.holderChoosesPin === true ? (
        <Alert severity="info" sx={{ mt: 2 }} data-testid={lifecycleTestIds.choosePinNotice}>
          {t('lifecycle.letters.choosePinNotice')} <strong>{t('lifecycle.letters.neverAsk')}</strong>
        </Alert>
      ) : result.letters.some((letter) => letter.kind === 'pin') ? (
        <PinLetterNotice />
      ) : null}
    </Box>
  );
}
