/**
 * At-least-once delivery under SIGKILL (issue 15 §6, §8). Each trial queues a batch of messages
 * in a fresh vault, then runs test/support/notify-sender-child.ts against a real SMTP server on
 * 127.0.0.1, killing it with SIGKILL — at a random moment, or right after the server accepted
 * the k-th message (before the sender could mark it sent) — and starting it again until it
 * reports the outbox drained. Then:
 *
 * - every queued message is marked sent and was received at least once (none lost);
 * - every message received carries the Message-ID of exactly one queued message, and its body is
 *   that message's (a duplicate is recognisable as a copy of its original);
 * - duplicates (received − queued) are counted.
 *
 * Used by test/integration/notify-kill.test.ts (20 trials) and `npm run soak:notify`.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startMailServer, type MailServer } from './mail-server';
import { notifyRig } from './notify-rig';
import { operator } from './vault-fixtures';

const repoRoot = join(import.meta.dirname, '..', '..');

export async function buildSenderChild(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'carddesk-notify-child-')), 'notify-sender-child.mjs');
  await build({ entryPoints: [join(repoRoot, 'test', 'support', 'notify-sender-child.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  return out;
}

export type NotifyKillPlan = { readonly kind: 'accepted'; readonly k: number } | { readonly kind: 'random'; readonly afterMs: number };

export interface NotifyKillTrial {
  readonly plan: NotifyKillPlan;
  readonly queued: number;
  /** Runs of the sender (the last one finished). */
  readonly runs: number;
  readonly kills: number;
  readonly received: number;
  readonly duplicates: number;
}

/** Runs the victim once; kills it per `kill` (or not). Resolves with how it ended. */
async function runOnce(child: string, home: string, dek: Buffer, server: MailServer, kill: NotifyKillPlan | null): Promise<{ killed: boolean; done: boolean }> {
  const proc = spawn(process.execPath, [child, home], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CARDDESK_TEST_DEK: dek.toString('hex') } });
  let output = '';
  let errors = '';
  let timer: NodeJS.Timeout | undefined;
  let acceptedHere = 0;
  if (kill?.kind === 'accepted') {
    server.onAccepted = () => {
      acceptedHere += 1;
      if (acceptedHere === kill.k) proc.kill('SIGKILL');
    };
  }
  proc.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (kill?.kind === 'random' && timer === undefined && output.startsWith('ready\n')) timer = setTimeout(() => proc.kill('SIGKILL'), kill.afterMs);
  });
  proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const guard = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal })));
  clearTimeout(guard);
  clearTimeout(timer);
  server.onAccepted = null;
  if (signal === 'SIGKILL') return { killed: true, done: false };
  if (code !== 0 || errors.trim() !== '') throw new Error(`the sender failed (exit ${code ?? signal}):\n${errors}`);
  return { killed: false, done: /^done /m.test(output) };
}

export async function notifyKillTrial(child: string, server: MailServer, plan: NotifyKillPlan, messages: number): Promise<NotifyKillTrial> {
  const home = mkdtempSync(join(tmpdir(), 'carddesk-notify-kill-'));
  const dek = randomBytes(32);
  server.received.splice(0);
  try {
    // The batch, queued in the vault before any sender runs.
    const setup = notifyRig({ dir: home, dek });
    await setup.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security: 'none', user: '', fromAddress: 'desk@carddesk.example', fromName: 'CardDesk' } }, operator);
    const languages = ['en', 'sq', 'it', 'nl'] as const;
    const changes = Array.from({ length: messages }, (_, n) =>
      setup.outbox.queued({ kind: 'cardSuspended', holderId: `h-${n}`, channel: 'email', to: `holder${n}@example.org`, language: languages[n % 4]!, params: { name: `Holder ${n}`, serial: `MARK-${n}-${randomInt(1e9)}` } }),
    );
    await setup.access.storage().records.commit(changes);
    await setup.close();

    // Killed once per plan (the first run), then again at random while messages remain, at most 3 kills; then left to finish.
    let runs = 0;
    let kills = 0;
    for (;;) {
      runs += 1;
      if (runs > 20) throw new Error('the sender never finished the batch');
      const kill: NotifyKillPlan | null = kills === 0 ? plan : kills < 3 && randomInt(2) === 0 ? { kind: 'random', afterMs: randomInt(0, 120) } : null;
      const ended = await runOnce(child, home, dek, server, kill);
      if (ended.killed) kills += 1;
      else if (ended.done) break;
    }

    // What the vault says, and what the server got.
    const check = notifyRig({ dir: home, dek });
    try {
      const records = changes.map((change) => check.outbox.get(change.id)!);
      const byMessageId = new Map(records.map((record) => [record.messageId, record]));
      const problems: string[] = [];
      for (const record of records) {
        if (record.state !== 'sent') problems.push(`message ${record.id} is ${record.state}`);
        const copies = server.received.filter((mail) => mail.messageId === record.messageId);
        if (copies.length === 0) problems.push(`message ${record.id} (${record.params['serial']}) was lost`);
      }
      for (const mail of server.received) {
        const original = byMessageId.get(mail.messageId);
        if (original === undefined) problems.push(`a message with an unknown Message-ID ${mail.messageId} arrived`);
        else if (!(mail.parsed.text ?? '').includes(original.params['serial']!)) problems.push(`the message with Message-ID ${mail.messageId} is not a copy of its original`);
      }
      if (problems.length > 0) throw new Error(`plan ${JSON.stringify(plan)}: ${problems.join('; ')}`);
      return { plan, queued: messages, runs, kills, received: server.received.length, duplicates: server.received.length - messages };
    } finally {
      await check.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `count` trials, alternating kills right after an acceptance and at random moments. */
export async function notifyKillTrials(count: number, options: { messages?: number; onLine?: (line: string) => void } = {}): Promise<{ trials: NotifyKillTrial[]; seconds: number }> {
  const started = Date.now();
  const messages = options.messages ?? 30;
  const child = await buildSenderChild();
  const server = await startMailServer();
  const trials: NotifyKillTrial[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const plan: NotifyKillPlan = i % 2 === 0 ? { kind: 'accepted', k: randomInt(1, messages + 1) } : { kind: 'random', afterMs: randomInt(0, 250) };
      const trial = await notifyKillTrial(child, server, plan, messages);
      trials.push(trial);
      options.onLine?.(`trial ${i + 1}: ${JSON.stringify(trial)}`);
    }
  } finally {
    await server.close();
    rmSync(join(child, '..'), { recursive: true, force: true });
  }
  return { trials, seconds: (Date.now() - started) / 1000 };
}

export function killSummary(trials: readonly NotifyKillTrial[], seconds: number): string {
  const sum = (key: 'queued' | 'kills' | 'received' | 'duplicates'): number => trials.reduce((total, trial) => total + trial[key], 0);
  return `notify kill: ${trials.length} trials, ${sum('kills')} SIGKILLs, ${sum('queued')} messages queued, ${sum('received')} received, none lost, ${sum('duplicates')} duplicates (each with its original's Message-ID), ${seconds.toFixed(1)} s`;
}
