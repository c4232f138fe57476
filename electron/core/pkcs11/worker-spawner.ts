/**
 * How the service starts a worker thread for a module. The composition root decides where
 * the worker's code is: the app and the CLI run the bundle `dist/pkcs11-worker.cjs` that
 * scripts/build.mjs writes next to their own bundle; tests run the TypeScript source
 * (test/support/pkcs11-worker.ts). Inside an asar archive Electron (≥ 18) loads a worker's
 * file too, and the worker's `require('pkcs11js')` reaches the unpacked native module.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The part of worker_threads.Worker the client uses; a fake implements it in unit tests. */
export interface Pkcs11WorkerHandle {
  postMessage(value: unknown, transferList?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (exitCode: number) => void): unknown;
  /** Stops the thread; a thread inside a native call stops when that call returns. */
  terminate(): Promise<number>;
  /** An idle worker must not keep a one-shot CLI command alive. */
  ref(): void;
  unref(): void;
}

export type Pkcs11WorkerSpawner = (moduleId: string) => Pkcs11WorkerHandle;

/** The bundle's file name, next to main.cjs, host.cjs and cli.cjs in dist/. */
export const PKCS11_WORKER_BUNDLE = 'pkcs11-worker.cjs';

/**
 * Starts workers from a built file. The worker gets a copy of process.env at start, but the
 * module reads the real process environment (getenv), which the threads share: set
 * SOFTHSM2_CONF or OPENSC_CONF before the first call that loads a module.
 */
export function workerFromFile(file: string): Pkcs11WorkerSpawner {
  return (moduleId) => new Worker(file, { name: `pkcs11:${moduleId}` });
}

/** The composition root's choice in the bundled app: `distDir` is the folder of the running bundle. */
export function bundledPkcs11Worker(distDir: string): Pkcs11WorkerSpawner {
  return workerFromFile(join(distDir, PKCS11_WORKER_BUNDLE));
}
