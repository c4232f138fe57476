/**
 * The welcome flow's progress that the data folder does not show by itself (a skipped step, the
 * issuance policy kept as it was), kept with the desk's settings so that every window and browser
 * on this data folder resumes at the same step. Each change is a recorded settings change.
 */
import type { WelcomeProgress } from '../../shared/schemas/app';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from './desk-settings';

export const noWelcomeProgress: WelcomeProgress = { skipped: [], policyDone: false };

export class WelcomeProgressService {
  constructor(private readonly deps: { readonly settings: DeskSettingsStore; readonly audit: AuditTrail }) {}

  get(): WelcomeProgress {
    return this.deps.settings.load().welcome ?? noWelcomeProgress;
  }

  async remember(progress: WelcomeProgress, op: OperationContext): Promise<WelcomeProgress> {
    const next: WelcomeProgress = { skipped: [...new Set(progress.skipped)], policyDone: progress.policyDone };
    await this.deps.settings.update((settings) => ({ ...settings, welcome: next }));
    const skipped = next.skipped.length === 0 ? 'none' : next.skipped.join(', ');
    await this.deps.audit.record({ action: 'settings.change', outcome: 'success', details: { setting: 'welcome', skipped, policyDone: next.policyDone }, ...op });
    return next;
  }
}
