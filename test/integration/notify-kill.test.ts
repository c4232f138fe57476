/**
 * Kill -9 of the notification sender mid-batch (issue 15 §8): 20 trials of 30 messages each,
 * the sender SIGKILLed right after the SMTP server accepted a message (half the trials: before
 * it could mark it sent) or at random moments, restarted until the outbox is empty. No message
 * is lost, every duplicate carries the Message-ID of its original; duplicates are counted and
 * printed. `npm run soak:notify` runs more (test/support/notify-kill.ts).
 */
import { describe, expect, it } from 'vitest';
import { killSummary, notifyKillTrials } from '../support/notify-kill';

describe('the notification sender, killed mid-batch', () => {
  it('loses no message in 20 trials, and every duplicate carries its original’s Message-ID', async () => {
    const { trials, seconds } = await notifyKillTrials(20);
    console.log(killSummary(trials, seconds));
    expect(trials).toHaveLength(20);
    expect(trials.every((trial) => trial.kills >= 1 && trial.received >= trial.queued)).toBe(true);
    // A kill right after the server accepted a message, before its mark: that one is sent again.
    const afterAcceptance = trials.filter((trial) => trial.plan.kind === 'accepted');
    expect(afterAcceptance.some((trial) => trial.duplicates > 0)).toBe(true);
  }, 600_000);
});
