/**
 * The main thread's end of one module's worker: it starts the worker and loads the module,
 * sends one request at a time with an id and a timeout, parses every answer, and recovers
 * when the worker dies or hangs: the calls waiting on that worker fail with a clear error,
 * and the next call starts a fresh worker. One request in flight at a time keeps each
 * timeout honest (it measures that request, not the queue before it).
 */
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import { ckrName } from './ck';
import { type CallOf, compactBytes, type Pkcs11Call, type Pkcs11RequestKind, Pkcs11ResponseSchema, type ResultOf, resultSchemas } from './protocol';
import type { ModuleLoad } from './schemas/token';
import type { Pkcs11WorkerHandle, Pkcs11WorkerSpawner } from './worker-spawner';

export type Pkcs11Timeouts = Readonly<Record<Pkcs11RequestKind, number>>;

/** Milliseconds per request kind: generous where a person or a slow card may be involved. */
export const defaultPkcs11Timeouts: Pkcs11Timeouts = {
  // OpenSC's C_Initialize connects to pcscd and may wait for it.
  init: 30_000,
  listSlots: 15_000,
  tokenInfo: 15_000,
  // A PIN pad waits for a person.
  login: 120_000,
  logout: 15_000,
  // A card with many certificates behind a slow reader.
  listObjects: 60_000,
  findKey: 30_000,
  getPublicKey: 30_000,
  sign: 60_000,
  decrypt: 60_000,
  // RSA-4096 generation on a smart card can take minutes.
  generateKeyPair: 300_000,
  writeCertificate: 30_000,
  close: 10_000,
};

export interface WorkerClientDeps {
  readonly moduleId: string;
  readonly modulePath: string;
  readonly spawn: Pkcs11WorkerSpawner;
  readonly log: Logger;
  readonly timeouts: Pkcs11Timeouts;
}

export interface CallOptions {
  /** Buffers handed over to the worker (moved, not copied); a PIN travels this way. */
  readonly transfer?: readonly Uint8Array[];
}

interface Pending {
  readonly id: number;
  readonly call: Pkcs11Call;
  readonly transfer: readonly Uint8Array[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Running {
  readonly worker: Pkcs11WorkerHandle;
  readonly queue: Pending[];
  readonly load: Promise<ModuleLoad>;
  inFlight: { readonly pending: Pending; readonly timer: NodeJS.Timeout } | null;
  /** Nothing is sent until the previous worker has left the library (see #ensure). */
  gateOpen: boolean;
  stopped: boolean;
}

/** How long a fresh worker waits for a stopped one to leave the library before loading it anyway. */
const EXIT_GRACE_MS = 5_000;

type ClientCallKind = Exclude<Pkcs11RequestKind, 'init' | 'close'>;

export class Pkcs11WorkerClient {
  readonly #deps: WorkerClientDeps;
  #running: Running | null = null;
  /** Settles when the last stopped worker's thread has ended, or after EXIT_GRACE_MS. */
  #previousExit: Promise<void> | null = null;
  #nextId = 1;
  #closed = false;

  constructor(deps: WorkerClientDeps) {
    this.#deps = deps;
  }

  /** Starts the worker if needed; the module's info, or why it cannot be loaded, as a value. */
  load(): Promise<ModuleLoad> {
    if (this.#closed) return Promise.reject(this.#closedError());
    try {
      return this.#ensure().load;
    } catch (error) {
      return Promise.reject(this.#spawnFailed(error));
    }
  }

  call<K extends ClientCallKind>(call: CallOf<K>, options: CallOptions = {}): Promise<ResultOf<K>> {
    const transfer = options.transfer ?? [];
    let running: Running;
    try {
      if (this.#closed) throw this.#closedError();
      running = this.#ensure();
    } catch (error) {
      for (const bytes of transfer) bytes.fill(0);
      return Promise.reject(error instanceof CardDeskError ? error : this.#spawnFailed(error));
    }
    return this.#enqueue(running, call, transfer) as Promise<ResultOf<K>>;
  }

  /**
   * Ends the worker: calls not yet sent fail, the one in flight gets a short grace, then the
   * worker closes its sessions and finalizes the module, and the thread is terminated.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const running = this.#running;
    if (running === null) return;
    for (const pending of running.queue.splice(0)) this.#abandon(pending, this.#closedError());
    const closing = this.#enqueue(running, { kind: 'close' }, []);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.#deps.timeouts.close).unref());
    await Promise.race([closing.then(() => undefined, () => undefined), grace]);
    await this.#stop(running, () => this.#closedError());
  }

  #ensure(): Running {
    if (this.#running !== null) return this.#running;
    const { moduleId, modulePath, spawn, log } = this.#deps;
    const worker = spawn(moduleId);
    let resolveLoad!: (load: ModuleLoad) => void;
    const running: Running = { worker, queue: [], load: new Promise((resolve) => (resolveLoad = resolve)), inFlight: null, gateOpen: true, stopped: false };
    this.#running = running;
    // A stopped worker may still be inside the library: terminate() takes effect only when its
    // native call returns (a slow key generation, a PIN pad). The library is process-wide, so
    // the new worker loads it only after the old thread has ended, or after a grace period.
    const previousExit = this.#previousExit;
    if (previousExit !== null) {
      running.gateOpen = false;
      void previousExit.then(() => {
        running.gateOpen = true;
        this.#pump(running);
      });
    }
    worker.on('message', (raw) => this.#onMessage(running, raw));
    worker.on('error', (error) => this.#died(running, { error }));
    worker.on('exit', (exitCode) => this.#died(running, { exitCode }));
    // The first request of every worker loads the module; a failure is a value for load(),
    // and #onMessage stops the worker before anything queued behind it is sent.
    this.#enqueue(running, { kind: 'init', modulePath }, []).then(
      (value) => {
        const load = value as ModuleLoad;
        if (!load.ok) log.warn('PKCS#11 module unavailable', { module: moduleId, problem: load.problem, detail: load.message });
        resolveLoad(load);
      },
      (error: Error) => resolveLoad({ ok: false, problem: 'loadFailed', message: error.message }),
    );
    return running;
  }

  #enqueue(running: Running, call: Pkcs11Call, transfer: readonly Uint8Array[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { id: this.#nextId++, call, transfer, resolve, reject };
      if (running.stopped) {
        this.#abandon(pending, new CardDeskError('PKCS11_WORKER_STOPPED', this.#stoppedMessage()));
        return;
      }
      running.queue.push(pending);
      running.worker.ref();
      this.#pump(running);
    });
  }

  #pump(running: Running): void {
    if (running.stopped || !running.gateOpen || running.inFlight !== null) return;
    const pending = running.queue.shift();
    if (pending === undefined) {
      running.worker.unref();
      return;
    }
    const timeoutMs = this.#deps.timeouts[pending.call.kind];
    const timer = setTimeout(() => this.#onTimeout(running, pending, timeoutMs), timeoutMs);
    running.inFlight = { pending, timer };
    try {
      // Moved, not copied: after this the main thread holds no copy of a PIN (the array is detached).
      running.worker.postMessage(
        compactBytes({ ...pending.call, id: pending.id }),
        pending.transfer.map((bytes) => bytes.buffer as ArrayBuffer),
      );
    } catch (error) {
      // Something in the call cannot be cloned (a caller's bug); the worker never saw it.
      clearTimeout(timer);
      running.inFlight = null;
      this.#abandon(pending, new CardDeskError('INVALID_ARGUMENTS', `The ${pending.call.kind} request could not be sent to the PKCS#11 worker.`, { cause: error }));
      this.#pump(running);
    }
  }

  #onMessage(running: Running, raw: unknown): void {
    if (running.stopped) return;
    const parsed = Pkcs11ResponseSchema.safeParse(raw);
    const inFlight = running.inFlight;
    if (!parsed.success || inFlight === null || parsed.data.id !== inFlight.pending.id) {
      // Out of step with the worker: nothing it says can be trusted any more.
      this.#deps.log.error('PKCS#11 worker sent an unexpected message; restarting it', { module: this.#deps.moduleId });
      void this.#stop(running, () => new CardDeskError('PKCS11_WORKER_STOPPED', 'The PKCS#11 worker answered out of turn and was restarted.'));
      return;
    }
    clearTimeout(inFlight.timer);
    running.inFlight = null;
    const { pending } = inFlight;
    const response = parsed.data;
    if (!response.ok) {
      const { code, message, ckr } = response.error;
      if (code === 'PKCS11_ERROR' || code === 'INTERNAL') {
        this.#deps.log.error('PKCS#11 call failed', { module: this.#deps.moduleId, request: pending.call.kind, code, ckr: ckr === null ? null : ckrName(ckr), detail: message });
      }
      pending.reject(new CardDeskError(code, message));
      if (pending.call.kind === 'init') {
        // No module in this worker: nothing queued behind the init can succeed there.
        void this.#stop(running, () => new CardDeskError('PKCS11_MODULE_UNAVAILABLE', message));
        return;
      }
    } else {
      const result = resultSchemas[pending.call.kind].safeParse(response.result);
      if (!result.success) {
        pending.reject(new CardDeskError('PKCS11_ERROR', `The PKCS#11 worker gave a malformed ${pending.call.kind} result.`));
      } else {
        pending.resolve(result.data);
        const load = pending.call.kind === 'init' ? (result.data as ModuleLoad) : null;
        if (load?.ok === false) {
          void this.#stop(running, () => new CardDeskError('PKCS11_MODULE_UNAVAILABLE', load.message));
          return;
        }
      }
    }
    this.#pump(running);
  }

  #onTimeout(running: Running, pending: Pending, timeoutMs: number): void {
    if (running.stopped || running.inFlight?.pending !== pending) return;
    running.inFlight = null;
    const { moduleId, log } = this.#deps;
    log.warn('PKCS#11 call timed out; restarting the module worker', { module: moduleId, request: pending.call.kind, timeoutMs });
    pending.reject(new CardDeskError('PKCS11_TIMEOUT', `The PKCS#11 module "${moduleId}" did not answer ${pending.call.kind} within ${timeoutMs} ms.`));
    void this.#stop(running, () => new CardDeskError('PKCS11_WORKER_STOPPED', `The PKCS#11 module "${moduleId}" was restarted after a call timed out.`));
  }

  #died(running: Running, how: { error?: Error; exitCode?: number }): void {
    if (running.stopped) return;
    this.#deps.log.error('PKCS#11 worker stopped', { module: this.#deps.moduleId, ...how });
    void this.#stop(running, () => new CardDeskError('PKCS11_WORKER_STOPPED', this.#stoppedMessage()));
  }

  /** Fails everything waiting on this worker and terminates it; the next call starts a new one. */
  async #stop(running: Running, errorFor: () => Error): Promise<void> {
    if (this.#running === running) this.#running = null;
    if (!running.stopped) {
      running.stopped = true;
      if (running.inFlight !== null) {
        clearTimeout(running.inFlight.timer);
        running.inFlight.pending.reject(errorFor());
        running.inFlight = null;
      }
      for (const pending of running.queue.splice(0)) this.#abandon(pending, errorFor());
    }
    const exited = running.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
    const grace = new Promise<void>((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref());
    this.#previousExit = Promise.race([exited, grace]);
    await exited;
  }

  #abandon(pending: Pending, error: Error): void {
    for (const bytes of pending.transfer) bytes.fill(0);
    pending.reject(error);
  }

  /** The worker file could not be started at all: a packaging fault, not the module's. */
  #spawnFailed(error: unknown): CardDeskError {
    this.#deps.log.error('PKCS#11 worker could not be started', { module: this.#deps.moduleId, error });
    return new CardDeskError('PKCS11_WORKER_STOPPED', `The worker for PKCS#11 module "${this.#deps.moduleId}" could not be started.`, { cause: error });
  }

  #stoppedMessage(): string {
    return `The worker for PKCS#11 module "${this.#deps.moduleId}" stopped before answering.`;
  }

  #closedError(): CardDeskError {
    return new CardDeskError('PKCS11_WORKER_STOPPED', 'The PKCS#11 service has been closed.');
  }
}
