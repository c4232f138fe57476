/**
 * Runs a bundle (dist/core.cjs, dist/cli.cjs) the way Node's `require` would, but with V8's code
 * cache: compiling the 6 MB bundles is the largest single cost of starting the core and of each CLI
 * command (about 100 ms of the core's 500 ms on the 2-core machine). The cache is written once,
 * after the bundle has run for a while (so it holds the functions start-up needed), beside the
 * bundle: whoever may write there may change the bundle itself, so the cache is trusted no more
 * than the code. It is used only for the same bundle (size and modification time) and the same V8;
 * a folder that cannot be written (a packaged app) simply runs without it.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** How long the bundle runs before its cache is written: start-up's functions are compiled by then. */
const SAVE_AFTER_MS = 1500;

function stampOf(file: string): string {
  const { size, mtimeMs } = statSync(file);
  return `carddesk-code-cache 1 ${size} ${mtimeMs} ${process.versions.v8} ${process.arch}\n`;
}

function readCache(cacheFile: string, stamp: string): Buffer | undefined {
  try {
    const data = readFileSync(cacheFile);
    const header = Buffer.from(stamp);
    return data.subarray(0, header.length).equals(header) ? data.subarray(header.length) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, stamp: string, script: Script): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(stamp), script.createCachedData()]));
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only folder (a packaged app) or a full disk: the next start compiles again, nothing else.
  }
}

/** Runs `file`; says whether V8 took its code from the cache or compiled it. */
export function runWithCodeCache(file: string): 'cached' | 'compiled' {
  const source = readFileSync(file, 'utf8');
  const stamp = stampOf(file);
  const cacheFile = `${file}.v8cache`;
  const cachedData = readCache(cacheFile, stamp);
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const compiled = cachedData === undefined || script.cachedDataRejected === true;
  if (compiled) {
    let saved = false;
    const save = (): void => {
      if (saved) return;
      saved = true;
      writeCache(cacheFile, stamp, script);
    };
    setTimeout(save, SAVE_AFTER_MS).unref();
    // A short CLI command is over long before the timer: it leaves its cache as it exits.
    process.once('exit', save);
  }
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  const bundle = { exports: {} };
  run.call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file));
  return compiled ? 'compiled' : 'cached';
}
