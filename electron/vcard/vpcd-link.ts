/**
 * Puts a virtual card into a vsmartcard `vpcd` reader: the card is a TCP client of the reader
 * driver (127.0.0.1:35963 for reader 0, 35964 for reader 1). Every message both ways is a
 * 2-byte big-endian length and that many bytes. One byte from the reader is a control code
 * (0 power off, 1 power on, 2 reset, 4 "send your ATR"); anything longer is a command APDU,
 * answered with the response APDU. Connecting is inserting the card; closing is removing it.
 */
import { Socket } from 'node:net';
import { encodeResponse } from '../smartcard/apdu';
import { SW } from '../smartcard/status-words';

export const VPCD_BASE_PORT = 35963;

export function vpcdPort(readerIndex: number): number {
  return VPCD_BASE_PORT + readerIndex;
}

/** What the reader talks to. */
export interface VirtualCardBackend {
  readonly atr: Uint8Array;
  transmit(commandApdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
  powerOn?(): void;
  powerOff?(): void;
  reset?(): void;
}

export type ReaderSignal = 'powerOff' | 'powerOn' | 'reset' | 'atr' | 'apdu';

const controlSignals: Record<number, ReaderSignal> = { 0: 'powerOff', 1: 'powerOn', 2: 'reset', 4: 'atr' };

export class VpcdLink {
  readonly #card: VirtualCardBackend;
  readonly #host: string;
  readonly #port: number;
  readonly #signalListeners = new Set<(signal: ReaderSignal) => void>();
  #socket: Socket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  /** Responses go back in order even when the card answers asynchronously. */
  #queue: Promise<void> = Promise.resolve();

  constructor(card: VirtualCardBackend, options: { port: number; host?: string }) {
    this.#card = card;
    this.#port = options.port;
    this.#host = options.host ?? '127.0.0.1';
  }

  get inserted(): boolean {
    return this.#socket !== null;
  }

  /** Called for every message from the reader; the first `atr` after insert is the reader noticing the card. */
  onSignal(listener: (signal: ReaderSignal) => void): () => void {
    this.#signalListeners.add(listener);
    return () => this.#signalListeners.delete(listener);
  }

  insert(): Promise<void> {
    if (this.#socket !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      const fail = (error: Error): void => {
        socket.destroy();
        reject(new Error(`no vpcd reader listens on ${this.#host}:${this.#port} (is pcscd running with vsmartcard-vpcd?): ${error.message}`));
      };
      socket.once('error', fail);
      socket.connect(this.#port, this.#host, () => {
        socket.off('error', fail);
        socket.on('error', () => this.#dropped(socket));
        socket.on('close', () => this.#dropped(socket));
        socket.on('data', (chunk) => this.#receive(socket, chunk));
        this.#socket = socket;
        this.#buffer = Buffer.alloc(0);
        resolve();
      });
    });
  }

  remove(): Promise<void> {
    const socket = this.#socket;
    if (socket === null) return Promise.resolve();
    this.#socket = null;
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  #dropped(socket: Socket): void {
    if (this.#socket === socket) this.#socket = null;
  }

  #receive(socket: Socket, chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 2) {
      const length = this.#buffer.readUInt16BE(0);
      if (this.#buffer.length < 2 + length) break;
      const message = this.#buffer.subarray(2, 2 + length);
      this.#buffer = this.#buffer.subarray(2 + length);
      this.#queue = this.#queue.then(() => this.#answer(socket, Uint8Array.from(message)));
    }
  }

  async #answer(socket: Socket, message: Uint8Array): Promise<void> {
    const signal: ReaderSignal = message.length === 1 ? (controlSignals[message[0] ?? -1] ?? 'apdu') : 'apdu';
    for (const listener of this.#signalListeners) listener(signal);
    let reply: Uint8Array | null = null;
    switch (signal) {
      case 'powerOff':
        this.#card.powerOff?.();
        break;
      case 'powerOn':
        this.#card.powerOn?.();
        break;
      case 'reset':
        this.#card.reset?.();
        break;
      case 'atr':
        reply = this.#card.atr;
        break;
      case 'apdu':
        try {
          reply = await this.#card.transmit(message);
        } catch {
          reply = encodeResponse(new Uint8Array(0), SW.NO_PRECISE_DIAGNOSIS);
        }
        break;
    }
    if (reply === null || socket.destroyed) return;
    const frame = Buffer.alloc(2 + reply.length);
    frame.writeUInt16BE(reply.length, 0);
    frame.set(reply, 2);
    socket.write(frame);
  }
}
