/**
 * The desk's operator-session settings as a CA administrator changes them (Settings → Operators,
 * issue 17 §2): the minutes without a call before an operator's session ends, and what the card
 * leaving its reader does (lock the desk until the same operator is back, or sign out). The session
 * reads them from the store when it needs them, so a change holds at once. Each change is a
 * recorded settings change with the values before and after.
 */
import { CardDeskError } from '../../shared/errors';
import { OperatorSessionSettingsSchema, type OperatorSessionSettings } from '../../shared/schemas/operators';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from './desk-settings';

export class OperatorSessionSettingsService {
  constructor(private readonly deps: { readonly settings: DeskSettingsStore; readonly audit: AuditTrail }) {}

  get(): OperatorSessionSettings {
    const { idleMinutes, cardRemoval } = this.deps.settings.load().operatorSession;
    return { idleMinutes, cardRemoval };
  }

  async set(next: OperatorSessionSettings, op: OperationContext): Promise<OperatorSessionSettings> {
    const parsed = OperatorSessionSettingsSchema.safeParse(next);
    if (!parsed.success) throw new CardDeskError('INVALID_ARGUMENTS', `The operator session settings are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    const before = this.get();
    const saved = (await this.deps.settings.update((settings) => ({ ...settings, operatorSession: { ...parsed.data } }))).operatorSession;
    await this.deps.audit.record({
      action: 'settings.change',
      outcome: 'success',
      details: { setting: 'operatorSession', idleMinutesFrom: before.idleMinutes, idleMinutes: saved.idleMinutes, cardRemovalFrom: before.cardRemoval, cardRemoval: saved.cardRemoval },
      ...op,
    });
    return saved;
  }
}
