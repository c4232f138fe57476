/**
 * All readers CardDesk can use: the system's PC/SC readers and, when there are none, the embedded
 * virtual reader. One list, one stream of reader and card events, one way to open a session.
 */
import type { EventName, EventPayload } from '../../shared/contract';
import type { ReaderList } from '../../shared/schemas/readers';
import type { EventSink } from '../api/event-hub';
import type { Logger } from '../log/logger';
import type { CardConnection, CardConnector } from './card-connection';
import type { PcscOpener } from './pcsc-binding';
import { PcscReaderService, type ReconnectPolicy } from './pcsc-reader-service';
import type { EmbeddedVirtualReader } from './virtual-reader';

export interface ReaderRegistryDeps {
  readonly loadOpener: () => Promise<PcscOpener>;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly reconnect?: ReconnectPolicy;
  /** Null turns the embedded virtual reader off. */
  readonly virtualReader: EmbeddedVirtualReader | null;
}

export class ReaderRegistry implements CardConnector {
  readonly pcsc: PcscReaderService;
  readonly #virtual: EmbeddedVirtualReader | null;
  readonly #emit: EventSink;
  #virtualShown = false;

  constructor(deps: ReaderRegistryDeps) {
    this.#virtual = deps.virtualReader;
    this.#emit = deps.emit;
    this.pcsc = new PcscReaderService({
      loadOpener: deps.loadOpener,
      log: deps.log,
      emit: (name, payload) => this.#fromPcsc(name, payload),
      ...(deps.reconnect === undefined ? {} : { reconnect: deps.reconnect }),
    });
  }

  start(): Promise<void> {
    return this.pcsc.start();
  }

  dispose(): void {
    this.pcsc.dispose();
  }

  #offerVirtual(list: ReaderList = this.pcsc.list()): boolean {
    return this.#virtual !== null && list.service.status !== 'starting' && (list.service.status === 'unavailable' || list.readers.length === 0);
  }

  list(): ReaderList {
    const list = this.pcsc.list();
    return this.#virtual !== null && this.#offerVirtual(list) ? { ...list, readers: [...list.readers, this.#virtual.snapshot()] } : list;
  }

  #fromPcsc<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.#emit(name, payload);
    this.#refreshVirtual();
  }

  /** Shows or hides the virtual reader as PC/SC readers come and go. */
  #refreshVirtual(): void {
    const shown = this.#offerVirtual();
    if (shown === this.#virtualShown || this.#virtual === null) return;
    this.#virtualShown = shown;
    if (shown) this.#emit('readers:readerAdded', this.#virtual.snapshot());
    else this.#emit('readers:readerRemoved', { name: this.#virtual.name });
  }

  get virtualReader(): EmbeddedVirtualReader | null {
    return this.#virtual;
  }

  insertVirtualCard(): void {
    if (this.#virtual === null || this.#virtual.inserted) return;
    this.#virtual.insert();
    if (this.#virtualShown) this.#emit('readers:cardInserted', this.#virtual.snapshot());
  }

  removeVirtualCard(): void {
    if (this.#virtual === null || !this.#virtual.inserted) return;
    const before = this.#virtual.snapshot();
    this.#virtual.remove();
    if (this.#virtualShown) this.#emit('readers:cardRemoved', { ...before, cardState: 'absent', atr: null });
  }

  connect(readerName: string): Promise<CardConnection> {
    if (this.#virtual !== null && readerName === this.#virtual.name && this.#offerVirtual()) return this.#virtual.connect();
    return this.pcsc.connect(readerName);
  }
}
