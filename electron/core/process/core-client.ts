/**
 * The window side of the split: the Electron main process and the browser-mode host forward each
 * call to the core process and hand back its envelope; its events arrive on `events`. If the core
 * process dies, the calls it was running answer CORE_UNAVAILABLE (they may or may not have
 * completed) and it is started again, unless it stopped more than three times in a minute.
 */
import { fork } from 'node:child_process';
import { failure, type Envelope } from '../../shared/errors';
import type { CallContext } from '../api/context';
import { EventHub } from '../api/event-hub';
import type { Logger } from '../log/logger';
import type { CoreProcessOptions, FromCore, MessagePortLike, ToCore } from './protocol';

/** How the window side reaches the services: in this process (tests) or in the core process. */
export interface CoreConnection {
  call(channel: string, args: unknown, context: CallContext): Promise<Envelope<unknown>>;
  readonly events: EventHub;
  stop(): Promise<void>;
}

/** A started core process, whatever started it (Node's fork, Electron's utilityProcess). */
export interface CoreChild {
  readonly port: MessagePortLike<ToCore, FromCore>;
  /** Settles with the exit code once the process has gone. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

const MAX_RESTARTS_PER_MINUTE = 3;
const STOP_TIMEOUT_MS = 10_000;

const stoppedDuringCall = (): Envelope<unknown> =>
  failure('CORE_UNAVAILABLE', 'The services stopped during this request; it may not have completed. Check before trying again.');
const notRunning = (): Envelope<unknown> =>
  failure('CORE_UNAVAILABLE', 'The services are not running (they stopped repeatedly); the details are in the log. Restart CardDesk.');

export class CoreClient implements CoreConnection {
  readonly events = new EventHub();
  readonly #spawn: () => CoreChild;
  readonly #log: Logger;
  readonly #pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  #child: CoreChild;
  #ready = false;
  #queue: ToCore[] = [];
  #nextId = 1;
  #crashes: number[] = [];
  #state: 'running' | 'stopping' | 'failed' = 'running';

  constructor(spawn: () => CoreChild, log: Logger) {
    this.#spawn = spawn;
    this.#log = log;
    this.#child = this.#start();
  }

  call(channel: string, args: unknown, context: CallContext): Promise<Envelope<unknown>> {
    if (this.#state !== 'running') return Promise.resolve(notRunning());
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#send({ kind: 'call', id, channel, args, context });
    });
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    const child = this.#child;
    const timer = setTimeout(() => child.kill(), STOP_TIMEOUT_MS);
    if (this.#ready) child.port.send({ kind: 'stop' });
    else child.kill();
    await child.exited;
    clearTimeout(timer);
  }

  #start(): CoreChild {
    this.#ready = false;
    const child = this.#spawn();
    child.port.onMessage((message) => this.#receive(message));
    void child.exited.then((code) => this.#exited(child, code));
    return child;
  }

  #send(message: ToCore): void {
    // A child takes messages only once it listens: until then they wait here, in order.
    if (this.#ready) this.#child.port.send(message);
    else this.#queue.push(message);
  }

  #receive(message: FromCore): void {
    switch (message.kind) {
      case 'ready': {
        this.#ready = true;
        const queued = this.#queue;
        this.#queue = [];
        for (const item of queued) this.#child.port.send(item);
        return;
      }
      case 'result':
        this.#pending.get(message.id)?.(message.envelope);
        this.#pending.delete(message.id);
        return;
      case 'event':
        // The core process emitted it from its own typed hub.
        this.events.emit(message.name, message.payload as never);
        return;
      case 'stopped':
        return;
    }
  }

  #exited(child: CoreChild, code: number | null): void {
    if (child !== this.#child) return;
    // Every call sent or still waiting to be sent has its answer now; none is sent again.
    for (const resolve of this.#pending.values()) resolve(stoppedDuringCall());
    this.#pending.clear();
    this.#queue = [];
    if (this.#state !== 'running') return;
    this.#log.error('the core process stopped unexpectedly', { code });
    const now = Date.now();
    this.#crashes = [...this.#crashes.filter((at) => now - at < 60_000), now];
    if (this.#crashes.length > MAX_RESTARTS_PER_MINUTE) {
      this.#state = 'failed';
      return;
    }
    this.#child = this.#start();
  }
}

/** Starts the core process as a Node child process (browser mode, the tests and the benchmarks). */
export function forkCoreProcess(entry: string, options: CoreProcessOptions): () => CoreChild {
  return () => {
    const child = fork(entry, ['--mode', options.mode, '--data-dir', options.dataDir], { serialization: 'advanced', stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    return {
      port: {
        send: (message) => {
          if (child.connected) child.send(message);
        },
        onMessage: (listener) => child.on('message', (message) => listener(message as FromCore)),
      },
      exited,
      kill: () => child.kill('SIGKILL'),
    };
  };
}
