/**
 * Kills a vault writer with SIGKILL at a random moment, reopens the vault and checks that it
 * opens and holds every acknowledged write (and at most the one write that was in flight).
 * Used by test/integration/vault-crash.test.ts (200 trials) and scripts/soak-vault.ts (1,000).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { isDeepStrictEqual } from 'node:util';
import { VaultStorage } from '../../electron/core/vault/vault-storage';
import { defaultSettings } from '../../electron/core/vault/vault-meta';
import { stateAfter } from './crash-ops';

const repoRoot = join(import.meta.dirname, '..', '..');

/** Bundles the writer once (a plain Node script starts in a fraction of tsx's time). */
export async function buildWriter(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'carddesk-writer-')), 'vault-writer.cjs');
  await build({ entryPoints: [join(repoRoot, 'test', 'support', 'vault-writer.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  return out;
}

export interface TrialResult {
  readonly acknowledged: number;
  readonly landedInFlight: boolean;
}

/**
 * When the kill lands: `killAfterMs` after the writer was spawned (start-up: opening, first journal),
 * or after it said the vault is open (while writing), so the trial means the same on a slow machine.
 */
export interface KillMoment {
  readonly from: 'spawn' | 'open';
  readonly killAfterMs: number;
}

export async function crashTrial(writer: string, moment: KillMoment): Promise<TrialResult> {
  const { killAfterMs } = moment;
  const home = mkdtempSync(join(tmpdir(), 'carddesk-crash-'));
  try {
    const child = spawn(process.execPath, [writer, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    let opened: () => void = () => {};
    const open = new Promise<void>((resolve) => (opened = resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('open\n')) opened();
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (moment.from === 'open') await Promise.race([open, exited]);
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    child.kill('SIGKILL');
    await exited;
    if (errors.trim() !== '') throw new Error(`the writer failed before it was killed:\n${errors}`);
    // Only complete lines count: a number is acknowledged once its newline was printed.
    const lines = output.split('\n').slice(0, -1);
    const acknowledged = lines.filter((line) => /^\d+$/.test(line)).length;

    const storage = VaultStorage.open(home); // must open: stale lock, torn journal line, half-written snapshot
    try {
      const found = { records: new Map([...storage.records.values('holders')].map((r) => [r.id, r])), idleLockMinutes: storage.meta.settings.idleLockMinutes };
      const matches = (count: number): boolean => {
        const expected = stateAfter(count, defaultSettings.idleLockMinutes);
        return expected.idleLockMinutes === found.idleLockMinutes && isDeepStrictEqual(expected.records, found.records);
      };
      if (matches(acknowledged)) return { acknowledged, landedInFlight: false };
      if (matches(acknowledged + 1)) return { acknowledged, landedInFlight: true };
      throw new Error(`after ${acknowledged} acknowledged writes (killed ${killAfterMs} ms after ${moment.from}) the vault holds something else: ${found.records.size} holders, idle ${found.idleLockMinutes}`);
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs `trials` kills at random moments; returns a summary or throws at the first violation. */
export async function crashTrials(trials: number, log: (line: string) => void = () => {}): Promise<{ trials: number; acknowledged: number; inFlightLanded: number; killedMidWrites: number }> {
  const writer = await buildWriter();
  let acknowledged = 0;
  let inFlightLanded = 0;
  let killedMidWrites = 0;
  for (let trial = 0; trial < trials; trial += 1) {
    // Mostly while writing at full speed; sometimes right at start-up (opening, first journal).
    const moment: KillMoment = Math.random() < 0.15 ? { from: 'spawn', killAfterMs: Math.random() * 60 } : { from: 'open', killAfterMs: Math.random() * 240 };
    const result = await crashTrial(writer, moment);
    acknowledged += result.acknowledged;
    if (result.landedInFlight) inFlightLanded += 1;
    if (result.acknowledged > 0) killedMidWrites += 1;
    if ((trial + 1) % 50 === 0) log(`${trial + 1}/${trials} trials, ${acknowledged} acknowledged writes checked`);
  }
  return { trials, acknowledged, inFlightLanded, killedMidWrites };
}
