/**
 * PKCS#11 tokens for the desk: the module list (found on this OS plus the operator's vendor
 * modules, kept in settings), every token they see with its flags, its objects, and a PIN check.
 * The modules run in worker threads (Pkcs11Service), so a slow token never freezes a window.
 */
import { CardDeskError } from '../../shared/errors';
import type { Pkcs11LoginResult, Pkcs11ModuleStatus, Pkcs11Objects, Pkcs11TokenInfo } from '../../shared/schemas/pkcs11';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { defaultPkcs11Modules, type Pkcs11ModuleConfig } from '../pkcs11/module-config';
import { checkLibraryFolder, checkModulePath, osLibraryFolders } from '../pkcs11/module-path-check';
import { Pkcs11Service } from '../pkcs11/pkcs11-service';
import type { Pkcs11WorkerSpawner } from '../pkcs11/worker-spawner';
import type { DeskSettingsStore } from '../settings/desk-settings';

export interface TokenServiceDeps {
  readonly settings: DeskSettingsStore;
  readonly spawnWorker: Pkcs11WorkerSpawner;
  readonly log: Logger;
  readonly audit: AuditTrail;
  /** Replaced in tests; the OS's default modules otherwise. */
  readonly defaults?: () => Pkcs11ModuleConfig[] | Promise<Pkcs11ModuleConfig[]>;
  /** Adding a module or a library folder is an administrator's act: the vault must be unlocked. */
  readonly vaultUnlocked: () => boolean;
  /** The OS's library folders (replaced in tests); folders added by an administrator come from settings. */
  readonly osLibraryFolders?: () => string[];
}

type ConfiguredModule = Pkcs11ModuleConfig & { source: 'default' | 'custom' };

const VAULT_LOCKED = 'The vault is locked. Unlock it with the vault passphrase first: PKCS#11 modules and library folders are changed by an administrator.';

export class TokenService {
  readonly #deps: TokenServiceDeps;
  #service: Promise<Pkcs11Service> | null = null;
  /** Operator modules that failed the path checks when the service started: never loaded. */
  #refused: Pkcs11ModuleStatus[] = [];

  constructor(deps: TokenServiceDeps) {
    this.#deps = deps;
  }

  async #configured(): Promise<ConfiguredModule[]> {
    return [
      ...(await (this.#deps.defaults ?? defaultPkcs11Modules)()).map((module) => ({ ...module, source: 'default' as const })),
      ...this.#deps.settings.load().pkcs11Modules.map((module) => ({ ...module, source: 'custom' as const })),
    ];
  }

  /** The OS's library folders and those an administrator added. */
  allowedFolders(): string[] {
    return [...(this.#deps.osLibraryFolders ?? osLibraryFolders)(), ...this.#deps.settings.load().pkcs11LibraryFolders];
  }

  /**
   * The stored list, checked again before anything loads (settings.json lives in the data folder,
   * which someone may have edited): operator modules that fail a check are left out and shown.
   */
  async #checked(): Promise<{ load: ConfiguredModule[]; refused: Pkcs11ModuleStatus[] }> {
    const load: ConfiguredModule[] = [];
    const refused: Pkcs11ModuleStatus[] = [];
    const allowedFolders = this.allowedFolders();
    for (const module of await this.#configured()) {
      if (module.source === 'default') {
        load.push(module);
        continue;
      }
      try {
        load.push({ ...module, path: await checkModulePath(module.path, { allowedFolders }) });
      } catch (error) {
        this.#deps.log.warn('a configured PKCS#11 module failed its checks and was not loaded', { module: module.id, path: module.path, error });
        refused.push({ id: module.id, name: module.name, path: module.path, source: 'custom', state: 'unavailable', manufacturer: null, description: null, version: null, problem: 'refused', message: (error as Error).message });
      }
    }
    return { load, refused };
  }

  /** The running service, started on first use with the checked module list. */
  #pkcs11(): Promise<Pkcs11Service> {
    this.#service ??= this.#checked().then(({ load, refused }) => {
      this.#refused = refused;
      return Pkcs11Service.create({ modules: load, spawnWorker: this.#deps.spawnWorker, log: this.#deps.log });
    });
    return this.#service;
  }

  async #restart(): Promise<void> {
    const old = this.#service;
    this.#service = null;
    await (await old?.catch(() => null))?.dispose();
  }

  async modules(): Promise<Pkcs11ModuleStatus[]> {
    const sources = new Map((await this.#configured()).map((module) => [module.id, module.source]));
    const statuses = await (await this.#pkcs11()).modules();
    const loaded = statuses.map((status): Pkcs11ModuleStatus => ({
      id: status.id,
      name: status.name,
      path: status.path,
      source: sources.get(status.id) ?? 'custom',
      state: status.state,
      manufacturer: status.state === 'loaded' ? status.info.manufacturer : null,
      description: status.state === 'loaded' ? status.info.description : null,
      version: status.state === 'loaded' ? status.info.libraryVersion : null,
      problem: status.state === 'loaded' ? null : status.problem,
      message: status.state === 'loaded' ? null : status.message,
    }));
    return [...loaded, ...this.#refused];
  }

  /**
   * Adds an operator's module. Every check comes before any load (loading runs the library's
   * constructor in CardDesk): the vault unlocked, then the path (see checkModulePath).
   */
  async addModule(name: string, requested: string, operation: OperationContext): Promise<Pkcs11ModuleStatus> {
    if (!this.#deps.vaultUnlocked()) throw new CardDeskError('VAULT_LOCKED', VAULT_LOCKED);
    const path = await checkModulePath(requested, { allowedFolders: this.allowedFolders() });
    const existing = await this.#configured();
    const base = `vendor-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'module'}`;
    let id = base;
    for (let n = 2; existing.some((module) => module.id === id); n += 1) id = `${base}-${n}`;
    if (existing.some((module) => module.path === path)) throw new CardDeskError('INVALID_ARGUMENTS', `${path} is already configured.`);
    await this.#deps.settings.update((settings) => ({ ...settings, pkcs11Modules: [...settings.pkcs11Modules, { id, name, path }] }));
    await this.#restart();
    const status = (await this.modules()).find((module) => module.id === id);
    if (status === undefined) throw new CardDeskError('INTERNAL', 'The new module is missing from the list.');
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11Module.add', module: id, path } });
    return status;
  }

  libraryFolders(): { os: string[]; added: string[] } {
    return { os: (this.#deps.osLibraryFolders ?? osLibraryFolders)(), added: this.#deps.settings.load().pkcs11LibraryFolders };
  }

  /** Allows one more folder for PKCS#11 libraries (vault unlocked; the folder is checked like a library's). */
  async addLibraryFolder(requested: string, operation: OperationContext): Promise<{ os: string[]; added: string[] }> {
    if (!this.#deps.vaultUnlocked()) throw new CardDeskError('VAULT_LOCKED', VAULT_LOCKED);
    const folder = await checkLibraryFolder(requested);
    if (!this.#deps.settings.load().pkcs11LibraryFolders.includes(folder)) {
      await this.#deps.settings.update((settings) => ({ ...settings, pkcs11LibraryFolders: [...settings.pkcs11LibraryFolders, folder] }));
      await this.#restart();
    }
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11LibraryFolder.add', path: folder } });
    return this.libraryFolders();
  }

  async removeLibraryFolder(folder: string, operation: OperationContext): Promise<{ os: string[]; added: string[] }> {
    if (!this.#deps.vaultUnlocked()) throw new CardDeskError('VAULT_LOCKED', VAULT_LOCKED);
    if (!this.#deps.settings.load().pkcs11LibraryFolders.includes(folder)) throw new CardDeskError('INVALID_ARGUMENTS', `${folder} is not a library folder an administrator added.`);
    await this.#deps.settings.update((settings) => ({ ...settings, pkcs11LibraryFolders: settings.pkcs11LibraryFolders.filter((f) => f !== folder) }));
    await this.#restart();
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11LibraryFolder.remove', path: folder } });
    return this.libraryFolders();
  }

  async removeModule(id: string, operation: OperationContext): Promise<void> {
    const custom = this.#deps.settings.load().pkcs11Modules;
    if (!custom.some((module) => module.id === id)) throw new CardDeskError('INVALID_ARGUMENTS', `Only modules added by an operator can be removed; ${id} is not one.`);
    await this.#deps.settings.update((settings) => ({ ...settings, pkcs11Modules: settings.pkcs11Modules.filter((module) => module.id !== id) }));
    await this.#restart();
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11Module.remove', module: id } });
  }

  /** Every token of every module that loads, with its flags read now. */
  async tokens(): Promise<Pkcs11TokenInfo[]> {
    const service = await this.#pkcs11();
    const tokens: Pkcs11TokenInfo[] = [];
    for (const status of await service.modules()) {
      if (status.state !== 'loaded') continue;
      for (const slot of await service.listSlots(status.id, { tokenPresent: true })) {
        if (slot.token.state !== 'present') continue;
        const { info } = slot.token;
        tokens.push({
          moduleId: status.id,
          moduleName: status.name,
          slotId: slot.slotId,
          slotDescription: slot.description,
          label: info.label,
          manufacturer: info.manufacturer,
          model: info.model,
          serialNumber: info.serialNumber,
          flags: {
            loginRequired: info.flags.loginRequired,
            userPinCountLow: info.flags.userPinCountLow,
            userPinFinalTry: info.flags.userPinFinalTry,
            userPinLocked: info.flags.userPinLocked,
            userPinToBeChanged: info.flags.userPinToBeChanged,
            protectedAuthenticationPath: info.flags.protectedAuthenticationPath,
            writeProtected: info.flags.writeProtected,
          },
        });
      }
    }
    return tokens;
  }

  async objects(moduleId: string, slotId: number): Promise<Pkcs11Objects> {
    const result = await (await this.#pkcs11()).listObjects({ moduleId, slotId });
    if (!result.ok) return { ok: false, reason: result.reason };
    return {
      ok: true,
      certificates: result.certificates.map((certificate) => ({
        label: certificate.label,
        id: certificate.id,
        subject: certificate.details?.subject ?? null,
        issuer: certificate.details?.issuer ?? null,
        notAfter: certificate.details?.notAfter ?? null,
      })),
      keys: [
        ...result.privateKeys.map((key) => ({ label: key.label, id: key.id, kind: 'private' as const, keyType: key.keyType, size: key.modulusBits === null ? key.curve : String(key.modulusBits) })),
        ...result.publicKeys.map((key) => ({ label: key.label, id: key.id, kind: 'public' as const, keyType: key.keyType, size: key.modulusBits === null ? key.curve : String(key.modulusBits) })),
      ],
    };
  }

  /** Checks the token's user PIN by logging in (and out again); recorded, without the PIN. */
  async login(moduleId: string, slotId: number, pin: Buffer, operation: OperationContext): Promise<Pkcs11LoginResult> {
    const slot = { moduleId, slotId };
    let outcome: Pkcs11LoginResult;
    try {
      const service = await this.#pkcs11();
      const result = await service.login(slot, pin);
      if (result.ok) {
        await service.logout(slot);
        outcome = { ok: true };
      } else if (result.reason === 'wrongPin') outcome = { ok: false, reason: 'wrongPin', finalTry: result.flags.userPinFinalTry };
      else if (result.reason === 'pinLocked' || result.reason === 'pinLenRange') outcome = { ok: false, reason: result.reason, finalTry: false };
      else if (result.reason === 'tokenRemoved' || result.reason === 'tokenNotPresent') outcome = { ok: false, reason: 'tokenRemoved', finalTry: false };
      else outcome = { ok: false, reason: 'other', finalTry: false };
    } finally {
      pin.fill(0);
    }
    await this.#deps.audit.record({
      action: 'card.pinVerify',
      outcome: outcome.ok ? 'success' : 'failure',
      ...(outcome.ok ? {} : { reason: outcome.reason }),
      actor: operation.actor,
      channel: operation.channel,
      details: { via: 'pkcs11', module: moduleId, slot: slotId },
    });
    return outcome;
  }

  async dispose(): Promise<void> {
    await this.#restart();
  }
}
