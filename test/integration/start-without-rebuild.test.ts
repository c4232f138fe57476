/**
 * Issue 10, point 1: after a build, starting CardDesk or its command does not build again, and the
 * README's tables are whole. (`npm test` builds before this runs; the start-up time itself is
 * measured by `npm run bench -- startup`.)
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carddesk } from '../support/cli';
import { repoRoot, startHostProcess } from '../support/host-process';
import { run } from '../support/run';

const cliBundle = join(repoRoot, 'dist', 'cli.cjs');

describe('start without rebuilding', () => {
  it('the build with --if-changed finds dist/ up to date and leaves it alone', async () => {
    const before = statSync(cliBundle).mtimeMs;
    const started = performance.now();
    const result = await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--if-changed']);
    const took = performance.now() - started;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dist\/ is up to date/);
    expect(statSync(cliBundle).mtimeMs).toBe(before);
    // Starting Node plus the check; a build takes seconds.
    expect(took).toBeLessThan(2000);
  });

  it('the carddesk command runs the built CLI without building', async () => {
    const before = statSync(cliBundle).mtimeMs;
    const result = await carddesk(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/Building CardDesk/);
    expect(statSync(cliBundle).mtimeMs).toBe(before);
  });

  it('start scripts build only when a source changed', () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toMatch(/^node scripts\/build\.mjs --if-changed && /);
    expect(scripts['start:browser']).toBe('node scripts/start-browser.cjs');
  });

  it('the browser-mode launcher serves the built app without building', async () => {
    const hostBundle = join(repoRoot, 'dist', 'host.cjs');
    const before = statSync(hostBundle).mtimeMs;
    const host = await startHostProcess({ launcher: true });
    try {
      expect(host.output()).not.toMatch(/built dist/);
      expect(statSync(hostBundle).mtimeMs).toBe(before);
      const page = await fetch(host.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/carddesk-bridge\.js/);
    } finally {
      await host.stop();
    }
  });
});

describe('README', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

  it('has no table split by a blank line', () => {
    const lines = readme.split('\n');
    const split = lines.flatMap((line, index) =>
      line.trim() === '' && lines[index - 1]?.startsWith('|') === true && lines[index + 1]?.startsWith('|') === true && !/^\|\s*-/.test(lines[index + 2] ?? '') ? [index + 1] : [],
    );
    expect(split, 'blank lines between table rows (a new table would need its own header)').toEqual([]);
  });

  it('states the Node version packaging needs', () => {
    expect(readme).toMatch(/npm run package` needs Node\.js 22\.12/);
  });
});
