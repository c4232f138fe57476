/**
 * A private CUPS scheduler for tests: its own cupsd with every file in a temporary folder (configuration,
 * spool, cache, state, logs), listening only on a Unix socket there, started as a child and ended by its
 * pid. Clients reach it through `CUPS_SERVER=<socket>` (see `env`); the machine's own CUPS is never
 * contacted or changed. A queue prints into a file: `printed-<name>.pdf` in the temporary folder.
 *
 * CUPS 2.4 writes nothing for a raw queue (`lpadmin -m raw`) with a file: device (the job "completes"
 * with no output), so each queue gets a minimal PPD whose only filter is gziptoany, which copies the
 * job's bytes unchanged to the device.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CAPTURE_PPD = `*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "CAPTURE.PPD"
*Manufacturer: "CardDesk Test"
*Product: "(Capture)"
*ModelName: "CardDesk capture"
*ShortNickName: "CardDesk capture"
*NickName: "CardDesk capture"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "1"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsFilter: "application/pdf 0 gziptoany"
*OpenUI *PageSize: PickOne
*DefaultPageSize: A4
*PageSize A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*DefaultImageableArea: A4
*ImageableArea A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4: "595 842"
`;

export class PrivateCups {
  #child: ChildProcess | null = null;

  private constructor(
    /** The temporary folder everything of this scheduler lives in. */
    readonly dir: string,
  ) {}

  /** The scheduler's socket: what CUPS_SERVER names. */
  get socket(): string {
    return join(this.dir, 'cups.sock');
  }

  /** The environment a CUPS client (lp, lpstat, lpadmin, or a child process) needs to reach this scheduler only. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, CUPS_SERVER: this.socket, LC_ALL: 'C' };
  }

  /** Writes the configuration and starts the scheduler; resolves once it answers. */
  static async start(): Promise<PrivateCups> {
    const dir = mkdtempSync(join(tmpdir(), 'carddesk-cups-'));
    const cups = new PrivateCups(dir);
    for (const sub of ['spool', 'spool/tmp', 'cache', 'state', 'log']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'capture.ppd'), CAPTURE_PPD);
    writeFileSync(
      join(dir, 'cupsd.conf'),
      [
        `Listen ${cups.socket}`,
        'LogLevel info',
        'Browsing No',
        'WebInterface No',
        'DefaultAuthType None',
        // Nothing of a printed letter stays in this scheduler's spool.
        'PreserveJobFiles No',
        '<Location />',
        '  Order allow,deny',
        '  Allow all',
        '</Location>',
        '<Policy default>',
        '  JobPrivateAccess default',
        '  JobPrivateValues default',
        '  SubscriptionPrivateAccess default',
        '  SubscriptionPrivateValues default',
        '  <Limit All>',
        '    Order deny,allow',
        '  </Limit>',
        '</Policy>',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'cups-files.conf'),
      [
        'FileDevice Yes',
        `ServerRoot ${dir}`,
        `RequestRoot ${join(dir, 'spool')}`,
        `TempDir ${join(dir, 'spool', 'tmp')}`,
        `CacheDir ${join(dir, 'cache')}`,
        `StateDir ${join(dir, 'state')}`,
        `AccessLog ${join(dir, 'log', 'access_log')}`,
        `ErrorLog ${join(dir, 'log', 'error_log')}`,
        `PageLog ${join(dir, 'log', 'page_log')}`,
        'ServerBin /usr/lib/cups',
        'DataDir /usr/share/cups',
        '',
      ].join('\n'),
    );
    await cups.resume();
    return cups;
  }

  /** Starts (again) the scheduler on the same folder: its queues are kept. */
  async resume(): Promise<void> {
    if (this.#child !== null) return;
    const child = spawn('cupsd', ['-f', '-c', join(this.dir, 'cupsd.conf'), '-s', join(this.dir, 'cups-files.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let failed: Error | null = null;
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => (failed = error));
    this.#child = child;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (failed !== null) {
        this.#child = null;
        throw new Error(`cupsd could not be started (${(failed as Error).message}): install cups-daemon, cups-client and cups-core-drivers (scripts/setup-debian.sh)`);
      }
      if (child.exitCode !== null) throw new Error(`cupsd ended (${child.exitCode}): ${stderr}${this.errorLog()}`);
      const answer = await run('lpstat', ['-r'], { env: this.env }).catch(() => ({ stdout: '' }));
      if (answer.stdout.trim() === 'scheduler is running') return;
      if (Date.now() > deadline) throw new Error(`cupsd did not answer on ${this.socket}: ${stderr}${this.errorLog()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the scheduler (by its pid) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.#child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
  }

  /** Stops the scheduler and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Adds a queue that accepts jobs and prints into `printed-<name>.pdf`; returns that file's path. */
  async addQueue(name: string, options: { default?: boolean } = {}): Promise<string> {
    const target = this.printedFile(name);
    await run('lpadmin', ['-p', name, '-E', '-v', `file://${target}`, '-P', join(this.dir, 'capture.ppd')], { env: this.env });
    if (options.default === true) await run('lpadmin', ['-d', name], { env: this.env });
    return target;
  }

  /** Makes a queue refuse new jobs (`cupsreject`), as an administrator would. */
  async reject(name: string): Promise<void> {
    await run('cupsreject', ['-r', 'out of paper', name], { env: this.env });
  }

  printedFile(name: string): string {
    return join(this.dir, `printed-${name}.pdf`);
  }

  /** The bytes a queue printed once its job completed (null while nothing arrived). */
  async printed(name: string, timeoutMs = 15_000): Promise<Buffer> {
    const file = this.printedFile(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout } = await run('lpstat', ['-o', name], { env: this.env }).catch(() => ({ stdout: 'unknown' }));
      if (stdout.trim() === '' && existsSync(file)) return readFileSync(file);
      if (Date.now() > deadline) throw new Error(`nothing printed on ${name}: ${this.errorLog()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  errorLog(): string {
    const file = join(this.dir, 'log', 'error_log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
}

