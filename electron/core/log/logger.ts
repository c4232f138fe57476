import { appendFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../files/safe-file';

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

/** JSON lines in `<dataDir>/logs/carddesk.log`, one previous file kept; optionally echoed to stderr. */
export function createFileLogger(logDir: string, options: { echo?: Level[] } = {}): Logger {
  const file = join(logDir, 'carddesk.log');
  let ready = false;
  const write = (level: Level, message: string, fields?: LogFields): void => {
    const line = formatLine(level, message, fields);
    if (options.echo?.includes(level)) process.stderr.write(`${line}\n`);
    try {
      if (!ready) {
        ensurePrivateDir(logDir);
        ready = true;
      }
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) {
        renameSync(file, `${file}.1`);
      }
      appendFileSync(file, `${line}\n`, { mode: PRIVATE_FILE_MODE });
    } catch {
      // Logging must never take the app down; a full or read-only disk shows up elsewhere.
    }
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/** For tests and one-shot commands that keep no log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
