/**
 * The thin typed edge between CardDesk and the `pcsclite` native module (PC/SC on Linux,
 * macOS and Windows). Everything above this file works with these interfaces, so unit tests
 * can drive the reader service with a fake and integration tests with real pcscd.
 */
import { CardDeskError } from '../../shared/errors';

export interface PcscStatus {
  readonly state: number;
  readonly atr?: Buffer;
}

/** One reader as the PC/SC service reports it (pcsclite's CardReader): its status watch. */
export interface PcscReaderHandle {
  readonly name: string;
  on(event: 'status', listener: (status: PcscStatus) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
  close(): void;
}

/** The same reader's card session calls (pcsclite's CardReader connect/transmit/disconnect). */
export interface PcscCardHandle {
  readonly name: string;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  /** pcsclite calls back with no protocol (and opens nothing) when it already holds a card handle for this reader. */
  connect(options: { share_mode: number }, callback: (error: unknown, protocol?: number) => void): void;
  transmit(data: Buffer, responseLength: number, protocol: number, callback: (error: unknown, response: Buffer) => void): void;
  disconnect(disposition: number, callback: (error: unknown) => void): void;
}

/** A PC/SC context with its reader-list watcher (pcsclite's PCSCLite). */
export interface PcscContext {
  on(event: 'reader', listener: (reader: PcscReaderHandle) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
  close(): void;
}

/** Opens a context; throws when the PC/SC service cannot be reached. `onListed` runs after every reader listing. */
export type PcscOpener = (onListed: (readerNames: readonly string[]) => void) => PcscContext;

interface PcscLiteModule {
  (): PcscLiteInstance;
}

interface PcscLiteInstance extends PcscContext {
  readers: Record<string, unknown>;
  start(callback: (error: Error | undefined, data: Buffer) => void): void;
}

/**
 * Loads `pcsclite` and returns an opener. The module starts its reader-list thread on the next
 * tick and only emits `reader` for new names, so an empty or shrinking list would be silent;
 * wrapping `start` before that tick lets the service know each listing has happened.
 */
export async function loadPcscLite(): Promise<PcscOpener> {
  let pcsc: PcscLiteModule;
  try {
    const loaded = (await import('pcsclite')) as unknown as { default?: PcscLiteModule } & PcscLiteModule;
    pcsc = loaded.default ?? loaded;
  } catch (error) {
    throw new CardDeskError('PCSC_UNAVAILABLE', 'The PC/SC library (pcsclite) could not be loaded.', { cause: error });
  }
  return (onListed) => {
    let instance: PcscLiteInstance;
    try {
      instance = pcsc();
    } catch (error) {
      throw new CardDeskError('PCSC_UNAVAILABLE', `The smart-card service is not reachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const start = instance.start.bind(instance);
    instance.start = (callback) =>
      start((error, data) => {
        callback(error, data);
        if (error === undefined || error === null) onListed(Object.keys(instance.readers));
      });
    return instance;
  };
}
