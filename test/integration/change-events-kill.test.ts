/**
 * No change without its event (issue 11 §2): holder import, certificate issue, revoke, suspend and
 * card registration, each killed with SIGKILL 20 times — right after the change is durable in the
 * vault, right after its event is durable in the log, and at random moments — then opened as the
 * app does. Every change in the vault has exactly one event, every acknowledged change has the
 * event its call recorded, and no event names a change the vault lacks (test/support/change-kill.ts).
 * `npm run soak:events` runs 1,000 such trials.
 */
import { describe, expect, it } from 'vitest';
import { changeTrials } from '../support/change-kill';
import { CHANGE_OPERATIONS } from '../support/change-operations';

describe('a vault change and its audit event, killed in between', () => {
  it('leave exactly one event per change, 20 kills for each operation', async () => {
    const { trials } = await changeTrials(20);
    expect(trials).toHaveLength(20 * CHANGE_OPERATIONS.length);
    for (const operation of CHANGE_OPERATIONS) {
      const mine = trials.filter((trial) => trial.operation === operation);
      // Kills right after the vault write left changes whose events recovery wrote…
      expect(mine.filter((trial) => 'at' in trial.plan && trial.plan.at === 'vault').every((trial) => trial.recovered === 1), operation).toBe(true);
      // …and kills at random moments landed after some acknowledged changes.
      expect(mine.some((trial) => !('at' in trial.plan) && trial.acknowledged > 0), operation).toBe(true);
    }
  }, 400_000);
});
