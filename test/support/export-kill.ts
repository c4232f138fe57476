/**
 * `carddesk audit export --output FILE` killed (SIGKILL) at random moments: afterwards FILE either
 * does not exist or is the whole export, and then its `audit.export` event is in the log. Used by
 * test/integration/audit-export-kill.test.ts (20 trials) and `npm run soak:audit-export` (1,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { EventRecord } from '../../electron/core/audit/audit-record';
import { allLines } from './audit';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { carddesk } from './cli';
import { repoRoot } from './host-process';

/** A log of `count` events in a data folder (no vault: nothing signs; the export reads it all). */
export async function seedExportLog(home: string, count: number): Promise<void> {
  const log = createDeskAuditLog(home);
  for (let start = 0; start < count; start += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, count - start) }, (_, j) =>
        log.record({ action: 'card.pinVerify', outcome: 'success', actor: { kind: 'operator', id: `op-${(start + j) % 7}` }, channel: 'desk', holderId: `H-${start + j}`, details: { reader: 'Export Kill Reader', n: start + j } }),
      ),
    );
  }
  await log.close();
}

export interface KillTrial {
  readonly killedAfterMs: number;
  /** The command finished before the kill landed. */
  readonly finished: boolean;
  readonly fileExists: boolean;
  readonly complete: boolean;
  readonly exportEvents: number;
}

function exportEvents(home: string): Promise<number> {
  return carddesk(['audit', 'export', '--json', '--action', 'audit.export'], { home }).then((result) => {
    if (result.code !== 0) throw new Error(`reading the export events failed: ${result.stderr}`);
    return result.stdout.split('\n').filter(Boolean).length;
  });
}

/** One trial: the export killed after `afterMs` (from its start); what it left. */
export async function killExport(home: string, target: string, reference: string, afterMs: number): Promise<KillTrial> {
  rmSync(target, { force: true });
  // Each read-back above records an export too: count before, compare after.
  const before = await exportEvents(home);
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), 'audit', 'export', '--csv', '--action', 'card.pinVerify', '--output', target], {
    env: { ...process.env, CARDDESK_HOME: home },
    stdio: 'ignore',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  const { code } = await new Promise<{ code: number | null }>((resolve) => child.once('exit', (exitCode) => resolve({ code: exitCode })));
  clearTimeout(timer);
  const fileExists = existsSync(target);
  const complete = fileExists && readFileSync(target, 'utf8') === reference;
  const after = await exportEvents(home);
  // The read-back itself is recorded after it has counted, so it is not in `after`.
  return { killedAfterMs: afterMs, finished: code === 0, fileExists, complete, exportEvents: after - before - 1 };
}

/** Bundles test/support/export-writer.ts (the export with kill points). */
export async function buildExportWriter(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'carddesk-export-writer-')), 'export-writer.cjs');
  await build({ entryPoints: [join(repoRoot, 'test', 'support', 'export-writer.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  return out;
}

export interface KillPointTrial {
  readonly fileExists: boolean;
  /** Partial files left beside the target (never under its name). */
  readonly partials: number;
  /** `audit.export` events recorded by the trial, and the file names they give. */
  readonly exportEvents: readonly string[];
}

/** One export killed at a kill point: `file` (complete temporary file, no event yet) or `event` (event recorded, not renamed). */
export async function killExportAt(writer: string, home: string, target: string, at: 'file' | 'event'): Promise<KillPointTrial> {
  rmSync(target, { force: true });
  const exportEvents = (): EventRecord[] =>
    allLines(join(home, 'audit'))
      .map((line) => JSON.parse(line.text) as EventRecord)
      .filter((record) => record.type === 'event' && record.action === 'audit.export');
  const before = exportEvents().length;
  const child = spawn(process.execPath, [writer, home, target], { env: { ...process.env, CARDDESK_TEST_KILL_AT: at }, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, exitSignal) => resolve(exitSignal)));
  if (signal !== 'SIGKILL') throw new Error(`the export writer was not killed at ${at}: ${errors}`);
  return {
    fileExists: existsSync(target),
    partials: readdirSync(dirname(target)).filter((name) => name.startsWith(`.${basename(target)}.`)).length,
    exportEvents: exportEvents()
      .slice(before)
      .map((record) => String(record.details?.['file'] ?? '')),
  };
}
