import { useEffect, useState } from 'react';
import { Alert, Box, Button, Paper, Step, StepLabel, Stepper, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { IssuancePolicy } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { CaWizard } from '../certificates';
import { PolicyForm } from '../settings';
import { HolderDialog } from '../holders';
import { useVault } from '../vault';
import { welcomeTestIds } from './testIds';
import { skippableSteps, useWelcomeProgress, welcomeSteps, type Remembered, type SkippableStep } from './welcomeProgress';

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
  const loadingPolicy = useCommand(async () => setPolicy(await unwrap(carddesk().cards.policy())));
  const loadPolicy = loadingPolicy.run;
  useEffect(() => {
    if (current === 'policy') void loadPolicy();
  }, [current, loadPolicy]);

  const keeping = useCommand((change: Partial<Remembered>) => remember(change));
  const keep = (change: Partial<Remembered>): void => void keeping.run(change);
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
          <CommandError
            error={keeping.error ?? loadingPolicy.error}
            sx={{ mb: 2 }}
            onClose={() => {
              keeping.reset();
              loadingPolicy.reset();
            }}
          />
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
