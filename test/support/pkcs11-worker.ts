/**
 * PKCS#11 workers for tests. Vitest runs our TypeScript through its own module runner, which
 * a worker thread does not inherit, and on Node 20 `execArgv: ['--import', 'tsx']` does not
 * reach a worker's entry either (ERR_UNKNOWN_FILE_EXTENSION). So a tiny ES module, given as a
 * data: URL, registers tsx's loader inside the worker and then imports the worker's source:
 * tests always run the current source, no build needed. The app runs the bundle instead
 * (bundledPkcs11Worker → dist/pkcs11-worker.cjs); one integration test checks that bundle too.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Pkcs11WorkerSpawner } from '../../electron/core/pkcs11/worker-spawner';
import { repoRoot } from './host-process';

export const PKCS11_WORKER_SOURCE = join(repoRoot, 'electron', 'core', 'pkcs11', 'worker', 'pkcs11-worker.ts');

export interface SpawnedWorkers {
  readonly spawn: Pkcs11WorkerSpawner;
  /** Every worker started, oldest first, so a test can end one to play a crash. */
  readonly workers: Worker[];
  /** Exit codes by worker, for checking that dispose ended them all. */
  readonly exits: Map<Worker, number>;
}

function recording(start: (moduleId: string) => Worker): SpawnedWorkers {
  const workers: Worker[] = [];
  const exits = new Map<Worker, number>();
  const spawn: Pkcs11WorkerSpawner = (moduleId) => {
    const worker = start(moduleId);
    workers.push(worker);
    worker.on('exit', (code) => exits.set(worker, code));
    return worker;
  };
  return { spawn, workers, exits };
}

/** Workers running electron/core/pkcs11/worker/pkcs11-worker.ts through tsx. */
export function sourcePkcs11Workers(): SpawnedWorkers {
  // tsx's ES-module API sits next to its CommonJS one; the CommonJS register() cannot set up
  // the ES loader from inside an eval'd worker, the ES one can.
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const boot = [
    `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)};`,
    'register();',
    `await import(${JSON.stringify(pathToFileURL(PKCS11_WORKER_SOURCE).href)});`,
  ].join('\n');
  const entry = new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
  return recording((moduleId) => new Worker(entry, { name: `pkcs11:${moduleId}` }));
}

/** Workers running a built file (dist/pkcs11-worker.cjs), as the app does. */
export function filePkcs11Workers(file: string): SpawnedWorkers {
  return recording((moduleId) => new Worker(file, { name: `pkcs11:${moduleId}` }));
}
