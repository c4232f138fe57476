import { execFile, spawnSync } from 'node:child_process';

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an independent checker (openssl, certtool) and returns what it said. */
export function tool(command: string, args: readonly string[], input?: string): ToolResult {
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function openssl(...args: string[]): ToolResult {
  return tool('openssl', args);
}

/** The same, without blocking this process (for servers running in it, such as the OCSP responder). */
export function toolAsync(command: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
