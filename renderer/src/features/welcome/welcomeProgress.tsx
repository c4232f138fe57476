/**
 * The welcome flow's progress, and where the desk opens: kept apart from the flow's screens, which
 * load only when the flow is shown (DeskApp), so a set-up desk's start needs none of their code.
 */
import { useCallback, useEffect, useState } from 'react';
import { Typography } from '@mui/material';
import { Navigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { WelcomeProgress as WelcomeProgressState, WelcomeStep } from '@shared/schemas/app';
import { skippableWelcomeSteps, welcomeSteps } from '@shared/enums';
import { carddesk, unwrap } from '../../api/carddesk';
import { useVault } from '../vault';

export { welcomeSteps };
type StepState = 'open' | 'done' | 'skipped';
export type SkippableStep = Remembered['skipped'][number];
export const skippableSteps: readonly SkippableStep[] = skippableWelcomeSteps;

/**
 * What the data folder shows (vault set up, CA made, holders) is the progress itself, so the flow
 * resumes where it stopped; what leaves no trace there (a skipped step, a policy kept as it was)
 * the desk keeps with its settings, so every window on this data folder resumes alike.
 */
export type Remembered = WelcomeProgressState;

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
