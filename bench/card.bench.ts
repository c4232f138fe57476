/**
 * `npm run bench -- card [--seconds S]`: PIN verification and signatures (RSA-2048, ECC P-256) on
 * the virtual PIV card in a vpcd reader, through
 *   (a) CardDesk's PIV client over PC/SC,
 *   (b) CardDesk's PKCS#11 service with OpenSC's module,
 *   (c) pkcs11-tool started once per operation (how scripts around OpenSC work),
 * all on the same card in the same run. The card runs in its own process (carddesk vcard serve),
 * as a real card would sit outside the host. Goal: (a) and (b) at least 5× the rate of (c).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventHub } from '../electron/core/api/event-hub';
import { silentLogger } from '../electron/core/log/logger';
import { defaultPkcs11Modules } from '../electron/core/pkcs11/module-config';
import { Pkcs11Service } from '../electron/core/pkcs11/pkcs11-service';
import { ApduTransport } from '../electron/core/piv/apdu-transport';
import { PivClient } from '../electron/core/piv/piv-client';
import { loadPcscLite } from '../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../electron/core/readers/pcsc-reader-service';
import { FACTORY, type AsymmetricAlgorithm } from '../electron/smartcard/piv';
import { repoRoot } from '../test/support/host-process';
import { Pcscd } from '../test/support/pcscd';
import { sourcePkcs11Workers } from '../test/support/pkcs11-worker';
import { createTestCa, provisionSlot } from '../test/support/provision';
import { run } from '../test/support/run';
import { waitUntil } from '../test/support/wait';
import type { Benchmark } from './run';
import { compare } from './report';

const READER = 'Virtual PCD 00 00';
const PIN = Buffer.from(FACTORY.PIN);

/** Runs `operation` repeatedly for about `seconds` (at least `minimum` times); returns operations per second. */
async function rate(seconds: number, minimum: number, operation: () => Promise<void>): Promise<number> {
  await operation(); // warm up: first-use costs (module load, key cache) are not the steady rate
  const started = performance.now();
  let count = 0;
  while (count < minimum || performance.now() - started < seconds * 1000) {
    await operation();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

function pkcs1Block(message: Buffer): Buffer {
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(message).digest()]);
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(256 - digestInfo.length - 3, 0xff), Buffer.from([0]), digestInfo]);
}

async function startCard(stateFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'electron', 'cli', 'index.ts'), 'vcard', 'serve', '--reader', '0', '--state', stateFile], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('inserted')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the virtual card stopped (${code})`)));
  });
  return child;
}

export const benchmark: Benchmark = {
  description: 'PIN verify and sign on the virtual PIV card: PIV client and PKCS#11 service vs pkcs11-tool per operation',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { seconds: { type: 'string', default: '3' } } });
    const seconds = Number(values.seconds);
    const work = mkdtempSync(join(tmpdir(), 'carddesk-bench-card-'));
    const pcscd = await Pcscd.ensure();
    const card = await startCard(join(work, 'card.json'));
    const readers = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
    const opensc = (await defaultPkcs11Modules()).find((module) => module.id === 'opensc');
    if (opensc === undefined) throw new Error('OpenSC’s PKCS#11 module is not configured on this machine');
    let pkcs11: Pkcs11Service | null = null;
    const results: boolean[] = [];
    try {
      await readers.start();
      await waitUntil(() => readers.list().readers.find((r) => r.name === READER)?.cardState === 'present', 10_000, 'the card in the reader');
      const ca = await createTestCa(work);
      writeFileSync(join(work, 'data.txt'), 'CardDesk benchmark message');
      console.log(`card in "${READER}"; measuring each for about ${seconds} s; (c) starts one pkcs11-tool process per operation\n`);

      const plans: [string, AsymmetricAlgorithm][] = [['RSA-2048', 'rsa2048'], ['ECC P-256', 'eccp256']];
      for (const [label, algorithm] of plans) {
        await provisionSlot(readers, READER, ca, '9A', algorithm);

        // (a) the PIV client over PC/SC, one session held open as the app does during a task.
        const connection = await readers.connect(READER);
        const client = new PivClient(new ApduTransport(connection));
        await client.select();
        const verifyA = await rate(seconds, 20, async () => {
          const result = await client.verifyPin(PIN);
          if (!result.ok) throw new Error('PIN refused');
        });
        const input = algorithm === 'rsa2048' ? pkcs1Block(Buffer.from('bench')) : createHash('sha256').update('bench').digest();
        const signA = await rate(seconds, 20, async () => {
          await client.sign('9A', algorithm, input);
        });
        await connection.close('reset');

        // (b) the PKCS#11 service with OpenSC (a fresh service per key, as OpenSC caches the card's objects).
        pkcs11 = new Pkcs11Service({ modules: [opensc], spawnWorker: sourcePkcs11Workers().spawn, log: silentLogger });
        const slots = await pkcs11.listSlots('opensc', { tokenPresent: true });
        const slot = slots.find((entry) => entry.description.includes(READER));
        if (slot === undefined) throw new Error(`OpenSC does not see a token in ${READER}`);
        const ref = { moduleId: 'opensc', slotId: slot.slotId };
        const verifyB = await rate(seconds, 20, async () => {
          const result = await pkcs11!.login(ref, Buffer.from(PIN));
          if (!result.ok) throw new Error(`PKCS#11 login refused: ${result.reason}`);
        });
        const mechanism = algorithm === 'rsa2048' ? ({ name: 'SHA256_RSA_PKCS' } as const) : ({ name: 'ECDSA_SHA256', signatureFormat: 'der' } as const);
        const signB = await rate(seconds, 20, async () => {
          const result = await pkcs11!.sign(ref, { id: '01' }, mechanism, Buffer.from('bench'));
          if (!result.ok) throw new Error(`PKCS#11 signature refused: ${result.reason}`);
        });
        await pkcs11.dispose();
        pkcs11 = null;

        // (c) pkcs11-tool, one process per operation.
        const tool = ['--module', opensc.path, '--slot-index', '0', '--login', '--pin', FACTORY.PIN];
        const verifyC = await rate(seconds, 5, async () => {
          const result = await run('pkcs11-tool', [...tool, '--list-objects', '--type', 'privkey']);
          if (result.code !== 0) throw new Error(`pkcs11-tool login failed: ${result.stderr}`);
        });
        const signC = await rate(seconds, 5, async () => {
          const result = await run('pkcs11-tool', [...tool, '--sign', '--id', '01', '--mechanism', algorithm === 'rsa2048' ? 'SHA256-RSA-PKCS' : 'ECDSA-SHA256', '--input-file', join(work, 'data.txt'), '--output-file', join(work, 'sig.bin')]);
          if (result.code !== 0) throw new Error(`pkcs11-tool sign failed: ${result.stderr}`);
        });

        const goal = { ratio: 5, text: '≥ 5×' };
        const line = (what: string, ours: number, anchor: number): boolean =>
          compare({ what, ours, anchor, anchorName: '(c) pkcs11-tool per operation', unit: 'ops/s', better: 'higher', goal });
        if (label === 'RSA-2048') {
          console.log(
            `one VERIFY APDU through pcscd + vpcd takes ${(1000 / verifyA).toFixed(1)} ms here; Debian 12's vpcd writes each message in two ` +
              'sends, which Nagle plus delayed ACK stretch to about 40 ms (vsmartcard later sends them at once). A USB reader is faster; ' +
              'the ratios below compare the three paths on the same reader.\n',
          );
          results.push(line('PIN verify   (a) PIV client over PC/SC    ', verifyA, verifyC));
          results.push(line('PIN verify   (b) PKCS#11 service + OpenSC ', verifyB, verifyC));
        }
        results.push(line(`sign ${label.padEnd(9)}(a) PIV client over PC/SC    `, signA, signC));
        results.push(line(`sign ${label.padEnd(9)}(b) PKCS#11 service + OpenSC `, signB, signC));
      }
      console.log(`\n${results.filter(Boolean).length} of ${results.length} comparisons meet the goal`);
    } finally {
      await pkcs11?.dispose();
      readers.dispose();
      card.stdin?.write('quit\n');
      await new Promise((resolve) => card.once('exit', resolve));
      await pcscd.stop();
    }
  },
};
