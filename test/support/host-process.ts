/** Starts the built browser-mode host (dist/host.cjs) as its own process, with a fresh CARDDESK_HOME. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostProcess {
  /** The page to open: the kiosk's address when started with `kiosk`, otherwise the desk's. */
  readonly url: string;
  /** The operator desk's address (the same process serves both with `kiosk`). */
  readonly deskUrl: string;
  readonly origin: string;
  readonly home: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export const repoRoot = join(import.meta.dirname, '..', '..');

export function freshHome(prefix = 'carddesk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startHostProcess(
  options: { kiosk?: boolean; home?: string; env?: NodeJS.ProcessEnv; /** `npm run start:browser`'s launcher instead of the bundle */ launcher?: boolean } = {},
): Promise<HostProcess> {
  const home = options.home ?? freshHome();
  const entry = options.launcher === true ? join(repoRoot, 'scripts', 'start-browser.cjs') : join(repoRoot, 'dist', 'host.cjs');
  const args = [entry, '--port', '0', ...(options.kiosk === true ? ['--kiosk'] : [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...options.env, CARDDESK_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [deskUrl, url] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start in 15 s:\n${output}`)), 15_000);
    const look = (): void => {
      const desk = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output)?.[1];
      const kiosk = /Kiosk: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output)?.[1];
      if (desk !== undefined && (options.kiosk !== true || kiosk !== undefined)) {
        clearTimeout(timer);
        resolve([desk, kiosk ?? desk]);
      }
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  return {
    url,
    deskUrl,
    origin: new URL(url).origin,
    home,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
