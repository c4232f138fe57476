/**
 * pcscd for tests: used as it is when it already runs; otherwise started here (in the
 * foreground, so its pid is ours) and stopped again afterwards. Nothing started by someone
 * else is ever stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type NetConnectOpts } from 'node:net';
import { vpcdPort } from '../../electron/vcard/vpcd-link';

const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

function canConnect(target: NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(target);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function pcscdRunning(): Promise<boolean> {
  return canConnect({ path: PCSCD_SOCKET });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class Pcscd {
  #child: ChildProcess | null = null;

  private constructor(readonly startedByUs: boolean) {}

  static async ensure(): Promise<Pcscd> {
    if (await pcscdRunning()) {
      const handle = new Pcscd(false);
      await handle.#waitForVirtualReaders();
      return handle;
    }
    const handle = new Pcscd(true);
    await handle.start();
    return handle;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  async #waitForVirtualReaders(): Promise<void> {
    for (const index of [0, 1]) {
      await waitFor(() => canConnect({ host: '127.0.0.1', port: vpcdPort(index) }).then((up) => up || false), 5000, `vpcd reader ${index}`).catch(
        (error: unknown) => {
          throw new Error(`pcscd runs but the vpcd readers do not listen (is vsmartcard-vpcd installed?): ${(error as Error).message}`);
        },
      );
    }
  }

  /** Starts our own pcscd; only allowed when we started the first one. */
  async start(): Promise<void> {
    if (!this.startedByUs) throw new Error('pcscd was started by someone else; tests do not restart it');
    if (this.#child !== null) return;
    const child = spawn('pcscd', ['--foreground'], { stdio: 'ignore' });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    await waitFor(pcscdRunning, 10_000, 'pcscd to accept connections');
    await this.#waitForVirtualReaders();
  }

  /** Stops pcscd if, and only if, this handle started it (by its pid). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!this.startedByUs || child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    await waitFor(async () => !(await pcscdRunning()), 5000, 'pcscd to stop');
  }
}
