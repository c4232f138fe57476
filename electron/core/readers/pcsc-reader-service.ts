import { CardDeskError } from '../../shared/errors';
import type { PcscServiceStatus, Reader, ReaderList } from '../../shared/schemas/readers';
import type { EventSink } from '../api/event-hub';
import type { Logger } from '../log/logger';
import type { CardConnection, CardConnector } from './card-connection';
import type { PcscCardHandle, PcscContext, PcscOpener, PcscReaderHandle, PcscStatus } from './pcsc-binding';
import { openPcscConnection } from './pcsc-connection';
import { atrHex, cardPresenceOf, isInUse } from './reader-state';
import { ReaderTurns } from './reader-turns';

/** Reconnect back-off: starts at `initialMs`, doubles, never waits longer than `maxMs`. */
export interface ReconnectPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = { initialMs: 250, maxMs: 2000 };

export interface PcscReaderServiceDeps {
  /** Loads the PC/SC binding once; a failure here means PC/SC cannot work on this machine at all. */
  readonly loadOpener: () => Promise<PcscOpener>;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly reconnect?: ReconnectPolicy;
  readonly now?: () => number;
  /** How long a card session waits for an earlier one on the same reader (default 20 s). */
  readonly sessionWaitMs?: number;
}

interface ReaderEntry {
  readonly handle: PcscReaderHandle;
  reader: Reader;
  /** The first status has arrived, so `reader` is the real state, not the placeholder. */
  seen: boolean;
}

/**
 * Live view of the system's PC/SC readers and cards. Survives the PC/SC service going away
 * and coming back (pcscd restarted, WinSCard stopped): it drops the readers, says the service
 * is unavailable, and reconnects with a bounded back-off. Readers that disappear (unplugged)
 * are removed; new ones are added.
 */
function isCardHandle(handle: PcscReaderHandle): handle is PcscReaderHandle & PcscCardHandle {
  return typeof (handle as Partial<PcscCardHandle>).connect === 'function';
}

export class PcscReaderService implements CardConnector {
  readonly #deps: PcscReaderServiceDeps;
  readonly #policy: ReconnectPolicy;
  readonly #now: () => number;
  readonly #readers = new Map<string, ReaderEntry>();
  #status: PcscServiceStatus = { status: 'starting', detail: null, retryAt: null };
  #opener: PcscOpener | null = null;
  #context: PcscContext | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryDelay: number;
  #stopped = false;
  #settleWaiters: (() => void)[] = [];
  readonly #turns: ReaderTurns;

  constructor(deps: PcscReaderServiceDeps) {
    this.#deps = deps;
    this.#turns = new ReaderTurns(deps.sessionWaitMs === undefined ? {} : { waitMs: deps.sessionWaitMs });
    this.#policy = deps.reconnect ?? defaultReconnectPolicy;
    this.#now = deps.now ?? Date.now;
    this.#retryDelay = this.#policy.initialMs;
  }

  async start(): Promise<void> {
    try {
      this.#opener = await this.#deps.loadOpener();
    } catch (error) {
      // Without the library no retry can help; say so once and stay unavailable.
      this.#deps.log.error('PC/SC library unavailable', { error });
      this.#setStatus({ status: 'unavailable', detail: (error as Error).message, retryAt: null });
      return;
    }
    if (!this.#stopped) this.#connect();
  }

  list(): ReaderList {
    const readers = [...this.#readers.values()].map((entry) => entry.reader);
    readers.sort((a, b) => a.name.localeCompare(b.name));
    return { service: this.#status, readers };
  }

  /**
   * Opens a session with the card in `name`, once any earlier session on that reader has closed
   * (pcsclite has one card handle per reader; see ReaderTurns).
   */
  async connect(name: string): Promise<CardConnection> {
    this.#usableEntry(name);
    const release = await this.#turns.take(name);
    let connection: CardConnection;
    try {
      // Looked up again: the card may have gone while this session waited.
      const entry = this.#usableEntry(name);
      connection = await openPcscConnection(entry.handle, Buffer.from(entry.atr ?? '', 'hex'));
    } catch (error) {
      release();
      throw error;
    }
    return {
      readerName: connection.readerName,
      atr: connection.atr,
      transmit: (command) => connection.transmit(command),
      close: async (disposition) => {
        try {
          await connection.close(disposition);
        } finally {
          release();
        }
      },
    };
  }

  #usableEntry(name: string): { handle: PcscCardHandle; atr: string | null } {
    const entry = this.#readers.get(name);
    if (entry === undefined) throw new CardDeskError('READER_NOT_FOUND', `No reader named ${name} is connected.`);
    if (entry.reader.cardState === 'absent') throw new CardDeskError('NO_CARD', `There is no card in ${name}.`);
    const { handle } = entry;
    if (!isCardHandle(handle)) throw new CardDeskError('CARD_ERROR', `${name} cannot open card sessions.`);
    return { handle, atr: entry.reader.atr };
  }

  /**
   * Resolves once the first picture is complete: the service is unreachable, or it is running
   * and every listed reader has reported its state. For one-shot callers such as the CLI.
   */
  whenSettled(timeoutMs: number): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#settleWaiters;
      function done(): void {
        clearTimeout(timer);
        const at = waiters.indexOf(done);
        if (at >= 0) waiters.splice(at, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  dispose(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#teardown({ announce: false });
    for (const waiter of [...this.#settleWaiters]) waiter();
  }

  #isSettled(): boolean {
    if (this.#status.status === 'unavailable') return true;
    return this.#status.status === 'running' && [...this.#readers.values()].every((entry) => entry.seen);
  }

  #checkSettled(): void {
    if (this.#isSettled()) for (const waiter of [...this.#settleWaiters]) waiter();
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#stopped || this.#opener === null) return;
    // Assigned before the opener's first listing can arrive (that is at least a tick later).
    let context!: PcscContext;
    try {
      context = this.#opener((names) => this.#onListed(context, names));
    } catch (error) {
      this.#unavailable((error as Error).message);
      return;
    }
    this.#context = context;
    context.on('reader', (handle) => {
      if (this.#context === context) this.#addReader(handle);
      else handle.close();
    });
    context.on('error', (error) => {
      if (this.#context === context) this.#unavailable(error.message);
    });
  }

  #onListed(context: PcscContext, names: readonly string[]): void {
    if (this.#context !== context) return;
    this.#retryDelay = this.#policy.initialMs;
    if (this.#status.status !== 'running') {
      this.#deps.log.info('PC/SC service connected', { readers: names.length });
      this.#setStatus({ status: 'running', detail: null, retryAt: null });
    }
    this.#checkSettled();
  }

  #unavailable(detail: string): void {
    const wasRunning = this.#status.status !== 'unavailable';
    this.#teardown({ announce: true });
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(this.#policy.maxMs, this.#retryDelay * 2);
    if (wasRunning) this.#deps.log.warn('PC/SC service unavailable; retrying', { detail });
    this.#setStatus({ status: 'unavailable', detail, retryAt: this.#now() + delay });
    if (!this.#stopped) this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Closes the context and every reader; `announce` tells the renderer the readers are gone. */
  #teardown({ announce }: { announce: boolean }): void {
    const context = this.#context;
    this.#context = null;
    for (const [name, entry] of this.#readers) {
      this.#readers.delete(name);
      this.#closeQuietly(entry.handle);
      if (announce) this.#deps.emit('readers:readerRemoved', { name });
    }
    if (context !== null) this.#closeQuietly(context);
  }

  #closeQuietly(closable: PcscContext | PcscReaderHandle): void {
    closable.removeAllListeners();
    // pcsclite reports its own cancellation as an 'error' after close(); with no listener
    // that would be an uncaught exception.
    closable.on('error', () => {});
    try {
      closable.close();
    } catch (error) {
      this.#deps.log.warn('closing a PC/SC handle failed', { error });
    }
  }

  #addReader(handle: PcscReaderHandle): void {
    const name = handle.name;
    if (this.#readers.has(name)) return;
    const entry: ReaderEntry = { handle, seen: false, reader: { name, kind: 'pcsc', cardState: 'absent', atr: null, inUse: false } };
    this.#readers.set(name, entry);
    this.#deps.emit('readers:readerAdded', entry.reader);
    handle.on('status', (status) => this.#onStatus(entry, status));
    handle.on('error', (error) => this.#deps.log.warn('reader watch failed', { reader: name, error }));
    handle.on('end', () => {
      if (this.#readers.get(name) !== entry) return;
      this.#readers.delete(name);
      this.#deps.emit('readers:readerRemoved', { name });
      this.#checkSettled();
    });
  }

  #onStatus(entry: ReaderEntry, status: PcscStatus): void {
    if (this.#readers.get(entry.reader.name) !== entry) return;
    const before = entry.reader;
    const cardState = cardPresenceOf(status.state);
    const next: Reader = {
      name: before.name,
      kind: 'pcsc',
      cardState,
      atr: cardState === 'absent' ? null : atrHex(status.atr),
      inUse: cardState !== 'absent' && isInUse(status.state),
    };
    entry.reader = next;
    entry.seen = true;
    const wasPresent = before.cardState !== 'absent';
    const isPresent = next.cardState !== 'absent';
    // A card swapped faster than one status report shows up as a new ATR: removal, then insertion.
    if (wasPresent && (!isPresent || before.atr !== next.atr)) {
      this.#deps.emit('readers:cardRemoved', { ...before, cardState: 'absent', atr: null, inUse: false });
    }
    if (isPresent && (!wasPresent || before.atr !== next.atr)) {
      this.#deps.emit('readers:cardInserted', next);
    } else if (isPresent && (before.cardState !== next.cardState || before.inUse !== next.inUse)) {
      this.#deps.emit('readers:readerChanged', next);
    }
    this.#checkSettled();
  }

  #setStatus(status: PcscServiceStatus): void {
    this.#status = status;
    this.#deps.emit('readers:serviceChanged', status);
    this.#checkSettled();
  }
}
