/**
 * A process killed (SIGKILL) at a random moment while appending never loses an event whose
 * record() had answered, leaves a log that verifies, and its lock does not stop the next writer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportMatches } from '../../electron/core/audit/audit-queries';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { tempHome, testSigner } from '../support/audit';
import { repoRoot } from '../support/host-process';

async function killMidWrite(home: string, afterMs: number): Promise<Set<number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'support', 'audit-writer.ts'), home], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged = new Set<number>();
  let buffer = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), afterMs);
        else acknowledged.add(Number(line));
      }
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer stopped by itself (${code}): ${errors}`))));
  });
  return acknowledged;
}

describe('the audit log after a crash', () => {
  it.each([150, 300, 450, 700])('keeps every acknowledged event when the writer is killed after %i ms', async (afterMs) => {
    const home = tempHome();
    const acknowledged = await killMidWrite(home, afterMs);
    expect(acknowledged.size).toBeGreaterThan(0);

    const log = createDeskAuditLog(home, { signer: testSigner(home) });
    const { index, reader } = await log.index();
    const kept = new Set<number>();
    await exportMatches(index, reader, {}, Number.POSITIVE_INFINITY, (entries) => {
      for (const entry of entries) if (typeof entry.details['n'] === 'number') kept.add(entry.details['n']);
    });
    expect([...acknowledged].filter((n) => !kept.has(n))).toEqual([]);
    // The next writer gets in (the dead writer's lock is broken) and the chain is whole.
    await log.record({ action: 'settings.change', outcome: 'success', actor: { kind: 'operator', id: 'after-crash' }, channel: 'cli' });
    const report = await log.verify();
    expect(report.problems).toEqual([]);
    await log.close();
  });
});
