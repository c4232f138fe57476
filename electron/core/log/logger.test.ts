/**
 * The file log: every line, in order, without synchronous writes on the way (a batch at a time),
 * one previous file kept past 5 MB, and what is still queued at exit written then.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLogger } from './logger';

const dirs: string[] = [];
const newDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-log-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The file's complete lines (an append may be under way). */
const lines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function settled(file: string, count: number): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 10) {
    if (existsSync(file) && lines(file).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the file log', () => {
  it('writes every line in order, none of them before the caller has moved on', async () => {
    const dir = newDir();
    const file = join(dir, 'carddesk.log');
    const log = createFileLogger(dir);
    for (let n = 0; n < 500; n += 1) log.info('line', { n });
    // The calls wrote nothing themselves: at most the first line's append was started meanwhile.
    expect(existsSync(file) ? lines(file).length : 0).toBeLessThanOrEqual(1);
    await settled(file, 500);
    expect(lines(file).map((line) => line['n'])).toEqual(Array.from({ length: 500 }, (_, n) => n));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps one previous file once the log passes 5 MB', async () => {
    const dir = newDir();
    const file = join(dir, 'carddesk.log');
    const both = (): Array<Record<string, unknown>> => {
      try {
        return [...(existsSync(`${file}.1`) ? lines(`${file}.1`) : []), ...(existsSync(file) ? lines(file) : [])];
      } catch {
        return []; // caught between a rename and a read: look again
      }
    };
    const until = async (count: number): Promise<void> => {
      for (let waited = 0; waited < 10_000 && both().length < count; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const log = createFileLogger(dir);
    const filler = 'x'.repeat(10_000);
    for (let n = 0; n < 600; n += 1) {
      log.info('big', { n, filler });
      if (n % 50 === 49) await until(n + 1);
    }
    await until(600);
    log.info('last', {});
    await until(601);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(statSync(`${file}.1`).size).toBeGreaterThan(5 * 1024 * 1024);
    const all = both();
    expect(all.at(-1)?.['message']).toBe('last');
    expect(all.filter((line) => line['message'] === 'big').map((line) => line['n'])).toEqual(Array.from({ length: 600 }, (_, n) => n));
  });

  it('writes what is still queued when the process exits', () => {
    const dir = newDir();
    const script = `const { createFileLogger } = require(${JSON.stringify(join(import.meta.dirname, 'logger.ts'))});
      const log = createFileLogger(${JSON.stringify(dir)});
      for (let n = 0; n < 100; n += 1) log.warn('before exit', { n });
      process.exit(0);`;
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script]);
    expect(lines(join(dir, 'carddesk.log')).map((line) => line['n'])).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });
});
