/**
 * The desk's own settings that are not secrets: PKCS#11 vendor modules added by the operator,
 * the network listener (off until an administrator turns it on), and where this machine sends PIN
 * letters (a drop folder, a printer), the welcome flow's skipped steps, and the holder kiosk's settings.
 * Kept in `<dataDir>/settings.json`, read when the store is opened and held in memory after that;
 * a damaged file is reported, never silently replaced.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { CardDeskError } from '../../shared/errors';
import { WelcomeProgressSchema } from '../../shared/schemas/app';
import { KIOSK_IDLE_SECONDS, KioskSettingsSchema, type KioskSettings } from '../../shared/schemas/kiosk';
import { NetworkListenerSettingsSchema, type NetworkListenerSettings } from '../../shared/schemas/network-listener';
import { OperatorSessionSettingsSchema } from '../../shared/schemas/operators';
import { readJsonFile, writeJsonFileAtomically } from './json-file';

/** Minutes an operator session lasts without a call (issue 17 §2). */
export const OPERATOR_IDLE_MINUTES = 15;

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
  /** The desk's operator session (issue 17 §2): minutes without a call before the operator is signed out. */
  operatorSession: z
    .object({
      idleMinutes: OperatorSessionSettingsSchema.shape.idleMinutes.default(OPERATOR_IDLE_MINUTES),
      /** What the operator's card leaving its reader does: sign out (as before the setting existed) or lock. */
      cardRemoval: OperatorSessionSettingsSchema.shape.cardRemoval.default('signOut'),
    })
    .default({ idleMinutes: OPERATOR_IDLE_MINUTES, cardRemoval: 'signOut' }),
});
export type DeskSettings = z.infer<typeof DeskSettingsSchema>;

export const defaultKioskSettings = { idleSeconds: KIOSK_IDLE_SECONDS.default, shufflePinPad: false, filesAllowed: true } as const;

const defaults: DeskSettings = {
  format: 1,
  pkcs11Modules: [],
  networkListener: defaultNetworkListener,
  pkcs11LibraryFolders: [],
  kiosk: { ...defaultKioskSettings },
  operatorSession: { idleMinutes: OPERATOR_IDLE_MINUTES, cardRemoval: 'signOut' },
};

/**
 * settings.json, read once when the store is opened and kept in memory from then on: one process
 * owns a data folder (the vault lock), so after `open()` memory is the truth and `load()` answers
 * from it without touching the disk. A change is written durably first (temporary file, fsync,
 * rename, fsync of the folder) and only then becomes what `load()` returns; changes run one after
 * another, each on the settings the one before it saved.
 */
export class DeskSettingsStore {
  readonly path: string;
  /** What settings.json held when opened (or since changed to), or why it cannot be used; null until opened. */
  #state: { readonly settings: DeskSettings } | { readonly problem: unknown } | null = null;
  #opening: Promise<void> | null = null;
  #changes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  /**
   * Reads settings.json (once; later calls wait for the same read). A damaged or unreadable file
   * does not fail the open: each `load()` and `update()` reports it, as they did when the file was
   * read at each use, so only what needs a setting stops.
   */
  async open(): Promise<this> {
    this.#opening ??= this.#read().then((state) => {
      this.#state = state;
    });
    await this.#opening;
    return this;
  }

  async #read(): Promise<{ settings: DeskSettings } | { problem: unknown }> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.path);
    } catch (error) {
      return { problem: error instanceof SyntaxError ? this.#damaged() : error };
    }
    if (raw === null) return { settings: structuredClone(defaults) };
    const parsed = DeskSettingsSchema.safeParse(raw);
    return parsed.success ? { settings: parsed.data } : { problem: this.#damaged() };
  }

  #damaged(): CardDeskError {
    return new CardDeskError('INTERNAL', `${this.path} is damaged; fix or remove it.`);
  }

  /** The settings (a copy), from memory. */
  load(): DeskSettings {
    const state = this.#state;
    if (state === null) throw new CardDeskError('INTERNAL', `The desk settings (${this.path}) were asked for before they were read: open the store first.`);
    if ('problem' in state) throw state.problem;
    return structuredClone(state.settings);
  }

  /** The holder kiosk's settings, checked against their bounds; returns what was saved. */
  async setKiosk(next: KioskSettings): Promise<KioskSettings> {
    const parsed = KioskSettingsSchema.safeParse(next);
    if (!parsed.success) throw new CardDeskError('INVALID_ARGUMENTS', `The kiosk settings are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    return (await this.update((settings) => ({ ...settings, kiosk: { ...parsed.data } }))).kiosk;
  }

  /**
   * Changes the settings: `change` gets a copy of the current ones; what it returns is written
   * durably, then kept. A failed write changes neither the file nor what `load()` returns.
   */
  update(change: (settings: DeskSettings) => DeskSettings): Promise<DeskSettings> {
    const run = this.#changes.then(async () => {
      const next = change(this.load());
      await writeJsonFileAtomically(this.path, next);
      this.#state = { settings: structuredClone(next) };
      return next;
    });
    this.#changes = run.catch(() => undefined);
    return run;
  }
}
