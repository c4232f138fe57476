// Builds everything `npm start`, `npm run start:browser`, the CLI and the tests run:
// the renderer with Vite, and the Node/Electron entry points with esbuild (one file each).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

const started = Date.now();
rmSync('dist', { recursive: true, force: true });

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });

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
};

await Promise.all([
  build({ ...node, entryPoints: ['electron/main/index.ts'], outfile: 'dist/main.cjs' }),
  // A sandboxed preload can only require('electron'): everything else is bundled into it.
  build({ ...node, external: ['electron'], entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/preload.cjs' }),
  build({ ...node, entryPoints: ['electron/host/index.ts'], outfile: 'dist/host.cjs' }),
  build({ ...node, entryPoints: ['electron/cli/index.ts'], outfile: 'dist/cli.cjs' }),
  // One worker thread per PKCS#11 module (electron/core/pkcs11/worker-spawner.ts): its own
  // entry, next to the bundles that start it, so they find it as `${__dirname}/pkcs11-worker.cjs`.
  build({ ...node, entryPoints: ['electron/core/pkcs11/worker/pkcs11-worker.ts'], outfile: 'dist/pkcs11-worker.cjs' }),
  // The CA's PKCS#11 worker thread (electron/core/ca/pkcs11-worker.ts), loaded beside the entry points.
  build({ ...node, entryPoints: ['electron/core/ca/pkcs11-worker.ts'], outfile: 'dist/pkcs11-ca-worker.cjs' }),
  build({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
    entryPoints: ['electron/host/bridge.ts'],
    outfile: 'dist/bridge/carddesk-bridge.js',
  }),
]);

console.log(`built dist/ in ${Date.now() - started} ms`);
