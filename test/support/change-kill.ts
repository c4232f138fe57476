/**
 * No change without its event, under SIGKILL (issue 11 §2): runs test/support/change-writer.ts on
 * a copy of a prepared data folder (vault with a CA, desk audit log), kills it — at a random
 * moment, or at a kill point right after a durable write — then opens the folder as the app does
 * (vault services over the desk log: recovery runs) and checks:
 *
 * - every change the vault holds with an event (its journal lines) has exactly one event in the
 *   log carrying its change id (recorded by the call, or recovered), with the same content;
 * - every event carrying a change id names a change the vault holds;
 * - every acknowledged call's change is in the vault, and its event was recorded by the call
 *   (not recovered: it was on disk before the call returned).
 *
 * Used by test/integration/change-events-kill.test.ts (20 trials per operation) and
 * `npm run soak:events` (1,000).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { EventRecord } from '../../electron/core/audit/audit-record';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { silentLogger } from '../../electron/core/log/logger';
import type { PendingEvent } from '../../electron/core/vault/record-store';
import { deriveKey, KDF_BOUNDS, newKdfParams, seal, unseal } from '../../electron/core/vault/sealing';
import type { VaultMeta } from '../../electron/core/vault/vault-meta';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { allLines } from './audit';
import { CHANGE_OPERATIONS, changeAction, type ChangeOperation } from './change-operations';
import { operator, PASSPHRASE } from './vault-fixtures';

const repoRoot = join(import.meta.dirname, '..', '..');

export async function buildChangeWriter(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'carddesk-change-writer-')), 'change-writer.cjs');
  await build({ entryPoints: [join(repoRoot, 'test', 'support', 'change-writer.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  return out;
}

/**
 * A data folder with a vault (passphrase PASSPHRASE) and a CA, to copy for each trial. Its data
 * key is wrapped again with scrypt's lowest accepted cost (N = 2^14 instead of 2^17), so each
 * trial's unlock takes tens of milliseconds rather than most of a second; unlocking is not what
 * these trials test.
 */
export async function prepareChangeTemplate(): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'carddesk-change-template-'));
  const log = createDeskAuditLog(home);
  const services = createVaultServices({ dataDir: home, audit: log, log: silentLogger, auditSigning: log });
  try {
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init({ algorithm: 'p384', rootSubject: 'CN=Kill Root', issuingSubject: 'CN=Kill Issuing', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null }, operator);
  } finally {
    await services.close();
    await log.close();
  }
  const metaPath = join(home, 'vault', 'vault.json');
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as VaultMeta;
  const keystore = meta.keystore;
  if (keystore === null) throw new Error('the template vault has no keystore');
  const passphrase = Buffer.from(PASSPHRASE);
  const dek = unseal(await deriveKey(passphrase, keystore.kdf), keystore.wrappedKey, 'carddesk-vault-key');
  if (dek === null) throw new Error('the template vault key did not open');
  const kdf = { ...newKdfParams(), N: KDF_BOUNDS.minN };
  writeFileSync(metaPath, JSON.stringify({ ...meta, keystore: { kdf, wrappedKey: seal(await deriveKey(passphrase, kdf), dek, 'carddesk-vault-key') } }));
  return home;
}

export type KillPlan = { readonly at: 'vault' | 'event'; readonly count: number } | { readonly afterMs: number };

export interface ChangeTrial {
  readonly operation: ChangeOperation;
  readonly plan: KillPlan;
  readonly acknowledged: number;
  /** Changes (with events) the vault holds after recovery. */
  readonly changes: number;
  /** Of their events, how many recovery wrote. */
  readonly recovered: number;
}

interface JournalChange {
  readonly event: PendingEvent;
  readonly records: readonly (readonly [string, string, Record<string, unknown> | null])[];
}

/** Every change written with its event in the vault's journal (the checker reads the files itself). */
function journalChanges(home: string): Map<string, JournalChange> {
  const dir = join(home, 'vault', 'records');
  const out = new Map<string, JournalChange>();
  for (const name of readdirSync(dir).filter((file) => /^journal-\d+\.log$/.test(file))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line.slice(17)) as { c: [string, string, Record<string, unknown> | null][]; e?: PendingEvent[] };
      for (const event of entry.e ?? []) out.set(event.id, { event, records: entry.c });
    }
  }
  return out;
}

/** The key an acknowledgement names, as found in a change: a serial, or an imported holder's personal number. */
function keyOf(operation: ChangeOperation, change: JournalChange): string | undefined {
  if (operation === 'import') return change.records.find(([collection]) => collection === 'holders')?.[2]?.['personalNumber'] as string | undefined;
  return operation === 'card' ? change.event.event.cardSerial : change.event.event.certificateSerial;
}

/** The audit events in a data folder's log that name a change. */
function changeEventsOf(home: string): EventRecord[] {
  return allLines(join(home, 'audit'))
    .map((line) => JSON.parse(line.text) as EventRecord)
    .filter((record) => record.type === 'event' && record.change !== undefined);
}

export async function changeTrial(writer: string, template: string, operation: ChangeOperation, plan: KillPlan): Promise<ChangeTrial> {
  const home = mkdtempSync(join(tmpdir(), 'carddesk-change-'));
  try {
    cpSync(template, home, { recursive: true });
    const env = { ...process.env, CARDDESK_TEST_KILL_AT: 'at' in plan ? plan.at : '', CARDDESK_TEST_KILL_AT_COUNT: 'at' in plan ? String(plan.count) : '' };
    const child = spawn(process.execPath, [writer, home, operation], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    let errors = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // A random kill counts from when the writer is ready (the vault open and, for the CA, unlocked).
      if (!('at' in plan) && timer === undefined && output.startsWith('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), plan.afterMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (_code, exitSignal) => resolve({ signal: exitSignal })));
    clearTimeout(guard);
    clearTimeout(timer);
    if (errors.trim() !== '' || signal !== 'SIGKILL') throw new Error(`the writer failed before it was killed (${signal ?? 'exit'}):\n${errors}`);
    const acks = output
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('ack '))
      .map((line) => line.split(' ')[2] ?? '');

    // Open as the app does: the vault, the desk's log, recovery (syncAudit waits for it).
    const log = createDeskAuditLog(home);
    const services = createVaultServices({ dataDir: home, audit: log, log: silentLogger, auditSigning: log });
    try {
      services.access.storage();
      await services.syncAudit();
    } finally {
      await services.close();
      await log.close();
    }

    const changes = journalChanges(home);
    // The template's own changes (the CA's creation, settings: changes to vault.json) came before the trial.
    const before = new Set(changeEventsOf(template).map((record) => record.change));
    const events = changeEventsOf(home).filter((record) => !before.has(record.change));
    const describe = (why: string): Error => new Error(`${operation}, ${JSON.stringify(plan)}: ${why} (${acks.length} acknowledged, ${changes.size} changes, ${events.length} change events)`);
    const byChange = new Map<string, EventRecord[]>();
    for (const event of events) {
      const id = event.change ?? '';
      if (!changes.has(id)) throw describe(`event ${event.seq} (${event.action}) names change ${id}, which the vault does not hold`);
      byChange.set(id, [...(byChange.get(id) ?? []), event]);
    }
    let recovered = 0;
    for (const [id, change] of changes) {
      const found = byChange.get(id) ?? [];
      if (found.length !== 1) throw describe(`change ${id} (${change.event.event.action}) has ${found.length} events`);
      const [event] = found as [EventRecord];
      const stored = change.event.event;
      if (event.action !== stored.action || event.actor.id !== stored.actor.id || event.holder !== stored.holderId || event.card !== stored.cardSerial || event.certificate !== stored.certificateSerial) {
        throw describe(`the event of change ${id} differs from the change's: ${JSON.stringify(event)} vs ${JSON.stringify(stored)}`);
      }
      if (event.recovered === true) recovered += 1;
    }
    const ofOperation = [...changes.values()].filter((change) => change.event.event.action === changeAction[operation]);
    for (const key of acks) {
      const change = ofOperation.find((candidate) => keyOf(operation, candidate) === key);
      if (change === undefined) throw describe(`acknowledged ${operation} ${key} is not in the vault`);
      if (byChange.get(change.event.id)?.[0]?.recovered === true) throw describe(`acknowledged ${operation} ${key} has only a recovered event: it was acknowledged before its event was on disk`);
    }
    if ('at' in plan) {
      // The kill point was reached: the N-th change is in the vault, not acknowledged.
      if (ofOperation.length !== plan.count || acks.length !== plan.count - 1) throw describe(`the kill point ${plan.at} #${plan.count} was not where expected`);
      const last = byChange.get(ofOperation.at(-1)?.event.id ?? '')?.[0];
      // Killed after the vault write: its event is the recovered one; after the event write: it was not needed.
      if ((last?.recovered === true) !== (plan.at === 'vault')) throw describe(`after a kill at ${plan.at}, the last change's event is ${last?.recovered === true ? '' : 'not '}recovered`);
    }
    return { operation, plan, acknowledged: acks.length, changes: changes.size, recovered };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `perOperation` trials for each operation: a third at each kill point, the rest at random moments. */
export async function changeTrials(perOperation: number, log: (line: string) => void = () => {}): Promise<{ trials: ChangeTrial[]; seconds: number }> {
  const started = performance.now();
  const writer = await buildChangeWriter();
  const template = await prepareChangeTemplate();
  const trials: ChangeTrial[] = [];
  try {
    for (const operation of CHANGE_OPERATIONS) {
      for (let i = 0; i < perOperation; i += 1) {
        const plan: KillPlan = i % 3 === 0 ? { at: 'vault', count: 1 + (i % 4) } : i % 3 === 1 ? { at: 'event', count: 1 + (i % 4) } : { afterMs: Math.random() * 400 };
        trials.push(await changeTrial(writer, template, operation, plan));
      }
      const mine = trials.filter((trial) => trial.operation === operation);
      log(`${operation}: ${mine.length} kills, ${mine.reduce((sum, trial) => sum + trial.acknowledged, 0)} acknowledged, ${mine.reduce((sum, trial) => sum + trial.recovered, 0)} events recovered`);
    }
  } finally {
    rmSync(template, { recursive: true, force: true });
  }
  return { trials, seconds: (performance.now() - started) / 1000 };
}
