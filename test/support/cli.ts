import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshHome, repoRoot } from './host-process';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `carddesk` command as a user would (bin/carddesk.cjs), with its own CARDDESK_HOME. */
export function carddesk(args: readonly string[], options: { input?: string; home?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), ...args], {
      env: { ...process.env, ...options.env, CARDDESK_HOME: options.home ?? freshHome('carddesk-cli-') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`carddesk ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface CliSession {
  /** Resolves with everything printed so far once `pattern` appears on stdout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  write(text: string): void;
  /** Sends a signal, as Ctrl+C (SIGINT) or a service manager (SIGTERM) would. */
  signal(signal: NodeJS.Signals): void;
  readonly done: Promise<CliResult>;
}

/** Runs `carddesk` interactively: the test reads what it prints and answers on stdin as it goes. */
export function carddeskSession(args: readonly string[], options: { home?: string; timeoutMs?: number; input?: string } = {}): CliSession {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), ...args], {
    env: { ...process.env, CARDDESK_HOME: options.home ?? freshHome('carddesk-cli-') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.input !== undefined) child.stdin.write(options.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      for (const listener of listeners) listener();
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    done,
    write: (text) => child.stdin.write(text),
    signal: (signal) => child.kill(signal),
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout)) {
            listeners.delete(check);
            clearTimeout(giveUp);
            resolve(stdout);
          } else if (child.exitCode !== null) {
            listeners.delete(check);
            clearTimeout(giveUp);
            reject(new Error(`carddesk ${args.join(' ')} ended before printing ${pattern}\n${stdout}\n${stderr}`));
          }
        };
        const giveUp = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`carddesk ${args.join(' ')} did not print ${pattern}\n${stdout}\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}
