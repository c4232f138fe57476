import { appendFileSync, statSync } from 'node:fs';
import { appendFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateDirAsync, PRIVATE_FILE_MODE } from '../files/safe-file';

export type LogFields = Record<string, unknown>;

/**
 * Structured log. Callers pass facts, never secrets: a PIN, PUK, key or passphrase must not
 * reach a log field (the types cannot stop it; reviews and the secret-leak tests do).
 */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}

export function formatLine(level: Level, message: string, fields: LogFields | undefined): string {
  const entry: LogFields = { time: new Date().toISOString(), level, message };
  for (const [key, value] of Object.entries(fields ?? {})) entry[key] = plain(value);
  return JSON.stringify(entry);
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * JSON lines in `<dataDir>/logs/carddesk.log`, one previous file kept; optionally echoed to stderr.
 * Lines are appended asynchronously, in order, a batch at a time, so logging never holds the
 * event loop; whatever is still queued when the process exits is written synchronously then
 * (the one synchronous append, at exit, when nothing else waits).
 */
export function createFileLogger(logDir: string, options: { echo?: Level[] } = {}): Logger {
  const file = join(logDir, 'carddesk.log');
  /** The file's size as this logger wrote it; null until the folder is made and the file measured. */
  let size: number | null = null;
  let queued: string[] = [];
  let flushing = false;
  /** The batch being appended, and the file's size before it (to tell at exit whether it landed; null: not begun). */
  let inFlight: { text: string; sizeBefore: number | null } | null = null;

  const measured = async (): Promise<number> => {
    if (size === null) {
      await ensurePrivateDirAsync(logDir);
      size = await stat(file).then(
        (found) => found.size,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return 0;
          throw error;
        },
      );
    }
    return size;
  };
  const take = (): string => {
    const text = queued.join('');
    queued = [];
    return text;
  };
  const append = async (text: string): Promise<void> => {
    // Taken off the queue: from here on the exit handler finds it in flight (not yet begun).
    inFlight = { text, sizeBefore: null };
    if ((await measured()) > MAX_LOG_BYTES) {
      await rename(file, `${file}.1`);
      size = 0;
    }
    const sizeBefore = await measured();
    inFlight = { text, sizeBefore };
    await appendFile(file, text, { mode: PRIVATE_FILE_MODE });
    size = sizeBefore + Buffer.byteLength(text);
    inFlight = null;
  };
  const flush = async (): Promise<void> => {
    flushing = true;
    while (queued.length > 0) {
      try {
        await append(take());
      } catch {
        // Logging must never take the app down; a full or read-only disk shows up elsewhere.
        inFlight = null;
      }
    }
    flushing = false;
  };
  process.once('exit', () => {
    try {
      // A batch whose append had not finished may or may not be in the file: its size tells.
      const landed =
        inFlight === null || (inFlight.sizeBefore !== null && (statSync(file, { throwIfNoEntry: false })?.size ?? 0) >= inFlight.sizeBefore + Buffer.byteLength(inFlight.text));
      const text = (landed ? '' : (inFlight?.text ?? '')) + take();
      if (text === '') return;
      // At exit nothing else waits, and an asynchronous append would never run.
      if (size === null) ensurePrivateDir(logDir);
      appendFileSync(file, text, { mode: PRIVATE_FILE_MODE });
    } catch {
      // As above: never fail the exit over the log.
    }
  });

  const write = (level: Level, message: string, fields?: LogFields): void => {
    const line = formatLine(level, message, fields);
    if (options.echo?.includes(level)) process.stderr.write(`${line}\n`);
    queued.push(`${line}\n`);
    if (!flushing) void flush();
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/** For tests and one-shot commands that keep no log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
