/**
 * A failed browser test leaves its page's screenshot and console log under
 * test-results/<test name>/: a child vitest runs a check that fails on purpose.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { artifactFolderName } from '../support/failure-artifacts';
import { run } from '../support/run';

let results: string | undefined;

afterEach(async () => {
  if (results !== undefined) await rm(results, { recursive: true, force: true });
});

it('saves page.png and the console log of a failed browser test', async () => {
  results = await mkdtemp(join(tmpdir(), 'carddesk-test-results-'));
  const child = await run(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/failing-browser-test/vitest.config.ts'],
    { env: { CARDDESK_TEST_RESULTS: results }, timeoutMs: 120_000 },
  );
  expect(child.code, child.stdout + child.stderr).toBe(1);
  expect(child.stdout + child.stderr).toMatch(/a heading the page does not have/);

  const folder = join(results, artifactFolderName('a browser check > fails after the page logged'));
  expect((await readdir(results)).sort()).toEqual([artifactFolderName('a browser check > fails after the page logged')]);
  expect((await readdir(folder)).sort()).toEqual(['console.log', 'page.png']);
  const png = await readFile(join(folder, 'page.png'));
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.length).toBeGreaterThan(1000);
  expect(await readFile(join(folder, 'console.log'), 'utf8')).toMatch(/ log: marker-from-the-page\n/);
});

it('names the folder after the test, without path separators', () => {
  expect(artifactFolderName('the desk in sq > shows every screen in the dark theme, accessibly')).toBe(
    'the-desk-in-sq-shows-every-screen-in-the-dark-theme-accessibly',
  );
  expect(artifactFolderName('../../etc/passwd')).toBe('..-..-etc-passwd');
  expect(artifactFolderName('')).toBe('unnamed-test');
});
