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

/** One certificate's status asked of an OCSP responder, the answer checked against the chain. */
export interface OcspQuery {
  /** The issuing CA's certificate (PEM file). */
  readonly issuer: string;
  /** The certificate asked about (PEM file). */
  readonly cert: string;
  /** The responder's URL. */
  readonly url: string;
  /** The chain the response's signature is verified against (PEM file, passed as -CAfile). */
  readonly chain: string;
  /** Sends a nonce (and so requires the responder to echo it). */
  readonly nonce?: boolean;
  readonly timeoutSeconds?: number;
}

function ocspArgs(query: OcspQuery): string[] {
  const nonce = query.nonce === true ? ['-nonce'] : [];
  return ['ocsp', '-issuer', query.issuer, '-cert', query.cert, '-url', query.url, '-CAfile', query.chain, ...nonce, '-timeout', String(query.timeoutSeconds ?? 15)];
}

/** `openssl ocsp` for one certificate: its stdout names `<cert>: good|revoked` and says `Response verify OK`. */
export function ocspStatus(query: OcspQuery): ToolResult {
  return openssl(...ocspArgs(query));
}

/** The same without blocking this process (for a responder served by this process). */
export function ocspStatusAsync(query: OcspQuery): Promise<ToolResult> {
  return toolAsync('openssl', ocspArgs(query));
}
