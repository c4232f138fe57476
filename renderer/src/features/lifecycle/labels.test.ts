import { describe, expect, it } from 'vitest';
import { applyProgress, finishedCount, waitingSteps } from './progress';
import { lifecycleFailures, resumableFailures, stepPlans, workflowStepOrder } from './labels';

describe('workflow plans', () => {
  it('plan only known steps, in the order personalisation runs them', () => {
    for (const plan of Object.values(stepPlans)) {
      const positions = plan.map((step) => workflowStepOrder.indexOf(step));
      expect(positions.every((position) => position >= 0)).toBe(true);
      expect(new Set(plan).size).toBe(plan.length);
    }
    expect(resumableFailures.every((reason) => lifecycleFailures.includes(reason))).toBe(true);
  });
});

describe('workflow progress', () => {
  const run = { index: 1 };

  it('moves each planned step through its states', () => {
    let steps = waitingSteps(['identify', 'authenticate', 'pinReset', 'letters']);
    steps = applyProgress(steps, { ...run, step: 'identify', state: 'running' });
    expect(steps.map((view) => view.state)).toEqual(['running', 'waiting', 'waiting', 'waiting']);
    steps = applyProgress(steps, { ...run, step: 'identify', state: 'done' });
    steps = applyProgress(steps, { index: 2, step: 'authenticate', state: 'failed' });
    expect(steps.map((view) => view.state)).toEqual(['done', 'failed', 'waiting', 'waiting']);
    expect(finishedCount(steps)).toBe(1);
  });

  it('inserts a step the plan did not foresee at the position the services announce', () => {
    const steps = applyProgress(waitingSteps(['identify', 'letters', 'activate']), { index: 2, step: 'recoverKeys', state: 'skipped' });
    expect(steps.map((view) => view.step)).toEqual(['identify', 'recoverKeys', 'letters', 'activate']);
    expect(finishedCount(steps)).toBe(1);
  });
});
