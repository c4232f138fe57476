/**
 * `carddesk audit export --output FILE` killed (SIGKILL) at random moments: afterwards FILE either
 * does not exist or is the whole export, and then its `audit.export` event is in the log. Used by
 * test/integration/audit-export-kill.test.ts (20 trials) and `npm run soak:audit-export` (1,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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
