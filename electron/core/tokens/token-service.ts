/**
 * PKCS#11 tokens for the desk: the module list (found on this OS plus the operator's vendor
 * modules, kept in settings), every token they see with its flags, its objects, and a PIN check.
 * The modules run in worker threads (Pkcs11Service), so a slow token never freezes a window.
 */
import { CardDeskError } from '../../shared/errors';
import type { Pkcs11LoginResult, Pkcs11ModuleStatus, Pkcs11Objects, Pkcs11Token } from '../../shared/schemas/pkcs11';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { defaultPkcs11Modules, type Pkcs11ModuleConfig } from '../pkcs11/module-config';
import { Pkcs11Service } from '../pkcs11/pkcs11-service';
import type { Pkcs11WorkerSpawner } from '../pkcs11/worker-spawner';
import type { DeskSettingsStore } from '../settings/desk-settings';

export interface TokenServiceDeps {
  readonly settings: DeskSettingsStore;
  readonly spawnWorker: Pkcs11WorkerSpawner;
  readonly log: Logger;
  readonly audit: AuditTrail;
  /** Replaced in tests; the OS's default modules otherwise. */
  readonly defaults?: () => Pkcs11ModuleConfig[];
}

export class TokenService {
  readonly #deps: TokenServiceDeps;
  #service: Pkcs11Service | null = null;

  constructor(deps: TokenServiceDeps) {
    this.#deps = deps;
  }

  #configured(): (Pkcs11ModuleConfig & { source: 'default' | 'custom' })[] {
    return [
      ...(this.#deps.defaults ?? defaultPkcs11Modules)().map((module) => ({ ...module, source: 'default' as const })),
      ...this.#deps.settings.load().pkcs11Modules.map((module) => ({ ...module, source: 'custom' as const })),
    ];
  }

  /** The running service, started on first use with the current module list. */
  #pkcs11(): Pkcs11Service {
    return (this.#service ??= new Pkcs11Service({ modules: this.#configured(), spawnWorker: this.#deps.spawnWorker, log: this.#deps.log }));
  }

  async #restart(): Promise<void> {
    const old = this.#service;
    this.#service = null;
    await old?.dispose();
  }

  async modules(): Promise<Pkcs11ModuleStatus[]> {
    const sources = new Map(this.#configured().map((module) => [module.id, module.source]));
    const statuses = await this.#pkcs11().modules();
    return statuses.map((status) => ({
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
  }

  async addModule(name: string, path: string, operation: OperationContext): Promise<Pkcs11ModuleStatus> {
    const existing = this.#configured();
    const base = `vendor-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'module'}`;
    let id = base;
    for (let n = 2; existing.some((module) => module.id === id); n += 1) id = `${base}-${n}`;
    if (existing.some((module) => module.path === path)) throw new CardDeskError('INVALID_ARGUMENTS', `${path} is already configured.`);
    this.#deps.settings.update((settings) => ({ ...settings, pkcs11Modules: [...settings.pkcs11Modules, { id, name, path }] }));
    await this.#restart();
    const status = (await this.modules()).find((module) => module.id === id);
    if (status === undefined) throw new CardDeskError('INTERNAL', 'The new module is missing from the list.');
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11Module.add', module: id, path } });
    return status;
  }

  async removeModule(id: string, operation: OperationContext): Promise<void> {
    const custom = this.#deps.settings.load().pkcs11Modules;
    if (!custom.some((module) => module.id === id)) throw new CardDeskError('INVALID_ARGUMENTS', `Only modules added by an operator can be removed; ${id} is not one.`);
    this.#deps.settings.update((settings) => ({ ...settings, pkcs11Modules: settings.pkcs11Modules.filter((module) => module.id !== id) }));
    await this.#restart();
    await this.#deps.audit.record({ action: 'settings.change', outcome: 'success', actor: operation.actor, channel: operation.channel, details: { setting: 'pkcs11Module.remove', module: id } });
  }

  /** Every token of every module that loads, with its flags read now. */
  async tokens(): Promise<Pkcs11Token[]> {
    const service = this.#pkcs11();
    const tokens: Pkcs11Token[] = [];
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
    const result = await this.#pkcs11().listObjects({ moduleId, slotId });
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
      const result = await this.#pkcs11().login(slot, pin);
      if (result.ok) {
        await this.#pkcs11().logout(slot);
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
