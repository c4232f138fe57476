/**
 * The large bundles start through V8's code cache (electron/boot/code-cache.ts): the first run
 * compiles and leaves the cache beside the bundle, the next takes its code from it; a changed
 * bundle or a damaged cache is compiled again and runs the current code; a folder that cannot be
 * written runs without a cache.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/host-process';
import { run } from '../support/run';

const loader = join(repoRoot, 'electron', 'boot', 'code-cache.ts');
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) {
    chmodSync(folder, 0o700);
    rmSync(folder, { recursive: true, force: true });
  }
});

/** A bundle-shaped script: uses require, __dirname and module.exports, and prints what it was given. */
function bundle(word: string): string {
  return `const { basename } = require('node:path');\nconst self = this === exports && exports === module.exports;\nmodule.exports = { word: '${word}' };\nconsole.log(JSON.stringify({ word: module.exports.word, folder: basename(__dirname), self }));\n`;
}

async function runBundle(file: string): Promise<{ printed: { word: string; folder: string; self: boolean }; how: string }> {
  const script = `const how = require(${JSON.stringify(loader)}).runWithCodeCache(process.argv[1]); process.stderr.write(how);`;
  const result = await run(process.execPath, ['--import', 'tsx', '-e', script, file]);
  expect(result.code, result.stderr).toBe(0);
  return { printed: JSON.parse(result.stdout.trim()) as { word: string; folder: string; self: boolean }, how: result.stderr.trim() };
}

function folderWith(source: string): { folder: string; file: string } {
  const folder = mkdtempSync(join(tmpdir(), 'carddesk-code-cache-'));
  folders.push(folder);
  const file = join(folder, 'bundle.cjs');
  writeFileSync(file, source);
  return { folder, file };
}

describe('the code cache', () => {
  it('compiles the first time, leaves the cache, and runs from it the next time', async () => {
    const { folder, file } = folderWith(bundle('alpha'));
    const first = await runBundle(file);
    expect(first).toEqual({ printed: { word: 'alpha', folder: folder.split('/').pop(), self: true }, how: 'compiled' });
    expect(existsSync(`${file}.v8cache`)).toBe(true);
    expect(readFileSync(`${file}.v8cache`).subarray(0, 22).toString()).toBe('carddesk-code-cache 1 ');
    expect((await runBundle(file)).how).toBe('cached');
  });

  it('runs the changed bundle, not the cached one, when the bundle changes (same size)', async () => {
    const { file } = folderWith(bundle('alpha'));
    await runBundle(file);
    writeFileSync(file, bundle('omega'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const after = await runBundle(file);
    expect(after.printed.word).toBe('omega');
    expect(after.how).toBe('compiled');
  });

  it('compiles again when the cache is damaged', async () => {
    const { file } = folderWith(bundle('alpha'));
    await runBundle(file);
    const cache = readFileSync(`${file}.v8cache`);
    const header = cache.indexOf(0x0a) + 1;
    for (let i = header; i < cache.length; i += 7) cache[i] = cache[i]! ^ 0xff;
    writeFileSync(`${file}.v8cache`, cache);
    const after = await runBundle(file);
    expect(after.printed.word).toBe('alpha');
    expect(after.how).toBe('compiled');
  });

  it('runs without a cache in a folder it cannot write', async () => {
    const { folder, file } = folderWith(bundle('alpha'));
    chmodSync(folder, 0o500);
    const result = await runBundle(file);
    expect(result.printed.word).toBe('alpha');
    // root may write anyway; then the cache is there and valid, else it is absent and nothing failed.
    if (existsSync(`${file}.v8cache`)) expect((await runBundle(file)).how).toBe('cached');
  });
});
