/**
 * Worker threads for verification: each checks whole segment files (segment-check.ts), so a log
 * of many segments is checked on every core while this thread joins the results in order.
 *
 * The bundled app starts them from `audit-worker.cjs` beside its bundle (built from
 * audit-worker.ts); tests and benchmarks, which run the TypeScript source, give a starter of
 * their own (test/support/audit-workers.ts). Without either, or when a worker cannot start,
 * segments are checked in this thread: the same code, one segment at a time.
 */
import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkSegment, type SegmentCheck } from './segment-check';

/** Starts one worker thread running audit-worker.ts (or its bundle). */
export type AuditWorkerStarter = () => Worker;

export interface WorkerJob {
  readonly id: number;
  readonly path: string;
  readonly sizeHint: number;
}

export type WorkerReply = { readonly id: number; readonly result: SegmentCheck } | { readonly id: number; readonly error: string };

/** The bundle's file name, next to the other bundles in dist/. */
export const AUDIT_WORKER_BUNDLE = 'audit-worker.cjs';

let bundled: Promise<AuditWorkerStarter | null> | undefined;

/** The starter for the bundled app: the worker bundle beside the running bundle, if it was built. */
export function bundledAuditWorkers(): Promise<AuditWorkerStarter | null> {
  // Looked for once, when the first verification starts.
  bundled ??= (async () => {
    const file = typeof __dirname === 'string' ? join(__dirname, AUDIT_WORKER_BUNDLE) : null;
    if (file === null) return null;
    const found = await access(file).then(
      () => true,
      () => false,
    );
    return found ? () => new Worker(file, { name: 'audit' }) : null;
  })();
  return bundled;
}

interface Entry {
  readonly job: WorkerJob;
  readonly resolve: (check: SegmentCheck) => void;
  readonly reject: (error: Error) => void;
}

interface Running {
  readonly worker: Worker;
  entry: Entry | null;
}

/**
 * Checks segments on up to `size` workers, in the order asked; a worker that fails to start or
 * dies hands its job (and the rest) to this thread. `close` ends them all.
 */
export class SegmentCheckPool {
  readonly #start: AuditWorkerStarter | null;
  readonly #size: number;
  readonly #running: Running[] = [];
  readonly #queue: Entry[] = [];
  #nextId = 0;
  #broken = false;

  constructor(start: AuditWorkerStarter | null, size = Math.min(4, availableParallelism())) {
    this.#start = start;
    this.#size = start === null ? 0 : Math.max(1, size);
  }

  /** How many segments are best kept in flight (one more than the workers, so none waits). */
  get window(): number {
    return this.#size + 1;
  }

  check(path: string, sizeHint: number): Promise<SegmentCheck> {
    if (this.#size === 0 || this.#broken) return checkSegment(path, sizeHint);
    return new Promise<SegmentCheck>((resolve, reject) => {
      this.#queue.push({ job: { id: (this.#nextId += 1), path, sizeHint }, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let idle = this.#running.find((running) => running.entry === null);
      if (idle === undefined && this.#running.length < this.#size) idle = this.#spawn() ?? undefined;
      if (idle === undefined) {
        if (this.#running.length === 0) this.#inThread();
        return;
      }
      const next = this.#queue.shift();
      if (next === undefined) return;
      idle.entry = next;
      idle.worker.postMessage(next.job);
    }
  }

  #spawn(): Running | null {
    if (this.#start === null || this.#broken) return null;
    let worker: Worker;
    try {
      worker = this.#start();
    } catch {
      this.#broken = true;
      return null;
    }
    const running: Running = { worker, entry: null };
    worker.on('message', (reply: WorkerReply) => {
      const entry = running.entry;
      if (entry === null || entry.job.id !== reply.id) return;
      running.entry = null;
      if ('result' in reply) entry.resolve(reply.result);
      else entry.reject(new Error(reply.error));
      this.#dispatch();
    });
    const lost = (): void => {
      // The worker could not start or died: its job and the rest are done in this thread.
      this.#broken = true;
      const index = this.#running.indexOf(running);
      if (index >= 0) this.#running.splice(index, 1);
      const entry = running.entry;
      running.entry = null;
      if (entry !== null) this.#queue.unshift(entry);
      void worker.terminate();
      this.#inThread();
    };
    worker.once('error', lost);
    worker.once('exit', () => {
      if (running.entry !== null) lost();
    });
    this.#running.push(running);
    return running;
  }

  /** Hands what is queued to this thread (no worker can take it). */
  #inThread(): void {
    const queued = this.#queue.splice(0);
    for (const entry of queued) checkSegment(entry.job.path, entry.job.sizeHint).then(entry.resolve, entry.reject);
  }

  async close(): Promise<void> {
    const running = this.#running.splice(0);
    await Promise.all(running.map((entry) => entry.worker.terminate()));
  }
}
