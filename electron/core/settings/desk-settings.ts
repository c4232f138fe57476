/**
 * The desk's own settings that are not secrets: PKCS#11 vendor modules added by the operator,
 * the network listener (off until an administrator turns it on), and where this machine sends PIN
 * letters (a drop folder, a printer), and the welcome flow's skipped steps.
 * Kept in `<dataDir>/settings.json`; a damaged file is reported, never silently replaced.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { CardDeskError } from '../../shared/errors';
import { WelcomeProgressSchema } from '../../shared/schemas/app';
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
      idleSeconds: z.number().int().min(15).max(900).default(60),
      shufflePinPad: z.boolean().default(false),
      filesAllowed: z.boolean().default(true),
    })
    .default({ idleSeconds: 60, shufflePinPad: false, filesAllowed: true }),
});
export type DeskSettings = z.infer<typeof DeskSettingsSchema>;

export const defaultKioskSettings = { idleSeconds: 60, shufflePinPad: false, filesAllowed: true } as const;

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

  update(change: (settings: DeskSettings) => DeskSettings): DeskSettings {
    const next = change(this.load());
    writeJsonFileAtomically(this.path, next);
    return next;
  }
}
