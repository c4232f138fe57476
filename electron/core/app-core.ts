/**
 * The composition root shared by the Electron main process and the browser-mode host: it builds
 * the services (plain Node, no Electron) and maps every contract channel to one of them.
 */
import { userInfo } from 'node:os';
import type { Surface } from '../shared/schemas/app';
import type { ContractHandlers } from './api/handlers';
import { EventHub } from './api/event-hub';
import { vaultHandlers } from './api/vault-handlers';
import { MemoryAuditTrail, type AuditTrail } from './audit/audit-trail';
import type { Logger } from './log/logger';
import { loadPcscLite, type PcscOpener } from './readers/pcsc-binding';
import { PcscReaderService, type ReconnectPolicy } from './readers/pcsc-reader-service';
import { appName, appVersion } from './version';
import { createVaultServices, type VaultServices } from './vault/vault-services';

/** How often suspensions whose time is up are released or revoked. */
const HOLD_SWEEP_MS = 60_000;

export interface CoreOptions {
  readonly mode: 'electron' | 'browser';
  readonly dataDir: string;
  readonly log: Logger;
  /** Replaced in unit tests; real runs load pcsclite. */
  readonly loadPcsc?: () => Promise<PcscOpener>;
  readonly reconnect?: ReconnectPolicy;
  /** Where services record what they did; the tamper-evident log replaces the in-memory one. */
  readonly audit?: AuditTrail;
}

export interface Core {
  readonly handlers: ContractHandlers;
  readonly events: EventHub;
  readonly readers: PcscReaderService;
  readonly vault: VaultServices;
  start(): Promise<void>;
  dispose(): void;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventHub();
  const readers = new PcscReaderService({
    loadOpener: options.loadPcsc ?? loadPcscLite,
    emit: events.emit,
    log: options.log,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
  });

  const vault: VaultServices = createVaultServices({
    dataDir: options.dataDir,
    audit: options.audit ?? new MemoryAuditTrail(),
    log: options.log,
    onVaultChange: () => {
      try {
        const status = vault.vault.status();
        events.emit('vault:stateChanged', { unlocked: status.unlocked, initialised: status.initialised });
      } catch {
        // The vault is not open (held by another process): nothing to report.
      }
    },
  });
  const system = { actor: { kind: 'system', id: 'hold-expiry' }, channel: 'desk' } as const;
  const sweepHolds = (): void => {
    if (!vault.access.isOpen || !vault.ca.ready) return;
    vault.certificates.applyExpiredHolds(system).catch((error: unknown) => options.log.error('suspension expiry failed', { error }));
  };
  let sweeper: NodeJS.Timeout | null = null;

  const handlers: ContractHandlers = {
    'app:info': (_args, context: { surface: Surface }) => ({
      name: appName,
      version: appVersion,
      dataDir: options.dataDir,
      mode: options.mode,
      surface: context.surface,
      platform: process.platform,
    }),
    'readers:list': () => readers.list(),
    ...vaultHandlers(vault, userInfo().username),
  };

  return {
    handlers,
    events,
    readers,
    vault,
    start: () => {
      try {
        // Take the vault lock at start, so a second CardDesk learns at once who holds it.
        vault.access.storage();
        sweepHolds();
      } catch (error) {
        options.log.warn('the vault is not available yet', { error });
      }
      sweeper = setInterval(sweepHolds, HOLD_SWEEP_MS);
      sweeper.unref();
      return readers.start();
    },
    dispose: () => {
      if (sweeper !== null) clearInterval(sweeper);
      void vault.close();
      readers.dispose();
    },
  };
}
