/**
 * PIN letters straight to a printer through the operating system's print system, CUPS (Linux and
 * macOS), from the core process: the same in the Electron app, browser mode and the CLI. The queues
 * are those `lpstat -a` lists as accepting jobs (the default from `lpstat -d`); a letter's PDF file
 * is handed to `lp -d <queue> -- <file>`, which copies it to the scheduler, and the job is spooled
 * once lp says "request id is …". No dialog, no preview: the letter is never on a screen.
 *
 * Only the file's path goes on a command line (argument arrays, never a shell); never a PIN or the
 * letter's text, and nothing of it is logged. Every command has a timeout, so a hung lp cannot hang
 * the desk. Failures are values: no print system, scheduler not running, no such queue, the queue
 * refused the job, or it took too long. Where CUPS is absent (Windows), `findCupsPrinter` gives null
 * and the desk refuses the printer route in words.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from '../log/logger';
import type { LetterPrinter, PrinterList, PrintFailure, PrintJob } from './letter-service';

/** How long listing the queues may take. */
const LIST_TIMEOUT_MS = 10_000;
/** How long lp may take to hand a letter to the scheduler. */
const PRINT_TIMEOUT_MS = 60_000;

interface Outcome {
  /** The exit code, or why there is none. */
  readonly code: number | 'missing' | 'timeout' | 'failed';
  readonly stdout: string;
  readonly stderr: string;
}

export interface CupsCommands {
  readonly lp: string;
  readonly lpstat: string;
}

export interface CupsPrinterOptions {
  readonly commands: CupsCommands;
  /** The environment of lp and lpstat (default: this process's; CUPS_SERVER chooses the scheduler). */
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  readonly listTimeoutMs?: number;
  readonly printTimeoutMs?: number;
}

/** Finds an executable on PATH (the directories in order), as a shell would; null when there is none. */
export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The CUPS printer when `lp` and `lpstat` are on PATH; null where there is no CUPS (as on Windows). */
export function findCupsPrinter(options: Omit<CupsPrinterOptions, 'commands'> = {}): LetterPrinter | null {
  const path = (options.env ?? process.env)['PATH'];
  const lp = findExecutable('lp', path);
  const lpstat = findExecutable('lpstat', path);
  return lp === null || lpstat === null ? null : cupsPrinter({ ...options, commands: { lp, lpstat } });
}

export function cupsPrinter(options: CupsPrinterOptions): LetterPrinter {
  // Messages in English whatever the desk's locale, so they can be read here.
  const env = { ...(options.env ?? process.env), LC_ALL: 'C', LANG: 'C' };
  const run = (file: string, args: readonly string[], timeoutMs: number): Promise<Outcome> =>
    new Promise((resolve) => {
      execFile(file, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 1 << 20, windowsHide: true }, (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        if (failure.code === 'ENOENT' || failure.code === 'EACCES') return resolve({ code: 'missing', stdout, stderr });
        if (failure.killed === true) return resolve({ code: 'timeout', stdout, stderr });
        resolve({ code: typeof failure.code === 'number' ? failure.code : 'failed', stdout, stderr });
      });
    });
  const listTimeout = options.listTimeoutMs ?? LIST_TIMEOUT_MS;
  const fail = (problem: PrintFailure['problem'], outcome: Outcome | null, what: string): PrintFailure => {
    const message = outcome === null ? what : `${what}: ${firstLine(outcome.stderr) || `exit ${String(outcome.code)}`}`;
    options.log?.warn('printing a letter failed', { problem, message });
    return { ok: false, problem, message };
  };

  const schedulerRunning = async (): Promise<boolean> => {
    const answer = await run(options.commands.lpstat, ['-r'], listTimeout);
    return answer.code === 0 && answer.stdout.trim() === 'scheduler is running';
  };

  const printers = async (): Promise<PrinterList | PrintFailure> => {
    const accepting = await run(options.commands.lpstat, ['-a'], listTimeout);
    if (accepting.code === 'missing') return fail('noPrintSystem', null, 'lpstat was not found');
    if (accepting.code === 'timeout') return fail('timeout', null, 'lpstat did not answer in time');
    if (accepting.code !== 0) {
      // "No destinations added." exits 1 as well: that is a running scheduler without queues.
      if (!(await schedulerRunning())) return fail('schedulerDown', accepting, 'the CUPS scheduler is not running');
      if (/no destinations added/i.test(accepting.stderr)) return { ok: true, queues: [], defaultQueue: null };
      return fail('refused', accepting, 'lpstat failed');
    }
    const queues = accepting.stdout
      .split('\n')
      .map((line) => /^(\S+) accepting requests/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    const fallback = await run(options.commands.lpstat, ['-d'], listTimeout);
    const defaultQueue = fallback.code === 0 ? (/^system default destination: (\S+)/m.exec(fallback.stdout)?.[1] ?? null) : null;
    return { ok: true, queues, defaultQueue };
  };

  const print = async (path: string, printer: string | null): Promise<PrintJob | PrintFailure> => {
    // "--": the path is a file operand even if it ever began with a dash.
    const args = printer === null ? ['--', path] : ['-d', printer, '--', path];
    const outcome = await run(options.commands.lp, args, options.printTimeoutMs ?? PRINT_TIMEOUT_MS);
    if (outcome.code === 'missing') return fail('noPrintSystem', null, 'lp was not found');
    if (outcome.code === 'timeout') return fail('timeout', null, 'lp did not hand the letter to the scheduler in time');
    const job = /request id is (\S+)/.exec(outcome.stdout)?.[1];
    if (outcome.code === 0 && job !== undefined) return { ok: true, job };
    // With the scheduler down lp says the printer does not exist; ask the scheduler itself.
    if (!(await schedulerRunning())) return fail('schedulerDown', outcome, 'the CUPS scheduler is not running');
    if (/does not exist|no default destination/i.test(outcome.stderr)) return fail('noPrinter', outcome, 'no such printer');
    return fail('refused', outcome, 'the printer refused the letter');
  };

  return { printers, print };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
