/**
 * A scriptable stand-in for pcsclite, for unit tests of the reader service only: the same
 * tests' integration twins drive real pcscd with the vpcd virtual readers.
 */
import { EventEmitter } from 'node:events';
import type { PcscContext, PcscOpener, PcscReaderHandle, PcscStatus } from '../../electron/core/readers/pcsc-binding';

export class FakeReader extends EventEmitter implements PcscReaderHandle {
  closed = false;

  constructor(readonly name: string) {
    super();
  }

  close(): void {
    this.closed = true;
  }

  status(status: PcscStatus): void {
    this.emit('status', status);
  }
}

export class FakeContext extends EventEmitter implements PcscContext {
  closed = false;
  readonly readers = new Map<string, FakeReader>();

  constructor(private readonly onListed: (names: readonly string[]) => void) {
    super();
  }

  close(): void {
    this.closed = true;
  }

  /** Plays one reader listing, as pcsclite does after SCardListReaders. */
  list(names: readonly string[]): void {
    for (const name of names) {
      if (this.readers.has(name)) continue;
      const reader = new FakeReader(name);
      this.readers.set(name, reader);
      this.emit('reader', reader);
    }
    for (const [name, reader] of this.readers) {
      if (!names.includes(name)) {
        this.readers.delete(name);
        reader.emit('end');
      }
    }
    this.onListed(names);
  }

  fail(message: string): void {
    this.emit('error', new Error(message));
  }
}

/** Each open() either throws (service down) or returns a new FakeContext. */
export class FakePcsc {
  serviceUp = true;
  readonly contexts: FakeContext[] = [];
  opens = 0;

  readonly opener: PcscOpener = (onListed) => {
    this.opens += 1;
    if (!this.serviceUp) throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
    const context = new FakeContext(onListed);
    this.contexts.push(context);
    return context;
  };

  get current(): FakeContext {
    const context = this.contexts.at(-1);
    if (context === undefined) throw new Error('no context opened yet');
    return context;
  }
}
