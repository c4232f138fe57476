// Builds everything `npm start`, `npm run start:browser`, the CLI and the tests run:
// the renderer with Vite, and the Node/Electron entry points with esbuild (one file each).
//
// `--if-changed` builds only when an input changed since the last complete build: the digest of
// every input file's path and content is kept in dist/.build-stamp, written last, so an interrupted
// build is never taken for a complete one. Checking takes a few tens of milliseconds.
// Builds started at once (two test files running `carddesk`, `npm start` twice) take turns through a
// lock folder; the second then finds dist/ up to date instead of deleting it under the first.
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import stamp from './build-stamp.cjs';
import { contractNames } from './contract-names.mjs';

const { BUILD_STAMP, inputsDigest, isUpToDate } = stamp;
const LOCK = '.build.lock';
const STALE_LOCK_MS = 5 * 60_000;

const started = Date.now();
const ifChanged = process.argv.includes('--if-changed');
if (ifChanged && isUpToDate()) {
  console.log(`dist/ is up to date (checked in ${Date.now() - started} ms)`);
  process.exit(0);
}

async function takeLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A build killed half-way leaves its lock behind; no build takes minutes.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await sleep(200);
    }
  }
}
await takeLock();
process.on('exit', () => rmSync(LOCK, { recursive: true, force: true }));
if (ifChanged && isUpToDate()) {
  console.log('dist/ was built meanwhile and is up to date');
  process.exit(0);
}
// Imported only when there is work to do: loading Vite alone takes longer than the check.
const { build } = await import('esbuild');
const { build: viteBuild } = await import('vite');
const digest = inputsDigest();
rmSync('dist', { recursive: true, force: true });

// Always React's production build, also when started from a shell or test runner that set
// NODE_ENV (vitest sets 'test', which made Vite bundle react-dom's development build: 1.6 MB
// instead of 1.2 MB, and slower to start).
process.env.NODE_ENV = 'production';
await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn', mode: 'production' });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Pure-JS dependencies are bundled (some, like lowdb, ship only ES modules); native ones
  // (pcsclite, pkcs11js) must load from node_modules at run time, and electron is the host.
  external: ['electron', 'pcsclite', 'pkcs11js'],
  // `await import('pcsclite')` becomes a require: core.cjs and cli.cjs run as a vm.Script
  // (electron/boot/code-cache.ts), where a native import() has no module loader to call.
  supported: { 'dynamic-import': false },
};

const names = await contractNames(build);

await Promise.all([
  build({ ...node, entryPoints: ['electron/main/index.ts'], outfile: 'dist/main.cjs' }),
  // A sandboxed preload can only require('electron'): everything else is bundled into it.
  build({ ...node, external: ['electron'], entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/preload.cjs' }),
  build({ ...node, entryPoints: ['electron/host/index.ts'], outfile: 'dist/host.cjs' }),
  build({ ...node, entryPoints: ['electron/cli/index.ts'], outfile: 'dist/cli.cjs' }),
  // The services' own process, started by main.cjs (utility process) and host.cjs (child process).
  build({ ...node, entryPoints: ['electron/core/process/core-process.ts'], outfile: 'dist/core.cjs' }),
  // What starts core.cjs and cli.cjs: small, so the large bundles load through V8's code cache.
  build({ ...node, entryPoints: ['electron/boot/core-boot.ts'], outfile: 'dist/core-boot.cjs' }),
  build({ ...node, entryPoints: ['electron/boot/cli-boot.ts'], outfile: 'dist/cli-boot.cjs' }),
  // One worker thread per PKCS#11 module (electron/core/pkcs11/worker-spawner.ts): its own
  // entry, next to the bundles that start it, so they find it as `${__dirname}/pkcs11-worker.cjs`.
  build({ ...node, entryPoints: ['electron/core/pkcs11/worker/pkcs11-worker.ts'], outfile: 'dist/pkcs11-worker.cjs' }),
  // The audit log's verification checks segments in worker threads (electron/core/audit/audit-workers.ts).
  build({ ...node, entryPoints: ['electron/core/audit/audit-worker.ts'], outfile: 'dist/audit-worker.cjs' }),
  build({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
    // A classic script in the page's head: every byte delays the app, so it is small and minified,
    // with the contract's names built in instead of the contract (electron/host/bridge.ts).
    minify: true,
    define: { CONTRACT_NAMES: JSON.stringify(names) },
    entryPoints: ['electron/host/bridge.ts'],
    outfile: 'dist/bridge/carddesk-bridge.js',
  }),
]);

// The contract templates and fonts travel beside the bundles, so a packaged app (which ships only
// dist/) finds them as `${__dirname}/contracts` (electron/core/contracts/document/contract-resources.ts).
cpSync('resources/contracts', 'dist/contracts', { recursive: true });

writeFileSync(BUILD_STAMP, `${digest}\n`);
console.log(`built dist/ in ${Date.now() - started} ms`);
