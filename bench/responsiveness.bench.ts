/**
 * `npm run bench -- responsiveness [--holders N] [--revoked N]`: how long the thread that serves the
 * windows (the Electron main process, the browser-mode host) stalls while the services do their
 * heaviest work: a vault unlock (scrypt), a CSV import of 20,000 holders, a CRL of 100,000 entries
 * and a card issuance with key escrow (on the embedded virtual card). The same calls, on copies of
 * the same data folder, run twice: with the services on that thread (how CardDesk ran before the
 * core process) and with the services in the core process (dist/core.cjs, as the app runs them).
 * The stall is the event loop's longest delay (Node's monitorEventLoopDelay, 1 ms resolution) while
 * the call runs. Goal (issue 12): at most 50 ms with the core process.
 *
 * Run it where no PC/SC reader is connected (the embedded virtual reader is offered only then), for
 * example with pcscd stopped.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { CallContext } from '../electron/core/api/context';
import { createCore } from '../electron/core/app-core';
import { MemoryAuditTrail } from '../electron/core/audit/audit-trail';
import { createRequest } from '../electron/core/ca/certification-request';
import { toPem } from '../electron/core/ca/der';
import { silentLogger } from '../electron/core/log/logger';
import { bundledPkcs11Worker } from '../electron/core/pkcs11/worker-spawner';
import { CoreClient, forkCoreProcess, type CoreConnection } from '../electron/core/process/core-client';
import { localConnection } from '../electron/core/process/local-connection';
import { VIRTUAL_READER_NAME } from '../electron/core/readers/virtual-reader';
import { createVaultServices } from '../electron/core/vault/vault-services';
import type { Envelope } from '../electron/shared/errors';
import { repoRoot } from '../test/support/host-process';
import { run } from '../test/support/run';
import { addRevokedCertificates, holderCsv } from './ca.bench';
import { absolute, compare, formatMs } from './report';
import type { Benchmark } from './run';

const GOAL_MS = 50;
const PASSPHRASE = 'responsiveness benchmark passphrase';
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const operator = { actor: { kind: 'operator', id: 'bench' }, channel: 'cli' } as const;

/** A data folder with an initialised, locked vault, a CA, one issued and `revoked` revoked certificates. */
async function prepare(revoked: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-bench-responsiveness-'));
  const services = createVaultServices({ dataDir: dir, audit: new MemoryAuditTrail(), log: silentLogger });
  try {
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
    await services.ca.init(
      { algorithm: 'p384', rootSubject: 'CN=Bench Root, O=CardDesk', issuingSubject: 'CN=Bench Issuing, O=CardDesk', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null },
      operator,
    );
    const request = toPem(createRequest('CN=Bench Holder', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');
    await services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: 'CN=Bench Holder', subjectAltNames: [] }, operator);
    await addRevokedCertificates(services, revoked);
  } finally {
    await services.close();
  }
  return dir;
}

function ok<T>(envelope: Envelope<unknown>, what: string): T {
  if (!envelope.ok) throw new Error(`${what} failed: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value as T;
}

interface Measured {
  readonly workload: string;
  readonly ms: number;
  readonly maxStallMs: number;
}

/** Runs one call while watching this thread's event loop. */
async function measure(workload: string, call: () => Promise<void>): Promise<Measured> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram's timer must be running before the call starts and fire once after it ends, or a
  // stall right at either end (a synchronous scrypt in the first tick) goes unseen.
  await sleep(10);
  const started = performance.now();
  await call();
  const ms = performance.now() - started;
  await sleep(10);
  histogram.disable();
  // The histogram counts the timer's own 1 ms period in each delay.
  return { workload, ms, maxStallMs: Math.max(0, histogram.max / 1e6 - 1) };
}

async function workloads(connection: CoreConnection, holders: number): Promise<Measured[]> {
  const call = (channel: string, args: unknown): Promise<Envelope<unknown>> => connection.call(channel, args, desk);
  // The services are up before anything is timed.
  ok(await call('app:info', undefined), 'app:info');
  const results: Measured[] = [];
  results.push(await measure('vault unlock (scrypt)', async () => void ok<{ ok: boolean }>(await call('vault:unlock', { passphrase: PASSPHRASE }), 'unlock')));
  const csv = holderCsv(holders);
  results.push(
    await measure(`CSV import of ${holders.toLocaleString('en')} holders`, async () => {
      const imported = ok<{ ok: boolean }>(await call('holders:importCsv', { csv }), 'import');
      if (!imported.ok) throw new Error('the holders did not import');
    }),
  );
  results.push(await measure('CRL publication', async () => void ok(await call('ca:publishCrl', undefined), 'CRL')));
  const holder = ok<{ items: { id: string }[] }>(await call('holders:search', { query: '', limit: 1 }), 'search').items[0];
  if (holder === undefined) throw new Error('no holder to issue a card to');
  ok(await call('readers:insertVirtualCard', undefined), 'insert the virtual card');
  results.push(
    await measure('card issuance with escrow (3 keys, 3 certificates)', async () => {
      const issued = ok<{ ok: boolean; reason?: string }>(await call('cards:issue', { reader: VIRTUAL_READER_NAME, holderId: holder.id }), 'issue');
      if (!issued.ok) throw new Error(`the card was not issued: ${issued.reason ?? ''}`);
    }),
  );
  return results;
}

export const benchmark: Benchmark = {
  description: 'longest stall of the windows’ event loop during heavy service work: services on that thread vs in the core process',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { holders: { type: 'string', default: '20000' }, revoked: { type: 'string', default: '100000' } } });
    const holders = Number(values.holders);
    const build = await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--if-changed'], { timeoutMs: 300_000 });
    if (build.code !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
    console.log(`preparing a data folder: vault, CA, ${Number(values.revoked).toLocaleString('en')} revoked certificates…`);
    const prepared = await prepare(Number(values.revoked));
    const copy = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'carddesk-bench-responsiveness-run-'));
      cpSync(prepared, dir, { recursive: true });
      return dir;
    };
    try {
      const inThreadDir = copy();
      const core = createCore({ mode: 'browser', dataDir: inThreadDir, log: silentLogger, pkcs11Worker: bundledPkcs11Worker(join(repoRoot, 'dist')), defaultPkcs11Modules: () => [] });
      await core.start();
      const before = await workloads(localConnection(core.handlers, core.events, silentLogger), holders);
      await core.dispose();

      const client = new CoreClient(forkCoreProcess(join(repoRoot, 'dist', 'core-boot.cjs'), { mode: 'browser', dataDir: copy() }), silentLogger);
      const after = await workloads(client, holders);
      await client.stop();

      for (const [index, measured] of after.entries()) {
        const old = before[index]!;
        console.log(`${measured.workload}: took ${formatMs(old.ms)} on the windows' thread, ${formatMs(measured.ms)} in the core process`);
        compare({ what: `   longest stall`, ours: Math.max(measured.maxStallMs, 0.01), anchor: Math.max(old.maxStallMs, 0.01), anchorName: "services on the windows' thread", unit: 'ms', better: 'lower' });
      }
      const worstBefore = Math.max(...before.map((m) => m.maxStallMs));
      const worstAfter = Math.max(...after.map((m) => m.maxStallMs));
      absolute({ what: "longest stall of the windows' event loop, services on that thread (before)", value: worstBefore, unit: 'ms' });
      absolute({ what: "longest stall of the windows' event loop, services in the core process", value: worstAfter, unit: 'ms', goal: { max: GOAL_MS, text: `≤ ${GOAL_MS} ms` } });
    } finally {
      rmSync(prepared, { recursive: true, force: true });
    }
  },
};
