/**
 * The audit log's worker threads for tests and benchmarks, which run the TypeScript source: as
 * for the PKCS#11 workers (pkcs11-worker.ts here), a tiny ES module given as a data: URL
 * registers tsx's loader inside the worker and then imports electron/core/audit/audit-worker.ts.
 * The app starts the bundle instead (bundledAuditWorkers → dist/audit-worker.cjs).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditWorkerStarter } from '../../electron/core/audit/audit-workers';

const source = join(import.meta.dirname, '..', '..', 'electron', 'core', 'audit', 'audit-worker.ts');

export function sourceAuditWorkers(): AuditWorkerStarter {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const boot = [`import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)};`, 'register();', `await import(${JSON.stringify(pathToFileURL(source).href)});`].join('\n');
  const entry = new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
  return () => new Worker(entry, { name: 'audit' });
}
