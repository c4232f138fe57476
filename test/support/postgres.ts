/**
 * A private PostgreSQL server for tests (issue 18): `initdb` into a temporary folder, its own
 * port on 127.0.0.1 and its own socket folder, started in the foreground so its pid is ours and
 * stopped by that pid. Nothing started by someone else is touched. PostgreSQL refuses to run as
 * root, so as root the cluster belongs to the `postgres` system user (Debian's package makes it).
 *
 * Each test makes its own database (`createDatabase`), so tests sharing one server stay apart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The folder of PostgreSQL's server programs: PATH first, then Debian's /usr/lib/postgresql/<newest>/bin. */
export function postgresBinDir(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath !== '') return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  throw new Error('PostgreSQL server programs (initdb, postgres) not found: install Debian\'s postgresql package (scripts/setup-debian.sh does).');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SUPERUSER = 'carddesk_test';

export class TestPostgres {
  #child: ChildProcess | null = null;
  #databases = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly bin: string,
    readonly runAs: { uid: number; gid: number } | null,
  ) {}

  /** Makes a new cluster in a temporary folder and starts it. */
  static async start(): Promise<TestPostgres> {
    const bin = postgresBinDir();
    const dir = await mkdtemp(join(tmpdir(), 'carddesk-pg-'));
    let runAs: { uid: number; gid: number } | null = null;
    if (process.getuid?.() === 0) {
      const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
      runAs = { uid: id('-u'), gid: id('-g') };
      if (!Number.isInteger(runAs.uid) || runAs.uid === 0) throw new Error('running as root needs the postgres system user (Debian\'s postgresql package makes it)');
      await chown(dir, runAs.uid, runAs.gid);
    }
    await chmod(dir, 0o700);
    const server = new TestPostgres(dir, await freePort(), bin, runAs);
    const initdb = spawnSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      encoding: 'utf8',
      ...(runAs === null ? {} : { uid: runAs.uid, gid: runAs.gid }),
    });
    if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr}`);
    await server.startServer();
    return server;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** A connection URL for `database` (the server's maintenance database when omitted). */
  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a new, empty database and returns its URL. */
  async createDatabase(prefix = 'carddesk'): Promise<string> {
    const name = `${prefix}_${process.pid}_${++this.#databases}`;
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async #accepts(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  }

  /** Starts the server (again, after `stopServer`: the fault tests restart it under load). */
  async startServer(): Promise<void> {
    if (this.#child !== null) return;
    const child = spawn(
      join(this.bin, 'postgres'),
      ['-D', join(this.dir, 'data'), '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${this.dir}`, '-c', 'max_connections=200', '-c', 'fsync=on'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(this.runAs === null ? {} : { uid: this.runAs.uid, gid: this.runAs.gid }) },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    await waitFor(
      async () => {
        if (this.#child === null) throw new Error(`postgres exited at start: ${stderr}`);
        return this.#accepts();
      },
      20_000,
      'PostgreSQL to accept connections',
    );
  }

  /** Stops the server by its pid (fast shutdown: connections are cut, as in a restart). */
  async stopServer(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.stopServer();
    await rm(this.dir, { recursive: true, force: true });
  }
}
