import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, Paper, Step, StepLabel, Stepper, Typography } from '@mui/material';
import { Link as RouterLink, Navigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { WelcomeProgress as WelcomeProgressState, WelcomeStep } from '@shared/schemas/app';
import type { IssuancePolicy } from '@shared/schemas/lifecycle';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { CaWizard } from '../certificates';
import { PolicyForm } from '../settings';
import { HolderDialog } from '../holders';
import { useVault } from '../vault';
import { welcomeTestIds } from './testIds';

export const welcomeSteps = ['vault', 'ca', 'policy', 'holder'] as const satisfies readonly WelcomeStep[];
type StepState = 'open' | 'done' | 'skipped';
type SkippableStep = Remembered['skipped'][number];
const skippableSteps = ['ca', 'policy', 'holder'] as const satisfies readonly SkippableStep[];

/**
 * What the data folder shows (vault set up, CA made, holders) is the progress itself, so the flow
 * resumes where it stopped; what leaves no trace there (a skipped step, a policy kept as it was)
 * the desk keeps with its settings, so every window on this data folder resumes alike.
 */
type Remembered = WelcomeProgressState;

export interface WelcomeProgress {
  /** null until the vault, the CA and the remembered progress have answered. */
  readonly states: Record<WelcomeStep, StepState> | null;
  /** The first step neither done nor skipped; null when the desk is set up. */
  readonly current: WelcomeStep | null;
  readonly remember: (change: Partial<Remembered>) => Promise<void>;
  readonly reloadCa: () => void;
}

/** The welcome flow's progress on this data folder. */
export function useWelcomeProgress(): WelcomeProgress {
  const { status } = useVault();
  const [caReady, setCaReady] = useState<boolean | null>(null);
  const [remembered, setRemembered] = useState<Remembered | null>(null);

  useEffect(() => {
    unwrap(carddesk().settings.welcome())
      .then(setRemembered)
      .catch(() => setRemembered({ skipped: [], policyDone: false }));
  }, []);

  const reloadCa = useCallback(() => {
    unwrap(carddesk().ca.status())
      .then((ca) => setCaReady(ca.ready))
      .catch(() => setCaReady(false));
  }, []);
  useEffect(reloadCa, [reloadCa, status?.initialised]);

  const remember = useCallback(
    async (change: Partial<Remembered>) => {
      const next = { skipped: [], policyDone: false, ...remembered, ...change };
      setRemembered(await unwrap(carddesk().settings.rememberWelcome(next)));
    },
    [remembered],
  );

  if (status === null || caReady === null || remembered === null) return { states: null, current: null, remember, reloadCa };
  const state = (done: boolean, step: SkippableStep): StepState => (done ? 'done' : remembered.skipped.includes(step) ? 'skipped' : 'open');
  const states: Record<WelcomeStep, StepState> = {
    vault: status.initialised ? 'done' : 'open',
    ca: state(caReady, 'ca'),
    policy: state(remembered.policyDone, 'policy'),
    holder: state(status.counts.holders > 0, 'holder'),
  };
  return { states, current: welcomeSteps.find((step) => states[step] === 'open') ?? null, remember, reloadCa };
}

/** Where the desk opens: the welcome flow until the data folder is set up, then the Cards screen. */
export function StartRoute({ deskPath }: { deskPath: string }) {
  const { t } = useTranslation();
  const { unavailable } = useVault();
  const { states, current } = useWelcomeProgress();
  if (unavailable !== null) return <Navigate to={deskPath} replace />;
  if (states === null) return <Typography role="status">{t('common.loading')}</Typography>;
  return <Navigate to={current === null ? deskPath : '/welcome'} replace />;
}

/**
 * The first run: vault passphrase → CA → issuance policy → first holder. Each step uses the same
 * form as the rest of the desk (the CA wizard, the policy form, the holder dialog).
 */
export function WelcomeFlow() {
  const { t } = useTranslation();
  const { status, refresh } = useVault();
  const { states, current, remember, reloadCa } = useWelcomeProgress();
  const [wizard, setWizard] = useState(false);
  const [holderOpen, setHolderOpen] = useState(false);
  const [policy, setPolicy] = useState<IssuancePolicy | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (current !== 'policy') return;
    unwrap(carddesk().cards.policy())
      .then(setPolicy)
      .catch((error: unknown) => setFailure(t(`errors.${errorCodeOf(error)}`)));
  }, [current, t]);

  const keep = (change: Partial<Remembered>): void => {
    remember(change).catch((error: unknown) => setFailure(t(`errors.${errorCodeOf(error)}`)));
  };
  const skip = (step: SkippableStep): void => keep({ skipped: [...skippableSteps.filter((s) => states?.[s] === 'skipped'), step] });
  const skipButton = (step: SkippableStep) => (
    <Button onClick={() => skip(step)} data-testid={welcomeTestIds.skip}>
      {t('welcome.skip')}
    </Button>
  );

  return (
    <Box data-testid={welcomeTestIds.screen} data-step={current ?? 'finished'} sx={{ maxWidth: 960 }}>
      <Typography variant="h4" component="h1">
        {t('welcome.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mt: 1, mb: 3 }}>
        {current === null && states !== null ? t('welcome.finished.intro') : t('welcome.intro')}
      </Typography>
      {states === null ? (
        <Typography role="status">{t('common.loading')}</Typography>
      ) : (
        <Paper variant="outlined" sx={{ p: 3 }}>
          <Stepper activeStep={current === null ? welcomeSteps.length : welcomeSteps.indexOf(current)} alternativeLabel sx={{ mb: 3 }}>
            {welcomeSteps.map((step) => (
              <Step key={step} completed={states[step] !== 'open'} data-testid={welcomeTestIds.step(step)} data-state={states[step]}>
                <StepLabel optional={states[step] === 'skipped' ? <Typography variant="caption">{t('welcome.skipped')}</Typography> : undefined}>{t(`welcome.steps.${step}`)}</StepLabel>
              </Step>
            ))}
          </Stepper>
          {failure !== null ? (
            <Alert severity="error" sx={{ mb: 2 }} onClose={() => setFailure(null)}>
              {failure}
            </Alert>
          ) : null}
          {current === 'vault' || current === 'ca' ? (
            <Box sx={{ display: 'grid', gap: 2 }}>
              <Typography>{current === 'vault' ? t('welcome.vault.body') : t('welcome.ca.body')}</Typography>
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button variant="contained" onClick={() => setWizard(true)} data-testid={welcomeTestIds.start}>
                  {current === 'vault' ? t('welcome.vault.start') : t('welcome.ca.start')}
                </Button>
                {current === 'ca' ? skipButton('ca') : null}
              </Box>
            </Box>
          ) : null}
          {current === 'policy' ? (
            <Box sx={{ display: 'grid', gap: 2 }}>
              <Typography>{t('welcome.policy.body')}</Typography>
              {policy !== null ? <PolicyForm initial={policy} onSaved={() => keep({ policyDone: true })} /> : null}
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button variant="outlined" onClick={() => keep({ policyDone: true })} data-testid={welcomeTestIds.keepPolicy}>
                  {t('welcome.policy.keep')}
                </Button>
                {skipButton('policy')}
              </Box>
            </Box>
          ) : null}
          {current === 'holder' ? (
            <Box sx={{ display: 'grid', gap: 2 }}>
              <Typography>{t('welcome.holder.body')}</Typography>
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button variant="contained" onClick={() => setHolderOpen(true)} data-testid={welcomeTestIds.start}>
                  {t('welcome.holder.start')}
                </Button>
                {skipButton('holder')}
              </Box>
            </Box>
          ) : null}
          {current === null ? (
            <Box sx={{ display: 'grid', gap: 2 }} data-testid={welcomeTestIds.finished}>
              <Alert severity="success">{t('welcome.finished.body')}</Alert>
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button variant="contained" component={RouterLink} to="/users">
                  {t('welcome.finished.users')}
                </Button>
                <Button variant="outlined" component={RouterLink} to="/cards">
                  {t('welcome.finished.cards')}
                </Button>
              </Box>
            </Box>
          ) : null}
        </Paper>
      )}
      {wizard ? (
        <CaWizard
          open
          onClose={() => {
            setWizard(false);
            void refresh();
            reloadCa();
          }}
          onCreated={reloadCa}
        />
      ) : null}
      {holderOpen && status !== null ? (
        <HolderDialog
          holder={null}
          onClose={() => setHolderOpen(false)}
          onSaved={() => {
            setHolderOpen(false);
            void refresh();
          }}
        />
      ) : null}
    </Box>
  );
}
