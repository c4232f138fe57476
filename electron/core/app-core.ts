/**
 * The composition root shared by the Electron main process and the browser-mode host: it builds
 * the services (plain Node, no Electron) and maps every contract channel to one of them.
 */
import type { Surface } from '../shared/schemas/app';
import type { ContractHandlers } from './api/handlers';
import { EventHub } from './api/event-hub';
import type { Logger } from './log/logger';
import { loadPcscLite, type PcscOpener } from './readers/pcsc-binding';
import { PcscReaderService, type ReconnectPolicy } from './readers/pcsc-reader-service';
import { appName, appVersion } from './version';

export interface CoreOptions {
  readonly mode: 'electron' | 'browser';
  readonly dataDir: string;
  readonly log: Logger;
  /** Replaced in unit tests; real runs load pcsclite. */
  readonly loadPcsc?: () => Promise<PcscOpener>;
  readonly reconnect?: ReconnectPolicy;
}

export interface Core {
  readonly handlers: ContractHandlers;
  readonly events: EventHub;
  readonly readers: PcscReaderService;
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
  };

  return {
    handlers,
    events,
    readers,
    start: () => readers.start(),
    dispose: () => readers.dispose(),
  };
}
