/**
 * The holder kiosk's settings as the desk changes them (Settings → Kiosk): the idle seconds before a
 * holder's session ends, a shuffled PIN pad, whether holders may download files. The kiosk reads
 * them from the store at each use, so a change holds from the next call on. Each change is a
 * recorded settings change with the values before and after.
 */
import type { KioskSettings } from '../../shared/schemas/kiosk';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from './desk-settings';

export class KioskSettingsService {
  constructor(private readonly deps: { readonly settings: DeskSettingsStore; readonly audit: AuditTrail }) {}

  get(): KioskSettings {
    const { idleSeconds, shufflePinPad, filesAllowed } = this.deps.settings.load().kiosk;
    return { idleSeconds, shufflePinPad, filesAllowed };
  }

  async set(next: KioskSettings, op: OperationContext): Promise<KioskSettings> {
    const before = this.get();
    const saved = await this.deps.settings.setKiosk(next);
    await this.deps.audit.record({
      action: 'settings.change',
      outcome: 'success',
      details: {
        setting: 'kiosk',
        idleSecondsFrom: before.idleSeconds,
        idleSeconds: saved.idleSeconds,
        shufflePinPadFrom: before.shufflePinPad,
        shufflePinPad: saved.shufflePinPad,
        filesAllowedFrom: before.filesAllowed,
        filesAllowed: saved.filesAllowed,
      },
      ...op,
    });
    return saved;
  }
}
