/**
 * `npm run bench -- startup [--runs N]`: from typing `npm run start:browser` to the first usable
 * screen (the desk's shell drawn with the services' answer) in Chromium, with a new data folder
 * each run; beside a plain static file server (Node's http module, no CardDesk code) serving the
 * same renderer bundle, timed from its start to React's first render. Both include starting a
 * Node process; CardDesk's also includes npm, the build check and the services. Goal (issue 10):
 * at most 1.5 s on the 2-core machine. The Electron window is not timed here: the machines this
 * runs on cannot download the Electron binary; it runs the same build check and services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../test/support/browser';
import { repoRoot } from '../test/support/host-process';
import { run } from '../test/support/run';
import type { Benchmark } from './run';
import { absolute, compare, formatMs, percentile } from './report';

const GOAL_MS = 1500;

// The anchor: a static file server in a few lines of plain Node, serving dist/renderer.
const STATIC_SERVER = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const root = process.argv[1];
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' };
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname.replace(/\\/$/, '/index.html')));
  fs.readFile(file, (error, body) => {
    if (error) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log('Open: http://127.0.0.1:' + server.address().port + '/'));
`;

/** Starts a command in its own process group and resolves with the address it prints. */
function startPrintingAddress(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} printed no address in 30 s:\n${output}`)), 30_000);
    const look = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Open: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

/** One start of CardDesk: `npm run start:browser` until the desk's shell is on screen. */
async function timeCardDesk(browser: Browser): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'carddesk-bench-startup-'));
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const started = performance.now();
  const { child, url } = await startPrintingAddress('npm', ['run', '-s', 'start:browser'], { ...process.env, CARDDESK_HOME: home });
  try {
    await page.goto(url);
    await page.getByTestId('app-title').waitFor({ state: 'visible', timeout: 30_000 });
    return performance.now() - started;
  } finally {
    await page.close();
    await stopGroup(child);
    rmSync(home, { recursive: true, force: true });
  }
}

/** One start of the anchor: a static server until React has drawn its first element. */
async function timeStaticServer(browser: Browser): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  const started = performance.now();
  const { child, url } = await startPrintingAddress(process.execPath, ['-e', STATIC_SERVER, join(repoRoot, 'dist', 'renderer')], process.env);
  try {
    await page.goto(url);
    await page.waitForFunction(() => (document.getElementById('root')?.childElementCount ?? 0) > 0, undefined, { timeout: 30_000 });
    return performance.now() - started;
  } finally {
    await page.close();
    await stopGroup(child);
  }
}

export const benchmark: Benchmark = {
  description: '`npm run start:browser` to the first usable screen, beside a static file server with the same bundle',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { runs: { type: 'string', default: '5' } } });
    const runs = Number(values.runs);
    // What a user has after setup or a previous start: an up-to-date build (not timed).
    const build = await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--if-changed'], { timeoutMs: 300_000 });
    if (build.code !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
    const browser = await launchBrowser();
    try {
      await timeCardDesk(browser); // warm-up: the first start after a build reads cold files
      await timeStaticServer(browser);
      const ours: number[] = [];
      const anchor: number[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(await timeCardDesk(browser));
        anchor.push(await timeStaticServer(browser));
      }
      console.log(`runs: ${runs}; CardDesk ${ours.map(formatMs).join(', ')}; static server ${anchor.map(formatMs).join(', ')}`);
      compare({ what: 'start to first usable screen (median)', ours: percentile(ours, 50), anchor: percentile(anchor, 50), anchorName: 'static file server', unit: 'ms', better: 'lower' });
      absolute({ what: 'CardDesk start to first usable screen (median)', value: percentile(ours, 50), unit: 'ms', goal: { max: GOAL_MS, text: `≤ ${GOAL_MS} ms` } });
      absolute({ what: 'CardDesk start to first usable screen (slowest)', value: percentile(ours, 100), unit: 'ms' });
    } finally {
      await browser.close();
    }
  },
};
