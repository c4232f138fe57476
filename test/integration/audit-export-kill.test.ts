/**
 * `carddesk audit export --output FILE` killed with SIGKILL at random moments (issue 11 §2, the
 * export part): FILE never exists unless it is the whole export, and a whole one has its
 * `audit.export` event, exactly one (recorded before the file takes its name). 20 trials here;
 * `npm run soak:audit-export` runs 1,000. Kill points right after each durable write show the
 * order: complete temporary file → event (naming the file) → rename.
 * Runs the built `carddesk` (node scripts/build.mjs first).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carddesk } from '../support/cli';
import { buildExportWriter, killExport, killExportAt, seedExportLog, type KillTrial } from '../support/export-kill';
import { freshHome } from '../support/host-process';

describe('audit export --output killed part-way', () => {
  it('leaves no file that looks complete, in 20 random kills', async () => {
    const home = freshHome('carddesk-export-kill-');
    await seedExportLog(home, 20_000);
    const reference = join(home, 'reference.csv');
    const started = performance.now();
    const whole = await carddesk(['audit', 'export', '--csv', '--action', 'card.pinVerify', '--output', reference], { home, timeoutMs: 60_000 });
    const fullMs = performance.now() - started;
    expect(whole.code, whole.stderr).toBe(0);
    const text = readFileSync(reference, 'utf8');
    expect(text.trimEnd().split('\r\n')).toHaveLength(20_001);

    const trials: KillTrial[] = [];
    for (let i = 0; i < 20; i += 1) trials.push(await killExport(home, join(home, 'out.csv'), text, Math.random() * fullMs * 1.1));
    for (const trial of trials) {
      // Strict: the event is on disk before the file takes its name, so no kill can part them.
      if (trial.fileExists) expect(trial, JSON.stringify(trial)).toMatchObject({ complete: true, exportEvents: 1 });
      if (trial.finished) expect(trial, JSON.stringify(trial)).toMatchObject({ fileExists: true, exportEvents: 1 });
      expect(trial.exportEvents, JSON.stringify(trial)).toBeLessThanOrEqual(1);
    }
    // The kills landed at different stages: some before the file was complete.
    expect(trials.filter((trial) => !trial.fileExists).length, JSON.stringify(trials)).toBeGreaterThan(0);
  }, 300_000);

  it('records its one event before the file takes its name: killed at each durable write', async () => {
    const home = freshHome('carddesk-export-points-');
    await seedExportLog(home, 2_000);
    const writer = await buildExportWriter();
    const target = join(home, 'out.csv');
    for (let i = 0; i < 3; i += 1) {
      // The temporary file is complete and on disk, the event not yet recorded: no file, no event.
      expect(await killExportAt(writer, home, target, 'file')).toMatchObject({ fileExists: false, exportEvents: [] });
      // The event is recorded (naming the file), the file not yet renamed: no file looks complete.
      expect(await killExportAt(writer, home, target, 'event')).toMatchObject({ fileExists: false, exportEvents: ['out.csv'] });
    }
  }, 120_000);
});
