/**
 * Card sessions through the reader service on a fake pcsclite reader that keeps, like the real
 * one, a single card handle per reader: a connect while it is open gets no protocol, and a
 * disconnect after the card was pulled fails and leaves the handle open.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePcsc } from '../../../test/support/fake-pcsc';
import { silentLogger } from '../log/logger';
import type { PcscCardHandle, PcscReaderHandle } from './pcsc-binding';
import { PcscReaderService } from './pcsc-reader-service';
import { ScardState } from './reader-state';

class SingleHandleReader extends EventEmitter implements PcscReaderHandle, PcscCardHandle {
  readonly SCARD_SHARE_EXCLUSIVE = 1;
  readonly SCARD_SHARE_SHARED = 2;
  readonly SCARD_LEAVE_CARD = 0;
  readonly SCARD_RESET_CARD = 1;
  connected = false;
  /** The card was pulled during the open session: the next disconnect fails once. */
  pulled = false;
  connects = 0;

  constructor(readonly name: string) {
    super();
  }

  close(): void {}

  connect(_options: { share_mode: number }, callback: (error: unknown, protocol?: number) => void): void {
    setImmediate(() => {
      if (this.connected) return callback(null);
      this.connects += 1;
      this.connected = true;
      callback(null, 2);
    });
  }

  transmit(_data: Buffer, _length: number, protocol: number, callback: (error: unknown, response: Buffer) => void): void {
    setImmediate(() => {
      if (typeof protocol !== 'number') return callback(new Error('Third argument must be an integer'), Buffer.alloc(0));
      callback(null, Buffer.from([0x90, 0x00]));
    });
  }

  disconnect(_disposition: number, callback: (error: unknown) => void): void {
    setImmediate(() => {
      if (this.pulled) {
        this.pulled = false;
        return callback(new Error('SCardDisconnect error: Invalid handle.(0x80100003)'));
      }
      this.connected = false;
      callback(null);
    });
  }
}

const ATR = Buffer.from('3B8C80018043', 'hex');

describe('card sessions on a PC/SC reader', () => {
  let pcsc: FakePcsc;
  let service: PcscReaderService;
  let reader: SingleHandleReader;

  beforeEach(async () => {
    pcsc = new FakePcsc();
    service = new PcscReaderService({ loadOpener: () => Promise.resolve(pcsc.opener), emit: () => undefined, log: silentLogger, sessionWaitMs: 500 });
    await service.start();
    reader = new SingleHandleReader('Reader A');
    pcsc.current.emit('reader', reader);
    reader.emit('status', { state: ScardState.PRESENT | ScardState.CHANGED, atr: ATR });
  });

  afterEach(() => service.dispose());

  it('opens a second session only once the first has closed, so neither loses its handle', async () => {
    const first = await service.connect('Reader A');
    let secondOpen = false;
    const second = service.connect('Reader A').then((connection) => {
      secondOpen = true;
      return connection;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondOpen).toBe(false);
    expect(await first.transmit(Uint8Array.of(0, 0xa4, 4, 0))).toEqual(Uint8Array.of(0x90, 0x00));
    await first.close('leave');
    const next = await second;
    expect(await next.transmit(Uint8Array.of(0, 0xa4, 4, 0))).toEqual(Uint8Array.of(0x90, 0x00));
    await next.close('leave');
    expect(reader.connects).toBe(2);
  });

  it('says the card is busy when the session before it does not end in time', async () => {
    const first = await service.connect('Reader A');
    await expect(service.connect('Reader A')).rejects.toMatchObject({ code: 'CARD_IN_USE' });
    await first.close('leave');
    const again = await service.connect('Reader A');
    await again.close('leave');
  });

  it('opens a new session after one whose card was pulled could not be disconnected', async () => {
    const first = await service.connect('Reader A');
    reader.pulled = true;
    await first.close('reset');
    expect(reader.connected).toBe(true);
    const next = await service.connect('Reader A');
    expect(await next.transmit(Uint8Array.of(0, 0xa4, 4, 0))).toEqual(Uint8Array.of(0x90, 0x00));
    await next.close('leave');
    expect(reader.connected).toBe(false);
  });

  it('refuses a session for a card that left while it waited', async () => {
    const first = await service.connect('Reader A');
    const second = service.connect('Reader A');
    reader.emit('status', { state: ScardState.EMPTY | ScardState.CHANGED, atr: Buffer.alloc(0) });
    await first.close('leave');
    await expect(second).rejects.toMatchObject({ code: 'NO_CARD' });
  });
});
