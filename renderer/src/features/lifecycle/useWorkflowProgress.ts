import { useCallback, useEffect, useRef, useState } from 'react';
import type { WorkflowStep } from '@shared/schemas/lifecycle';
import { carddesk } from '../../api/carddesk';
import { applyProgress, waitingSteps, type StepView } from './progress';

/**
 * Follows one run of a card workflow in one reader through the `cards:progress` events. `follow`
 * is called just before the workflow is asked for; the first run announced for that reader is
 * ours, and events of any other run (another window's) are ignored.
 */
export function useWorkflowProgress(): { steps: StepView[]; follow: (reader: string, plan: readonly WorkflowStep[]) => void; stop: () => void } {
  const [steps, setSteps] = useState<StepView[]>([]);
  const watching = useRef<{ reader: string; run: string | null } | null>(null);

  useEffect(
    () =>
      carddesk().cards.onProgress((event) => {
        const watch = watching.current;
        if (watch === null || event.reader !== watch.reader) return;
        if (watch.run === null) watch.run = event.run;
        else if (watch.run !== event.run) return;
        setSteps((current) => applyProgress(current, event));
      }),
    [],
  );

  const follow = useCallback((reader: string, plan: readonly WorkflowStep[]) => {
    watching.current = { reader, run: null };
    setSteps(waitingSteps(plan));
  }, []);
  const stop = useCallback(() => {
    watching.current = null;
  }, []);
  return { steps, follow, stop };
}
