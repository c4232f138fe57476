import type { WorkflowProgress, WorkflowStep } from '@shared/schemas/lifecycle';

export type StepState = 'waiting' | WorkflowProgress['state'];

export interface StepView {
  readonly step: WorkflowStep;
  readonly state: StepState;
}

/** The planned steps, all waiting. */
export function waitingSteps(plan: readonly WorkflowStep[]): StepView[] {
  return plan.map((step) => ({ step, state: 'waiting' }));
}

/** One progress event applied to the list: the step takes its new state; an unforeseen step is inserted at its position. */
export function applyProgress(steps: readonly StepView[], event: Pick<WorkflowProgress, 'step' | 'state' | 'index'>): StepView[] {
  const at = steps.findIndex((view) => view.step === event.step);
  if (at >= 0) return steps.map((view, index) => (index === at ? { step: view.step, state: event.state } : view));
  const next = [...steps];
  next.splice(Math.min(Math.max(event.index - 1, 0), next.length), 0, { step: event.step, state: event.state });
  return next;
}

/** Steps finished (done or skipped), for the progress bar. */
export function finishedCount(steps: readonly StepView[]): number {
  return steps.filter((view) => view.state === 'done' || view.state === 'skipped').length;
}
