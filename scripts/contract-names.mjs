// The contract's channel and event names, read off electron/shared/contract.ts itself. The browser
// bridge gets them built in (scripts/build.mjs), so it needs neither the contract's schemas nor a
// second list of names that could drift from the contract.
import { createRequire } from 'node:module';

/** @param {typeof import('esbuild').build} build */
export async function contractNames(build) {
  const { outputFiles } = await build({
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
    entryPoints: ['electron/shared/contract.ts'],
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  const { channelNames, eventNames } = module.exports;
  if (!Array.isArray(channelNames) || !Array.isArray(eventNames) || channelNames.length === 0) {
    throw new Error('electron/shared/contract.ts no longer exports channelNames and eventNames');
  }
  return { channels: channelNames, events: eventNames };
}
