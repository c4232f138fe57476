/**
 * The desk's own settings that are not secrets: PKCS#11 vendor modules added by the operator,
 * the network listener (off until an administrator turns it on), and where this machine sends PIN
 * letters (a drop folder, a printer), the welcome flow's skipped steps, and the holder kiosk's settings.
 * Kept in `<dataDir>/settings.json`; a damaged file is reported, never silently replaced.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { CardDeskError } from '../../shared/errors';
import { WelcomeProgressSchema } from '../../shared/schemas/app';
import { KIOSK_IDLE_SECONDS, KioskSettingsSchema, type KioskSettings } from '../../shared/schemas/kiosk';
import { NetworkListenerSettingsSchema, type NetworkListenerSettings } from '../../shared/schemas/network-listener';
import { readJsonFile, writeJsonFileAtomically } from './json-file';

export const defaultNetworkListener: NetworkListenerSettings = { enabled: false, address: '0.0.0.0', port: 8080 };

const ModuleSchema = z.object({ id: z.string(), name: z.string(), path: z.string() });

export const DeskSettingsSchema = z.object({
  format: z.literal(1),
  pkcs11Modules: z.array(ModuleSchema),
  networkListener: NetworkListenerSettingsSchema.default(defaultNetworkListener),
  /** Library folders an administrator allowed beyond the OS's own (real paths), for PKCS#11 modules. */
  pkcs11LibraryFolders: z.array(z.string()).default([]),
  /** Absent in a file written before letters could be sent from the app. */
  letters: z.object({ folder: z.string().nullable(), printer: z.string().nullable() }).optional(),
  /** The welcome flow's skipped steps; absent until the operator skips one or keeps the policy. */
  welcome: WelcomeProgressSchema.optional(),
  /** The holder's kiosk: idle seconds before a session ends, a shuffled PIN pad, whether holders may download files. */
  kiosk: z
    .object({
      idleSeconds: KioskSettingsSchema.shape.idleSeconds.default(KIOSK_IDLE_SECONDS.default),
      shufflePinPad: KioskSettingsSchema.shape.shufflePinPad.default(false),
      filesAllowed: KioskSettingsSchema.shape.filesAllowed.default(true),
    })
    .default({ idleSeconds: KIOSK_IDLE_SECONDS.default, shufflePinPad: false, filesAllowed: true }),
});
export type DeskSettings = z.infer<typeof DeskSettingsSchema>;

export const defaultKioskSettings = { idleSeconds: KIOSK_IDLE_SECONDS.default, shufflePinPad: false, filesAllowed: true } as const;

const defaults: DeskSettings = { format: 1, pkcs11Modules: [], networkListener: defaultNetworkListener, pkcs11LibraryFolders: [], kiosk: { ...defaultKioskSettings } };

export class DeskSettingsStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  load(): DeskSettings {
    const raw = readJsonFile(this.path);
    if (raw === null) return structuredClone(defaults);
    const parsed = DeskSettingsSchema.safeParse(raw);
    if (!parsed.success) throw new CardDeskError('INTERNAL', `${this.path} is damaged; fix or remove it.`);
    return parsed.data;
  }

  /** The holder kiosk's settings, checked against their bounds; returns what was saved. */
  setKiosk(next: KioskSettings): KioskSettings {
    const parsed = KioskSettingsSchema.safeParse(next);
    if (!parsed.success) throw new CardDeskError('INVALID_ARGUMENTS', `The kiosk settings are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    return this.update((settings) => ({ ...settings, kiosk: { ...parsed.data } })).kiosk;
  }

  update(change: (settings: DeskSettings) => DeskSettings): DeskSettings {
    const next = change(this.load());
    writeJsonFileAtomically(this.path, next);
    return next;
  }
}
